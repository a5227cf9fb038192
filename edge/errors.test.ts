import { describe, expect, it } from 'vitest';
import { RESULT_CODES, ResultCode } from '../matcher/core/index.ts';
import { binanceError, isRejection } from './errors.ts';

describe('binanceError', () => {
  it('maps every rejection to a negative Binance code, a 4xx/5xx status and a message', () => {
    for (const code of Object.values(ResultCode)) {
      if (!isRejection(code)) continue;
      const e = binanceError(code);
      expect(e.code, code).toBeLessThan(0);
      expect(e.status, code).toBeGreaterThanOrEqual(400);
      expect(e.msg, code).toBe(RESULT_CODES[code].message);
    }
  });

  it('speaks Binance for the rejections clients handle most', () => {
    expect(binanceError('INSUFFICIENT_BALANCE')).toEqual({
      status: 400,
      code: -2010,
      msg: 'Account has insufficient balance for requested action.',
    });
    expect(binanceError('UNKNOWN_ORDER')).toEqual({ status: 400, code: -2011, msg: 'Unknown order sent.' });
    expect(binanceError('LOT_SIZE')).toEqual({ status: 400, code: -1013, msg: 'Filter failure: LOT_SIZE' });
    expect(binanceError('ORDER_WOULD_MATCH').msg).toBe('Order would immediately match and take.');
    expect(binanceError('UNKNOWN_SYMBOL')).toMatchObject({ code: -1121, msg: 'Invalid symbol.' });
  });

  it('keeps a detail the core gave', () => {
    expect(binanceError('INVALID_MARKET', 'stepSize must be > 0').msg).toBe('stepSize must be > 0');
  });
});
