// `npm start` as a newcomer meets it: the process on a fresh data directory, the demo market with its market
// maker, the README's steps to a filled order over HTTP, and a restart that keeps everything and does not set
// the demo up twice.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { type Credentials, signedCall } from './edge/test-signing.ts';

const START = new URL('./start.ts', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'spot-start-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the exchange; resolves with its port and everything it printed until it listened. */
function start(): Promise<{ child: ChildProcess; port: number; output: string[] }> {
  const { REDIS_URL: _r, DATABASE_URL: _d, ...env } = process.env;
  const child = spawn(process.execPath, [START], {
    env: { ...env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port after 60 s:\n${output.join('\n')}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output.join('\n')}`)));
    let port = 0;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'edge listening') port = entry.port!;
        // The demo (first start only) prints its steps after listening; wait for its log line, or go at once.
        if (
          port !== 0 &&
          (entry.msg?.startsWith('created the demo') || output.some((l) => l.includes('recovered')))
        ) {
          clearTimeout(timer);
          resolve({ child, port, output });
        }
      } catch {
        // The demo's plain-text steps.
      }
    });
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  return exited;
}

describe('npm start (embedded)', () => {
  it('runs a demo market a newcomer can trade on, and keeps it across a restart', async () => {
    const first = await start();
    const base = `http://localhost:${first.port}`;
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const admin = async (path: string, body?: unknown) => {
      const res = await fetch(`${base}/admin/v1/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(res.status).toBeLessThan(300);
      return res.json() as Promise<Record<string, unknown>>;
    };
    // The README's steps.
    const { accountId } = (await admin('accounts')) as { accountId: number };
    expect(accountId).toBe(2); // account 1 is the demo market maker
    await admin(`accounts/${accountId}/deposits`, { asset: 'USDT', amount: '100000' });
    const key = (await admin(`accounts/${accountId}/api-keys`, {
      type: 'HMAC_SHA256',
    })) as unknown as Credentials;
    const request = (path: string, init: RequestInit) => fetch(`${base}${path}`, init);
    const bought = await signedCall(request, key, 'POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01',
    });
    expect(bought).toMatchObject({
      status: 200,
      body: { status: 'FILLED', executedQty: '0.01000000', fills: [{ price: '30010.00000000' }] },
    });
    const orderId = (bought.body as { orderId: number }).orderId;
    expect(await stop(first.child)).toBe(0);

    // A restart recovers the trade and sets nothing up again.
    const second = await start();
    expect(second.output.join('\n')).not.toContain('created the demo');
    const again = (path: string, init: RequestInit) => fetch(`http://localhost:${second.port}${path}`, init);
    const order = await signedCall(again, key, 'GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId });
    expect(order.body).toMatchObject({ orderId, status: 'FILLED' });
    // The book as the restarted matcher republished it.
    const depth = (await (
      await fetch(`http://localhost:${second.port}/api/v3/depth?symbol=BTCUSDT&limit=5`)
    ).json()) as {
      asks: string[][];
      bids: string[][];
    };
    expect([depth.asks[0], depth.bids[0], depth.asks.length]).toEqual([
      ['30010.00000000', '0.04000000'],
      ['29990.00000000', '0.05000000'],
      5,
    ]);
    expect(await stop(second.child)).toBe(0);
  }, 120_000);
});
