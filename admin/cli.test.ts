// The admin CLI as an operator runs it: a child process (node admin/cli.ts) against the embedded stack served
// over HTTP, from creating a market to revoking a key, and the exit code of each way a call can fail.

import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLimiter } from '../edge/middleware/rate-limit/index.ts';
import { DEFAULT_RATE_LIMITS } from '../edge/rate-limits.ts';
import { createSecretBox } from '../edge/secret-box.ts';
import { clientIpOf, close, listen } from '../edge/serve.ts';
import { signedQuery } from '../edge/test-signing.ts';
import { buildEdgeApp } from '../edge/wiring.ts';
import { type Embedded, startEmbedded } from '../matcher/embedded.ts';
import { silentLogger } from '../observability/logger.ts';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const TOKEN = 'admin-cli-test-token-0123456789';

/**
 * The embedded stack behind the real edge app on a free port, as startEmbeddedEdge (edge/test-servers.ts) builds
 * it, but with an admin token the CLI can be given: startEmbeddedEdge generates its own and keeps it private.
 */
async function serveEmbedded(): Promise<{ url: string; close(): Promise<void> }> {
  const embedded: Embedded = await startEmbedded({
    dataDir: undefined,
    log: silentLogger(),
    client: { timeoutMs: 30_000 },
  });
  const limits = { ...DEFAULT_RATE_LIMITS };
  const app = buildEdgeApp({
    db: embedded.db.db,
    matcher: embedded.client,
    limiter: new MemoryLimiter({ limits }),
    secretBox: createSecretBox(randomBytes(32)),
    rateLimits: limits,
    adminToken: TOKEN,
    clientIp: clientIpOf(false),
    probes: {},
  });
  const { server, port } = await listen(app, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await close(server);
      await embedded.close();
    },
  };
}

