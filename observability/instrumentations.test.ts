// The Redis statement in client spans: the command and its keys, never the values it carries.

import { describe, expect, it } from 'vitest';
import { redisStatement } from './tracing.ts';

describe('redisStatement', () => {
  it('shows a script by its sha and keys, not its arguments', () => {
    const sha = 'a'.repeat(40);
    expect(redisStatement('evalsha', [sha, 1, 'spot:cmd:main', 50_000, 'd', '{"order":1}'])).toBe(
      `evalsha ${sha} 1 spot:cmd:main [3 other arguments]`,
    );
    expect(redisStatement('evalsha', [sha, 0])).toBe(`evalsha ${sha} 0`);
  });

  it('shows another command by its key', () => {
    expect(redisStatement('publish', ['spot:replies:x', '{"result":1}'])).toBe(
      'publish spot:replies:x [1 other arguments]',
    );
    expect(redisStatement('ping', [])).toBe('ping');
  });
});
