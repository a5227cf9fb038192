// The request body limit over real HTTP: a body framed by Content-Length is judged by the header, a chunked one
// is counted as it arrives; both answer 413 with Binance's error shape past 64 KiB, and a small body passes on
// to the route (here: refused for its missing API key, which shows the limit let it through).

import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from 'hono';
import type { EdgeEnv } from './context.ts';
import { framedByParser } from './serve.ts';
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

/** A request written by hand on a socket (`head` without the blank line), and the status line of the answer. */
function raw(head: string, body = ''): Promise<string> {
  const { hostname, port } = new URL(baseURL);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () =>
      socket.end(`${head}\r\nConnection: close\r\n\r\n${body}`),
    );
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

describe('request body limit', () => {
  it('passes a request with neither Content-Length nor Transfer-Encoding on without reading a body', async () => {
    // HTTP/1.1 frames such a request with no body: the parser answers the trailing bytes as the next request.
    const answer = await raw('DELETE /api/v3/order?symbol=BTCUSDT HTTP/1.1\r\nHost: x');
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).toContain('"code":-2014');
  });

  it('trusts the framing of HTTP/1 requests from Node only', () => {
    const served = (incoming: unknown) => ({ env: { incoming } }) as unknown as Context<EdgeEnv>;
    expect(framedByParser(served({ httpVersionMajor: 1 }))).toBe(true);
    expect(framedByParser(served({ httpVersionMajor: 2 }))).toBe(false);
    expect(framedByParser({ env: undefined } as unknown as Context<EdgeEnv>)).toBe(false);
  });

  it('counts a body handed over in memory without Content-Length, and refuses it past 64 KiB', async () => {
    const res = await edge.request('/api/v3/order', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(64 * 1024 + 1).fill(97));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ code: -1000, msg: 'Request body larger than 65536 bytes.' });
  });

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
