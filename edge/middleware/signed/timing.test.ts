// The signed-request middleware's timing rules (timestamp in ms or µs, recvWindow with decimals), in memory
// with test-kit.ts's fakes.

import { beforeEach, describe, expect, it } from 'vitest';
import { signed } from './index.ts';
import { EXAMPLE_TIME, type Harness, harness, hmac, refused } from './test-kit.ts';

describe('signed requests', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  describe('timing', () => {
    const at = (timestamp: number | string, extra = '') => {
      const query = `symbol=LTCBTC${extra}&timestamp=${timestamp}`;
      return h.send(`${query}&signature=${hmac(query)}`);
    };
    const ahead = refused(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
    const outside = refused(400, -1021, 'Timestamp for this request is outside of the recvWindow.');

    it('accepts up to 1000 ms ahead (exclusive) and recvWindow behind (inclusive, default 5000)', async () => {
      h.time = 1_700_000_000_000;
      expect(await at(h.time + 999)).toMatchObject({ status: 200 });
      expect(await at(h.time + 1000)).toEqual(ahead);
      expect(await at(h.time - 5000)).toMatchObject({ status: 200 });
      expect(await at(h.time - 5001)).toEqual(outside);
      expect(await at(h.time - 60_000, '&recvWindow=60000')).toMatchObject({ status: 200 });
      expect(await at(h.time - 60_001, '&recvWindow=60000')).toEqual(outside);
      expect(await at(h.time, '&recvWindow=0')).toMatchObject({ status: 200 });
      expect(await at(h.time - 1, '&recvWindow=0')).toEqual(outside);
    });

    it('honours its own default and maximum', async () => {
      h.time = 1_700_000_000_000;
      const query = `symbol=X&timestamp=${h.time - 150}`;
      const options = { defaultRecvWindow: 100, maxRecvWindow: 1000 };
      expect(await h.send(`${query}&signature=${hmac(query)}`, { options })).toEqual(outside);
      const wide = `${query}&recvWindow=1001`;
      expect(await h.send(`${wide}&signature=${hmac(wide)}`, { options })).toEqual(
        refused(400, -1131, 'recvWindow must be less than 1000.'),
      );
      expect(() =>
        signed({ keys: h.keys, clock: h.clock, permission: 'TRADE', defaultRecvWindow: 70_000 }),
      ).toThrow(/defaultRecvWindow/);
    });

    it('takes timestamps in µs and recvWindow with up to 3 decimals', async () => {
      h.time = 1_700_000_000_000.5; // the clock may carry a fraction: 500 µs
      const nowUs = 1_700_000_000_000_500;
      expect(await at(nowUs - 5_000_000)).toMatchObject({ status: 200 });
      expect(await at(nowUs - 5_000_001)).toEqual(outside);
      expect(await at(nowUs + 999_999)).toMatchObject({ status: 200 });
      expect(await at(nowUs + 1_000_000)).toEqual(ahead);
      expect(await at(nowUs - 100_250, '&recvWindow=100.25')).toMatchObject({ status: 200 });
      expect(await at(nowUs - 100_251, '&recvWindow=100.250')).toEqual(outside);
      expect(await at(nowUs, '&recvWindow=60000.001')).toEqual(refused(400, -1131));
    });

    it('refuses a missing or malformed timestamp (-1102) and recvWindow (-1100, -1131)', async () => {
      const msg = "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.";
      for (const t of ['', 'abc', '1.5', '-1', '1e12']) expect(await at(t)).toEqual(refused(400, -1102, msg));
      const noTimestamp = 'symbol=LTCBTC';
      expect(await h.send(`${noTimestamp}&signature=${hmac(noTimestamp)}`)).toEqual(refused(400, -1102, msg));
      for (const w of ['', 'abc', '1.2345', '-5', '5,0']) {
        expect(await at(EXAMPLE_TIME, `&recvWindow=${w}`)).toEqual(refused(400, -1100));
      }
      expect(await at(EXAMPLE_TIME, '&recvWindow=60001')).toEqual(
        refused(400, -1131, 'recvWindow must be less than 60000.'),
      );
      expect(h.lookups).toEqual([]);
    });
  });
});
