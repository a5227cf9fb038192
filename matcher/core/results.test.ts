// Rejections without a detail are shared and frozen: no command's result can change another's.

import { describe, expect, it } from 'vitest';
import { ResultCode } from './result-codes.ts';
import { reject } from './results.ts';

describe('reject', () => {
  it('answers a code without a detail with one frozen result, and one with a detail with its own', () => {
    const a = reject(ResultCode.UNKNOWN_ORDER);
    expect(a).toEqual({ code: ResultCode.UNKNOWN_ORDER });
    expect(reject(ResultCode.UNKNOWN_ORDER)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => Object.assign(a, { code: ResultCode.OK })).toThrow(TypeError);
    expect(reject(ResultCode.NOTIONAL)).toEqual({ code: ResultCode.NOTIONAL });
    const detailed = reject(ResultCode.PARAMETER_REQUIRED, 'stopPrice is required');
    expect(detailed).toEqual({ code: ResultCode.PARAMETER_REQUIRED, detail: 'stopPrice is required' });
    expect(reject(ResultCode.PARAMETER_REQUIRED, 'stopPrice is required')).not.toBe(detailed);
  });
});
