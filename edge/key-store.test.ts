// Key creation and the cached key store on the real Postgres (a database of its own), with a fake clock for
// the cache's lifetimes: secrets decrypted, revocation seen after the TTL, unknown keys remembered (bounded),
// one query for concurrent look-ups, nothing cached from a failed one.

import { createHmac, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type DatabaseClient } from '../db/client.ts';
import { createAccount, createApiKey, findApiKey, revokeApiKey } from '../db/repositories/api-keys.ts';
import type { ApiKeyRow } from '../db/repositories/api-keys.ts';
import { createTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { MemoryBus } from '../matcher/bus/memory-bus.ts';
import {
  CachedKeyStore,
  createKey,
  type NewKeyResult,
  randomAlphanumeric,
  subscribeKeyChanges,
} from './key-store.ts';
import { createSecretBox } from './secret-box.ts';

const ed25519 = () => generateKeyPairSync('ed25519');
const payload = Buffer.from('symbol=BTCUSDT&side=BUY&timestamp=1499827319559');
const pem = (key: { export(o: { type: 'spki'; format: 'pem' }): string | Buffer }) =>
  key.export({ type: 'spki', format: 'pem' }).toString();

function created(result: NewKeyResult): { apiKey: string; secretKey?: string } {
  if (!result.ok) throw new Error(`createKey refused: ${result.reason} ${result.detail}`);
  return result;
}

describe('API keys: creation and the cached key store (real Postgres)', () => {
  let database: TestDatabase;
  let client: DatabaseClient;
  let account: number;
  const secretBox = createSecretBox(randomBytes(32));
  let time = 1_000_000;
  const clock = { now: () => time };
  const loads: string[] = [];
  const load = (apiKey: string): Promise<ApiKeyRow | null> => {
    loads.push(apiKey);
    return findApiKey(client.db, apiKey);
  };
  const deps = () => ({ db: client.db, secretBox });

  beforeAll(async () => {
    database = await createTestDatabase();
    client = connect(database.url);
    await client.migrate();
    account = await createAccount(client.db);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await database?.drop();
  });

  it('makes 64 random letters and digits', () => {
    const a = randomAlphanumeric(64);
    expect(a).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(randomAlphanumeric(64)).not.toBe(a);
    expect(new Set(randomAlphanumeric(10_000)).size).toBe(62);
  });

  it('creates an HMAC key whose secret is returned once and stored encrypted', async () => {
    const { apiKey, secretKey } = created(
      await createKey(deps(), { accountId: account, type: 'HMAC_SHA256' }),
    );
    expect(apiKey).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(secretKey).toMatch(/^[A-Za-z0-9]{64}$/);
    const row = (await findApiKey(client.db, apiKey))!;
    expect(row.secretCiphertext).toMatch(/^v1:/);
    expect(row.secretCiphertext).not.toContain(secretKey);
    expect(row).toMatchObject({ permissions: ['TRADE', 'USER_DATA'], ipAllowList: [], publicKey: null });

    const store = new CachedKeyStore({ load, secretBox, clock });
    const key = await store.find(apiKey);
    expect(key).toMatchObject({
      apiKey,
      accountId: account,
      type: 'HMAC_SHA256',
      permissions: ['TRADE', 'USER_DATA'],
      ipAllowList: [],
      revoked: false,
    });
    // The secret decrypted is the one returned: it verifies what that secret signs, and only that.
    if (key?.type !== 'HMAC_SHA256') throw new Error('expected an HMAC key');
    const signedBy = (secret: string) => createHmac('sha256', secret).update(payload).digest();
    expect(await key.verify(payload, signedBy(secretKey!))).toBe(true);
    expect(await key.verify(payload, signedBy(`${secretKey}x`))).toBe(false);
    expect(await key.verify(payload, signedBy(secretKey!).subarray(0, 31))).toBe(false);
  });

  it('creates an Ed25519 key from a PEM public key, with narrowed permissions and an allow list', async () => {
    const { publicKey, privateKey } = ed25519();
    const result = created(
      await createKey(deps(), {
        accountId: account,
        type: 'ED25519',
        publicKey: pem(publicKey),
        permissions: ['USER_DATA'],
        ipAllowList: [' 10.0.0.0/8', '::1'],
      }),
    );
    expect(result).not.toHaveProperty('secretKey');
    const store = new CachedKeyStore({ load, secretBox, clock });
    const key = (await store.find(result.apiKey))!;
    expect(key).toMatchObject({
      type: 'ED25519',
      permissions: ['USER_DATA'],
      ipAllowList: ['10.0.0.0/8', '::1'],
    });
    if (key.type !== 'ED25519') throw new Error('expected an Ed25519 key');
    // The public key is the one given: it verifies what its private key signs, and only that.
    const verifies = (signer: KeyObject) => key.verify(payload, sign(null, payload, signer));
    expect(await verifies(privateKey)).toBe(true);
    expect(await verifies(ed25519().privateKey)).toBe(false);
  });

  it('refuses what it cannot store', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const { privateKey } = ed25519();
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const cases: [Parameters<typeof createKey>[1], string][] = [
      [{ accountId: 999, type: 'HMAC_SHA256' }, 'UNKNOWN_ACCOUNT'],
      [{ accountId: account, type: 'RSA' }, 'INVALID_TYPE'],
      [{ accountId: account, type: 'ED25519' }, 'INVALID_PUBLIC_KEY'],
      [{ accountId: account, type: 'ED25519', publicKey: 'hello' }, 'INVALID_PUBLIC_KEY'],
      [{ accountId: account, type: 'ED25519', publicKey: pem(rsa.publicKey) }, 'INVALID_PUBLIC_KEY'],
      [{ accountId: account, type: 'ED25519', publicKey: privatePem }, 'INVALID_PUBLIC_KEY'],
      [
        { accountId: account, type: 'HMAC_SHA256', publicKey: pem(ed25519().publicKey) },
        'INVALID_PUBLIC_KEY',
      ],
      [{ accountId: account, type: 'HMAC_SHA256', permissions: [] }, 'INVALID_PERMISSIONS'],
      [{ accountId: account, type: 'HMAC_SHA256', permissions: ['WITHDRAW'] }, 'INVALID_PERMISSIONS'],
      [{ accountId: account, type: 'HMAC_SHA256', permissions: ['TRADE', 'TRADE'] }, 'INVALID_PERMISSIONS'],
      [{ accountId: account, type: 'HMAC_SHA256', ipAllowList: ['10.0.0.0/33'] }, 'INVALID_IP_ALLOW_LIST'],
    ];
    for (const [request, reason] of cases) {
      expect(await createKey(deps(), request), JSON.stringify(request)).toMatchObject({ ok: false, reason });
    }
    expect(
      await createKey(deps(), { accountId: account, type: 'ED25519', publicKey: pem(rsa.publicKey) }),
    ).toMatchObject({ detail: 'publicKey is rsa, not Ed25519' });
  });

  it('serves a key from the cache for the TTL, then sees its revocation', async () => {
    const { apiKey } = created(await createKey(deps(), { accountId: account, type: 'HMAC_SHA256' }));
    const store = new CachedKeyStore({ load, secretBox, clock, ttlMs: 2000 });
    loads.length = 0;
    expect((await store.find(apiKey))?.revoked).toBe(false);
    expect(await revokeApiKey(client.db, apiKey)).toBe(true);
    time += 1999;
    expect((await store.find(apiKey))?.revoked).toBe(false); // cached: at most the TTL late
    expect(loads).toEqual([apiKey]);
    time += 1;
    expect((await store.find(apiKey))?.revoked).toBe(true);
    expect(loads).toEqual([apiKey, apiKey]);
  });

  it('forgets a key announced as changed on the bus, known or unknown, before its TTL', async () => {
    const bus = new MemoryBus();
    const [here, there] = [await subscribeKeyChanges(bus), await subscribeKeyChanges(bus)];
    const store = new CachedKeyStore({ load, secretBox, clock, ttlMs: 60_000, unknownTtlMs: 60_000 });
    there.onChange((apiKey) => store.forget(apiKey));
    // Looked up before it exists: remembered as unknown; created and announced elsewhere: found at once.
    const early = randomAlphanumeric(64);
    expect(await store.find(early)).toBeNull();
    await createApiKey(client.db, {
      apiKey: early,
      accountId: account,
      type: 'HMAC_SHA256',
      secretCiphertext: secretBox.encrypt('s'.repeat(64), early),
      permissions: [],
    });
    expect(await store.find(early)).toBeNull();
    await here.announce(early);
    expect((await store.find(early))?.apiKey).toBe(early);
    // Revoked and announced: refused at once, though the TTL is a minute.
    loads.length = 0;
    expect(await revokeApiKey(client.db, early)).toBe(true);
    expect((await store.find(early))?.revoked).toBe(false);
    await here.announce(early);
    expect((await store.find(early))?.revoked).toBe(true);
    expect(loads).toEqual([early]);
    await Promise.all([here.close(), there.close()]);
    await bus.close();
  });

  it('caches nothing a look-up read while its key was forgotten, and later look-ups do not join it', async () => {
    const { apiKey } = created(await createKey(deps(), { accountId: account, type: 'HMAC_SHA256' }));
    // The first look-up reads the row, then waits until released: a revocation lands meanwhile.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const slow = async (key: string) => {
      const row = await load(key);
      if (first) {
        first = false;
        await held;
      }
      return row;
    };
    const store = new CachedKeyStore({ load: slow, secretBox, clock, ttlMs: 60_000 });
    const early = store.find(apiKey);
    await new Promise((resolve) => setTimeout(resolve, 50)); // its query has run
    expect(await revokeApiKey(client.db, apiKey)).toBe(true);
    store.forget(apiKey);
    expect((await store.find(apiKey))?.revoked).toBe(true); // a query of its own, not the early one's
    release();
    expect((await early)?.revoked).toBe(false); // read before the revocation
    expect((await store.find(apiKey))?.revoked).toBe(true); // and not cached over the later answer
  });

  it('remembers unknown keys for a while, in a bounded map', async () => {
    const store = new CachedKeyStore({ load, secretBox, clock, unknownTtlMs: 500, maxUnknown: 3 });
    loads.length = 0;
    const unknown = randomAlphanumeric(64);
    expect(await store.find(unknown)).toBeNull();
    expect(await store.find(unknown)).toBeNull();
    expect(loads).toHaveLength(1);
    time += 500;
    expect(await store.find(unknown)).toBeNull();
    expect(loads).toHaveLength(2);
    for (let i = 0; i < 10; i++) expect(await store.find(randomAlphanumeric(64))).toBeNull();
    expect(store.size.unknown).toBe(3);
  });

  it('sends one query for concurrent look-ups of one key', async () => {
    const { apiKey } = created(await createKey(deps(), { accountId: account, type: 'HMAC_SHA256' }));
    const store = new CachedKeyStore({ load, secretBox, clock });
    loads.length = 0;
    const keys = await Promise.all(Array.from({ length: 10 }, () => store.find(apiKey)));
    expect(loads).toEqual([apiKey]);
    expect(new Set(keys).size).toBe(1);
  });

  it('caches nothing from a failed look-up, and fails loudly under the wrong encryption key', async () => {
    const { apiKey } = created(await createKey(deps(), { accountId: account, type: 'HMAC_SHA256' }));
    let failures = 1;
    const flaky = (key: string) =>
      failures-- > 0 ? Promise.reject(new Error('connection lost')) : load(key);
    const store = new CachedKeyStore({ load: flaky, secretBox, clock });
    await expect(store.find(apiKey)).rejects.toThrow('connection lost');
    expect((await store.find(apiKey))?.accountId).toBe(account);

    const wrongKey = new CachedKeyStore({ load, secretBox: createSecretBox(randomBytes(32)), clock });
    await expect(wrongKey.find(apiKey)).rejects.toThrow(/cannot decrypt/);
    expect(wrongKey.size).toEqual({ known: 0, unknown: 0 });
  });

  it('will not open a secret copied onto another key', async () => {
    const { apiKey } = created(await createKey(deps(), { accountId: account, type: 'HMAC_SHA256' }));
    const stolen = (await findApiKey(client.db, apiKey))!.secretCiphertext!;
    const other = randomAlphanumeric(64);
    await createApiKey(client.db, {
      apiKey: other,
      accountId: account,
      type: 'HMAC_SHA256',
      secretCiphertext: stolen,
      permissions: [],
    });
    const store = new CachedKeyStore({ load, secretBox, clock });
    await expect(store.find(other)).rejects.toThrow(/cannot decrypt/);
  });
});
