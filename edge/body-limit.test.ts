// The request body limit over real HTTP: a body framed by Content-Length is judged by the header, a chunked one
// is counted as it arrives; both answer 413 with Binance's error shape past 64 KiB, and a small body passes on
// to the route (here: refused for its missing API key, which shows the limit let it through).

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedEdge, startEmbeddedEdge } from './test-servers.ts';

let edge: EmbeddedEdge;
let baseURL: string;

beforeAll(async () => {
  edge = await startEmbeddedEdge();
  ({ baseURL } = await edge.serve());
}, 60_000);

afterAll(async () => {
  await edge?.close();
});

/** POSTs a form body of `size` bytes, with Content-Length or chunked in pieces of 4 KiB. */
function post(size: number, framing: 'length' | 'chunked'): Promise<{ status: number; body: unknown }> {
  const body = Buffer.alloc(size, 'a');
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${baseURL}/api/v3/order`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(framing === 'length' ? { 'content-length': String(size) } : { 'transfer-encoding': 'chunked' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      },
    );
    req.on('error', reject);
    for (let at = 0; at < size; at += 4096) req.write(body.subarray(at, at + 4096));
    req.end();
  });
}

describe('request body limit', () => {
  for (const framing of ['length', 'chunked'] as const) {
    it(`refuses more than 64 KiB framed by ${framing} with 413 and Binance's error shape`, async () => {
      expect(await post(64 * 1024 + 1, framing)).toEqual({
        status: 413,
        body: { code: -1000, msg: 'Request body larger than 65536 bytes.' },
      });
    });

    it(`lets a small body framed by ${framing} through to the route`, async () => {
      expect(await post(1000, framing)).toEqual({
        status: 401,
        body: { code: -2014, msg: 'API-key format invalid.' },
      });
    });
  }
});