/** A port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let server: { url: string; close(): Promise<void> };
let dataDir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run admin -- ...args`, with ADMIN_URL and ADMIN_TOKEN set unless `env` says otherwise. */
function admin(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const { ADMIN_URL: _u, ADMIN_TOKEN: _t, DATA_DIR: _d, ...inherited } = process.env;
  const merged = { ...inherited, ADMIN_URL: server.url, ADMIN_TOKEN: TOKEN, DATA_DIR: dataDir, ...env };
  const childEnv = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command that must succeed, and answers its output. */
async function ok(...args: string[]): Promise<string> {
  const run = await admin(args);
  expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
  return run.stdout;
}

/** The admin API's answer, as fetched directly. */
async function api(path: string): Promise<string> {
  const res = await fetch(`${server.url}/admin/v1${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return res.text();
}

beforeAll(async () => {
  [server, dataDir] = await Promise.all([serveEmbedded(), mkdtemp(join(tmpdir(), 'admin-cli-'))]);
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

describe('admin CLI', () => {
  it('lists its commands with --help, and a command its options', async () => {
    const [all, create, fees] = await Promise.all([
      admin(['--help']),
      admin(['markets', 'create', '--help']),
      admin(['fees', 'set', '-h']),
    ]);
    expect(all.code).toBe(0);
    for (const name of [
      'markets create',
      'accounts show <accountId>',
      'keys revoke <apiKey>',
      'fees clear',
    ]) {
      expect(all.stdout).toContain(name);
    }
    expect(all.stdout).toContain('deposit <accountId> <asset> <amount>');
    expect(create).toMatchObject({ code: 0, stderr: '' });
    expect(create.stdout).toMatch(/^Usage: npm run admin -- markets create --symbol SYMBOL .*\[options\]$/m);
    expect(create.stdout).toMatch(/--maker-fee FRACTION +.*\(default 0\.001\)/);
    expect(fees.stdout).toMatch(/--taker FRACTION +.*\(required\)/);
  });

  it('creates a market, lists it as a table and as the API’s JSON, halts and resumes it', async () => {
    expect(
      await ok(
        ...['markets', 'create', '--symbol', 'BTCUSDT', '--base', 'BTC', '--quote', 'USDT'],
        ...['--tick-size', '0.01', '--step-size', '0.00001', '--min-notional', '5', '--taker-fee', '0.002'],
      ),
    ).toBe('created market BTCUSDT\n');
    const [header, row, ...more] = (await ok('markets', 'list')).trimEnd().split('\n');
    expect(more).toEqual([]);
    expect(header).toMatch(/^symbol +status +base +quote +tick size +step size +min notional +maker +taker$/);
    expect(row).toMatch(/^BTCUSDT +TRADING +BTC +USDT +0\.01 +0\.00001 +5 +0\.001 +0\.002$/);
    expect(row!.indexOf('TRADING')).toBe(header!.indexOf('status')); // aligned
    expect(row!.indexOf('0.00001')).toBe(header!.indexOf('step size'));
    expect(await ok('markets', 'list', '--json')).toBe(`${await api('/markets')}\n`);

    expect(await ok('markets', 'halt', 'BTCUSDT')).toBe('BTCUSDT: HALT\n');
    // (Not read back with `markets list`: the edge serves it from a market cache up to 5 s old.)
    expect(await ok('--json', 'markets', 'resume', 'BTCUSDT')).toBe(
      '{"symbol":"BTCUSDT","status":"TRADING"}\n',
    );
    const unknown = await admin(['markets', 'halt', 'NOPEUSDT']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toMatch(/^error -\d+: /);
  });

  it('creates an account and keys (an HMAC secret shown once), funds it, shows and revokes', async () => {
    const accountId = /^created account (\d+)\n$/.exec(await ok('accounts', 'create'))![1]!;
    const created = await ok('keys', 'create', accountId);
    const [, apiKey, secretKey] = /^apiKey +(\w+)\nsecretKey +(\w+)\nThe secret key is shown this once/.exec(
      created,
    )!;
    // The secret printed is the key's: a signed call with it goes through.
    const signed = signedQuery({ apiKey: apiKey!, secretKey: secretKey! }, {});
    const account = await fetch(`${server.url}/api/v3/account?${signed}`, {
      headers: { 'X-MBX-APIKEY': apiKey! },
    });
    expect(account.status).toBe(200);

    expect(await ok('deposit', accountId, 'USDT', '1000.5')).toBe(
      `deposited 1000.5 USDT to account ${accountId}\n`,
    );
    expect(await ok('withdraw', accountId, 'USDT', '0.5')).toBe(
      `withdrew 0.5 USDT from account ${accountId}\n`,
    );
    const shown = await ok('accounts', 'show', accountId);
    expect(shown).toMatch(new RegExp(`^account ${accountId}\n\nasset +free +locked\nUSDT +1000 +0\n`));
    expect(shown).toMatch(new RegExp(`^${apiKey} +HMAC_SHA256 +TRADE,USER_DATA +any +\\S+Z +-$`, 'm'));
    expect(shown).not.toContain(secretKey);
    expect(JSON.parse(await ok('accounts', 'show', accountId, '--json'))).toMatchObject({
      balances: [{ asset: 'USDT', free: '1000.00000000', locked: '0.00000000' }],
    });

    const pem = join(dataDir, 'ed25519.pem');
    await writeFile(pem, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const ed = await ok('keys', 'create', accountId, '--public-key-file', pem, '--permissions', 'USER_DATA');
    const edKey = /^apiKey +(\w+)\n$/.exec(ed)![1]!;
    const restricted = await ok('keys', 'create', accountId, '--ip', '10.0.0.0/8, 127.0.0.1', '--json');
    expect(Object.keys(JSON.parse(restricted))).toEqual(['apiKey', 'secretKey']);

    expect(await ok('keys', 'revoke', apiKey!)).toBe(`revoked ${apiKey}\n`);
    const listed = await ok('keys', 'list', accountId);
    expect(listed).toMatch(/^api key +type +permissions +ip allow list +created +revoked$/m);
    expect(listed).toMatch(new RegExp(`^${apiKey} +HMAC_SHA256 +TRADE,USER_DATA +any +\\S+Z +\\S+Z$`, 'm'));
    expect(listed).toMatch(new RegExp(`^${edKey} +ED25519 +USER_DATA +any +\\S+Z +-$`, 'm'));
    expect(listed).toMatch(/ HMAC_SHA256 +TRADE,USER_DATA +10\.0\.0\.0\/8,127\.0\.0\.1 /);
    expect(listed).not.toContain(secretKey);
    expect(await ok('keys', 'list', accountId, '--json')).toBe(
      `${await api(`/accounts/${accountId}/api-keys`)}\n`,
    );

    const again = await admin(['keys', 'revoke', apiKey!]);
    expect(again).toMatchObject({ code: 1, stdout: '', stderr: 'error -2015: Unknown API key.\n' });
  });

  it('sets and clears fee tiers, on every market or on one', async () => {
    const accountId = /(\d+)/.exec(await ok('accounts', 'create'))![1]!;
    expect(await ok('fees', 'set', accountId, '--maker', '0.0005', '--taker', '0.001')).toBe(
      `account ${accountId} on every market: maker 0.0005, taker 0.001\n`,
    );
    expect(
      JSON.parse(
        await ok('fees', 'set', accountId, '--symbol', 'BTCUSDT', '--maker', '0', '--taker', '0', '--json'),
      ),
    ).toEqual({ accountId: Number(accountId), symbol: 'BTCUSDT', makerFee: '0', takerFee: '0' });
    expect(await ok('fees', 'clear', accountId, '--symbol', 'BTCUSDT')).toBe(
      `account ${accountId} on BTCUSDT: fee tier removed\n`,
    );
    expect(await ok('fees', 'clear', accountId)).toBe(
      `account ${accountId} on every market: fee tier removed\n`,
    );
  });

  it('prints the API’s code and msg when it refuses, and exits 1', async () => {
    const [unknown, duplicate, badAmount] = await Promise.all([
      admin(['deposit', '999999', 'USDT', '1']),
      admin(
        ['markets', 'create', '--symbol', 'BTCUSDT', '--base', 'BTC', '--quote', 'USDT'].concat([
          '--tick-size',
          '0.01',
          '--step-size',
          '0.01',
        ]),
      ),
      admin(['deposit', '1', 'USDT', 'lots']),
    ]);
    expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: 'error -1130: Unknown account.\n' });
    expect(duplicate).toMatchObject({ code: 1, stdout: '' });
    expect(duplicate.stderr).toMatch(/^error -1130: /);
    expect(badAmount).toMatchObject({ code: 1 });
    expect(badAmount.stderr).toMatch(/^error -1130: .*amount/);
  });

  it('exits 3 when the token is refused or there is none, and reads the one npm start keeps', async () => {
    const tokenDir = await mkdtemp(join(dataDir, 'data-'));
    await writeFile(join(tokenDir, 'admin-token'), `${TOKEN}\n`);
    const [wrong, overridden, fromFile, none] = await Promise.all([
      admin(['markets', 'list'], { ADMIN_TOKEN: 'not-the-admin-token' }),
      admin(['markets', 'list', '--token', TOKEN], { ADMIN_TOKEN: 'not-the-admin-token' }),
      admin(['markets', 'list'], { ADMIN_TOKEN: undefined, DATA_DIR: tokenDir }),
      admin(['markets', 'list'], { ADMIN_TOKEN: undefined }),
    ]);
    expect(wrong).toMatchObject({ code: 3, stdout: '' });
    expect(wrong.stderr).toMatch(/^the admin token was refused by http:\/\/127\.0\.0\.1:\d+/);
    expect(overridden).toMatchObject({ code: 0 });
    expect(fromFile).toMatchObject({ code: 0, stderr: '' });
    expect(fromFile.stdout).toMatch(/^BTCUSDT /m);
    expect(none).toMatchObject({ code: 3, stdout: '' });
    expect(none.stderr).toMatch(/^no admin token: set ADMIN_TOKEN or pass --token/);
  });

  it('exits 2 when the admin API cannot be reached', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const [byEnv, byFlag] = await Promise.all([
      admin(['accounts', 'show', '1'], { ADMIN_URL: url }),
      admin(['--url', url, 'markets', 'list']),
    ]);
    for (const run of [byEnv, byFlag]) {
      expect(run).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toBe(`cannot reach the admin API at ${url}: connect ECONNREFUSED ${url.slice(7)}\n`);
    }
  });

  it('exits 64 on bad usage, with the usage', async () => {
    const cases: [string[], RegExp][] = [
      [[], /^error: no command given\n\nUsage: npm run admin -- <command>/],
      [['nope'], /^error: unknown command: nope\n\nUsage: .*\n[^]*Commands:/],
      [['markets'], /^error: markets: which one\?\n[^]*markets halt <symbol>/],
      [['markets', 'delete'], /^error: unknown command: markets delete\n/],
      [['deposit', '1', 'USDT'], /^error: deposit takes <accountId> <asset> <amount>, got 2\n\nUsage: /],
      [
        ['markets', 'create', '--symbol', 'X'],
        /^error: --base is required\n\nUsage: npm run admin -- markets create/,
      ],
      [['accounts', 'show', '1', '--bogus'], /^error: Unknown option '--bogus'\n\nUsage: /],
      [['fees', 'set', '1', '--maker'], /^error: Option '--maker <value>' argument missing\n/],
      [
        ['--url', 'localhost:8080', 'markets', 'list'],
        /^error: not an http\(s\) URL: localhost:8080\n\nUsage: /,
      ],
      [
        [
          'markets',
          'create',
          ...['--symbol', 'X', '--base', 'X', '--quote', 'Y', '--tick-size', '1'],
          '--step-size',
        ],
        /argument missing/,
      ],
      [
        [
          'markets',
          'create',
          '--symbol=X',
          '--base=X',
          '--quote=Y',
          '--tick-size=1',
          '--step-size=1',
          '--max-num-orders=1.5',
        ],
        /^error: --max-num-orders must be a positive whole number\n\nUsage: /,
      ],
      [
        ['keys', 'create', '1', '--public-key-file', join(dataDir, 'missing.pem')],
        /^error: cannot read --public-key-file/,
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => admin(args)));
    runs.forEach((run, i) => {
      expect({ args: cases[i]![0], code: run.code, stdout: run.stdout }).toEqual({
        args: cases[i]![0],
        code: 64,
        stdout: '',
      });
      expect(run.stderr).toMatch(cases[i]![1]);
    });
  });
});
