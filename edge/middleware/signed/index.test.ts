// The signed-request middleware in memory: Binance's documented HMAC examples (body, query, mixed), Ed25519
// signatures made here, the API key's refusals and the reading of parameters, with Binance's codes and HTTP
// statuses. The route behind the middleware must never run when it refuses (test-kit.ts: fake store and clock).

import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { signed } from './index.ts';
import {
  API_KEY,
  ED_KEY,
  ed25519,
  edKey,
  EXAMPLE_TIME,
  type Harness,
  harness,
  hmac,
  hmacKey,
  MIXED_BODY,
  MIXED_QUERY,
  MIXED_SIGNATURE,
  PARAMS,
  refused,
  SIGNATURE,
} from './test-kit.ts';

describe('signed requests', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  describe("Binance's HMAC examples", () => {
    const principal = { accountId: 7, apiKey: API_KEY, permissions: ['TRADE', 'USER_DATA'] };
    const params = Object.fromEntries(new URLSearchParams(PARAMS));

    it('verifies the example signature (the documented vector)', () => {
      expect(hmac(PARAMS)).toBe(SIGNATURE);
      expect(hmac(MIXED_QUERY + MIXED_BODY)).toBe(MIXED_SIGNATURE);
    });

    it('accepts example 1: everything in the body', async () => {
      const res = await h.send('', { body: `${PARAMS}&signature=${SIGNATURE}` });
      expect(res).toEqual({
        status: 200,
        body: { principal, params, body: `${PARAMS}&signature=${SIGNATURE}` },
      });
      expect(h.lookups).toEqual([API_KEY]);
    });

    it('accepts example 2: everything in the query string', async () => {
      expect(await h.send(`${PARAMS}&signature=${SIGNATURE}`)).toMatchObject({
        status: 200,
        body: { principal, params },
      });
      expect(await h.send(`${PARAMS}&signature=${SIGNATURE}`, { method: 'GET' })).toMatchObject({
        status: 200,
      });
    });

    it('accepts example 3: query and body mixed, no & between them in the signed payload', async () => {
      const res = await h.send(MIXED_QUERY, { body: `${MIXED_BODY}&signature=${MIXED_SIGNATURE}` });
      expect(res).toMatchObject({ status: 200, body: { principal, params } });
    });

    it('takes the signature out of the query as well, wherever it sits, and in any case', async () => {
      expect(await h.send(`${MIXED_QUERY}&signature=${MIXED_SIGNATURE}`, { body: MIXED_BODY })).toMatchObject(
        {
          status: 200,
        },
      );
      expect(await h.send(`signature=${SIGNATURE}&${PARAMS}`)).toMatchObject({ status: 200 });
      expect(await h.send(`${PARAMS}&signature=${SIGNATURE.toUpperCase()}`)).toMatchObject({ status: 200 });
    });

    it('refuses the example signature over anything else', async () => {
      const changed = PARAMS.replace('price=0.1', 'price=0.2');
      expect(await h.send(`${changed}&signature=${SIGNATURE}`)).toEqual(
        refused(400, -1022, 'Signature for this request is not valid.'),
      );
      expect(await h.send(MIXED_QUERY, { body: `${MIXED_BODY}&signature=${SIGNATURE}` })).toEqual(
        refused(400, -1022),
      );
      expect(h.reached).toBe(0);
    });
  });

  describe('Ed25519', () => {
    const query = (t = EXAMPLE_TIME) => `symbol=BTCUSDT&side=SELL&type=LIMIT&timestamp=${t}`;
    const options = { permission: 'USER_DATA' } as const;

    it('accepts a base64 signature, URL-encoded, in the query or the body', async () => {
      expect(
        await h.send(`${query()}&signature=${ed25519(query())}`, { key: ED_KEY, options }),
      ).toMatchObject({
        status: 200,
        body: { principal: { accountId: 9, apiKey: ED_KEY, permissions: ['USER_DATA'] } },
      });
      const body = `${query()}&signature=${ed25519(query())}`;
      expect(await h.send('', { body, key: ED_KEY, options })).toMatchObject({ status: 200 });
    });

    it('refuses a signature by another key, over other data, case-changed, or not base64', async () => {
      h.stored.set(ED_KEY, edKey(generateKeyPairSync('ed25519').publicKey));
      expect(await h.send(`${query()}&signature=${ed25519(query())}`, { key: ED_KEY, options })).toEqual(
        refused(400, -1022),
      );
      h.stored.set(ED_KEY, edKey());
      const other = ed25519(query(EXAMPLE_TIME + 1));
      expect(await h.send(`${query()}&signature=${other}`, { key: ED_KEY, options })).toEqual(
        refused(400, -1022),
      );
      const flipped = ed25519(query()).replace(/[a-z]/, (ch) => ch.toUpperCase());
      expect(await h.send(`${query()}&signature=${flipped}`, { key: ED_KEY, options })).toEqual(
        refused(400, -1022),
      );
      expect(await h.send(`${query()}&signature=${hmac(query())}`, { key: ED_KEY, options })).toEqual(
        refused(400, -1022),
      );
      expect(h.reached).toBe(0);
    });

    it("wants base64's '+' URL-encoded: sent raw, it reads as a space", async () => {
      let t = EXAMPLE_TIME;
      while (!decodeURIComponent(ed25519(query(t))).includes('+')) t++;
      const encoded = ed25519(query(t));
      h.time = t + 100;
      const send = (signature: string) =>
        h.send(`${query(t)}&signature=${signature}`, { key: ED_KEY, options });
      expect(await send(decodeURIComponent(encoded))).toEqual(refused(400, -1022));
      expect(await send(encoded)).toMatchObject({ status: 200 });
    });
  });

  describe('the API key', () => {
    it('is mandatory and 64 letters or digits (-2014), checked before anything is looked up', async () => {
      const query = `${PARAMS}&signature=${SIGNATURE}`;
      for (const key of [null, '', 'short', `${API_KEY.slice(1)}!`]) {
        expect(await h.send(query, { key })).toEqual(refused(401, -2014, 'API-key format invalid.'));
      }
      expect(h.lookups).toEqual([]);
    });

    it('must be known and not revoked (-2015)', async () => {
      const query = `${PARAMS}&signature=${SIGNATURE}`;
      const msg = 'Invalid API-key, IP, or permissions for action.';
      expect(await h.send(query, { key: 'x'.repeat(64) })).toEqual(refused(401, -2015, msg));
      h.stored.set(API_KEY, hmacKey({ revoked: true }));
      expect(await h.send(query)).toEqual(refused(401, -2015, msg));
      expect(h.reached).toBe(0);
    });

    it('must allow the route’s permission, once the signature holds (-2015)', async () => {
      h.stored.set(API_KEY, hmacKey({ permissions: ['USER_DATA'] }));
      expect(await h.send(`${PARAMS}&signature=${SIGNATURE}`)).toEqual(refused(401, -2015));
      expect(await h.send(`${PARAMS}&signature=${'0'.repeat(64)}`)).toEqual(refused(400, -1022));
      expect(
        await h.send(`${PARAMS}&signature=${SIGNATURE}`, { options: { permission: 'USER_DATA' } }),
      ).toMatchObject({
        status: 200,
      });
    });

    it('must allow the client’s address when it has an allow list (-2015)', async () => {
      h.stored.set(API_KEY, hmacKey({ ipAllowList: ['10.0.0.0/8'] }));
      const query = `${PARAMS}&signature=${SIGNATURE}`;
      expect(await h.send(query, { headers: { 'x-test-ip': '10.1.2.3' } })).toMatchObject({ status: 200 });
      expect(await h.send(query, { headers: { 'x-test-ip': '11.1.2.3' } })).toEqual(refused(401, -2015));
      expect(await h.send(query)).toEqual(refused(401, -2015)); // address unknown
    });
  });

  describe('parameters', () => {
    const signedQuery = (query: string) => `${query}&signature=${hmac(query)}`;

    it('must carry a signature (-1102)', async () => {
      const msg = "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.";
      expect(await h.send(PARAMS)).toEqual(refused(400, -1102, msg));
      expect(await h.send(`${PARAMS}&signature=`)).toEqual(refused(400, -1102, msg));
    });

    it('refuses a parameter given twice, in one place or across both (-1101)', async () => {
      const msg = 'Duplicate values for a parameter detected.';
      expect(await h.send(signedQuery(`${PARAMS}&symbol=BTCUSDT`))).toEqual(refused(400, -1101, msg));
      expect(await h.send(signedQuery(PARAMS), { body: 'symbol=BTCUSDT' })).toEqual(refused(400, -1101, msg));
      expect(await h.send(`${PARAMS}&signature=${SIGNATURE}`, { body: `signature=${SIGNATURE}` })).toEqual(
        refused(400, -1101, msg),
      );
      expect(h.lookups).toEqual([]);
    });

    it('signs the bytes sent and hands the handler the decoded values', async () => {
      const query = `newClientOrderId=my%20order+1&note=a%26b&${PARAMS}`;
      const res = await h.send(signedQuery(query));
      expect(res.status).toBe(200);
      expect(res.body.params).toMatchObject({
        newClientOrderId: 'my order 1',
        note: 'a&b',
        timestamp: '1499827319559',
      });
      expect(res.body.params).not.toHaveProperty('signature');
      const decodedSigned = `newClientOrderId=my order 1&note=a&b&${PARAMS}`;
      expect(await h.send(`${query}&signature=${hmac(decodedSigned)}`)).toEqual(refused(400, -1022));
    });

    it('ignores a body that is not a form, and leaves a form body readable downstream', async () => {
      const json = await h.send(`${PARAMS}&signature=${SIGNATURE}`, {
        body: '{"symbol":"BTCUSDT"}',
        headers: { 'content-type': 'application/json' },
      });
      expect(json).toMatchObject({
        status: 200,
        body: { params: { symbol: 'LTCBTC' }, body: '{"symbol":"BTCUSDT"}' },
      });
      const form = await h.send('', {
        body: `${PARAMS}&signature=${SIGNATURE}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      });
      expect(form).toMatchObject({ status: 200, body: { body: `${PARAMS}&signature=${SIGNATURE}` } });
    });

    it('refuses malformed escapes and raw non-ASCII (-1100)', async () => {
      expect(await h.send(signedQuery(`${PARAMS}&x=%zz`))).toEqual(refused(400, -1100));
      expect(await h.send('', { body: `x=é&${PARAMS}&signature=${SIGNATURE}` })).toEqual(refused(400, -1100));
    });
  });

  it('returns a named handler', () => {
    expect(signed({ keys: h.keys, clock: h.clock, permission: 'TRADE' }).name).toBe('signedRequest');
  });
});
