// Accounts and API keys on the real Postgres (a database of its own) and on PGlite: ids handed out once each
// under concurrency, key rows as stored, the key-material constraint, listing without secrets, revocation.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseClient } from '../client.ts';
import { DRIVERS, openTestDatabase } from '../test-database.ts';
import {
  accountExists,
  createAccount,
  createApiKey,
  findApiKey,
  listApiKeys,
  type NewApiKey,
  revokeApiKey,
} from './api-keys.ts';

const key = (n: number) => `k${String(n).padStart(63, '0')}`;

describe.each(DRIVERS)('api-keys repository on %s', (kind) => {
  let client: DatabaseClient;

  beforeAll(async () => {
    client = await openTestDatabase(kind);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
  });

  it('hands out account ids from 1, each once, also to concurrent creations', async () => {
    expect(await createAccount(client.db)).toBe(1);
    expect(await createAccount(client.db)).toBe(2);
    const ids = await Promise.all(Array.from({ length: 30 }, () => createAccount(client.db)));
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 3));
    expect(await accountExists(client.db, 32)).toBe(true);
    expect(await accountExists(client.db, 33)).toBe(false);
  });

  it('stores HMAC and Ed25519 keys and finds them by key', async () => {
    const hmac = await createApiKey(client.db, {
      apiKey: key(1),
      accountId: 1,
      type: 'HMAC_SHA256',
      secretCiphertext: 'v1:iv:tag:ct',
      permissions: ['TRADE'],
      ipAllowList: ['10.0.0.0/8', '::1'],
    });
    expect(hmac).toMatchObject({
      apiKey: key(1),
      accountId: 1,
      type: 'HMAC_SHA256',
      secretCiphertext: 'v1:iv:tag:ct',
      publicKey: null,
      permissions: ['TRADE'],
      ipAllowList: ['10.0.0.0/8', '::1'],
      revokedAt: null,
    });
    expect(hmac.createdAt).toBeInstanceOf(Date);
    await createApiKey(client.db, {
      apiKey: key(2),
      accountId: 1,
      type: 'ED25519',
      publicKey: 'PEM',
      permissions: [],
    });
    expect(await findApiKey(client.db, key(1))).toEqual(hmac);
    expect(await findApiKey(client.db, key(2))).toMatchObject({
      type: 'ED25519',
      publicKey: 'PEM',
      secretCiphertext: null,
      permissions: [],
      ipAllowList: [],
    });
    expect(await findApiKey(client.db, key(99))).toBeNull();
  });

  it('refuses key material that does not fit the type, and unknown accounts', async () => {
    const base = { accountId: 2, permissions: [] } as const;
    const refused: NewApiKey[] = [
      { ...base, apiKey: key(10), type: 'HMAC_SHA256' },
      { ...base, apiKey: key(11), type: 'HMAC_SHA256', secretCiphertext: 'x', publicKey: 'PEM' },
      { ...base, apiKey: key(12), type: 'ED25519' },
      { ...base, apiKey: key(13), type: 'ED25519', publicKey: 'PEM', secretCiphertext: 'x' },
      { ...base, apiKey: key(14), accountId: 999, type: 'ED25519', publicKey: 'PEM' },
    ];
    for (const k of refused) await expect(createApiKey(client.db, k), k.apiKey).rejects.toThrow();
    expect(await listApiKeys(client.db, 2)).toEqual([]);
  });

  it('lists an account’s keys oldest first, without secrets', async () => {
    const listed = await listApiKeys(client.db, 1);
    expect(listed.map((k) => k.apiKey)).toEqual([key(1), key(2)]);
    for (const k of listed) expect(k).not.toHaveProperty('secretCiphertext');
    expect(listed[1]).toMatchObject({ type: 'ED25519', publicKey: 'PEM' });
    expect(await listApiKeys(client.db, 3)).toEqual([]);
  });

  it('revokes a key once', async () => {
    expect(await revokeApiKey(client.db, key(1))).toBe(true);
    expect(await revokeApiKey(client.db, key(1))).toBe(false);
    expect(await revokeApiKey(client.db, key(99))).toBe(false);
    expect((await findApiKey(client.db, key(1)))?.revokedAt).toBeInstanceOf(Date);
    expect((await findApiKey(client.db, key(2)))?.revokedAt).toBeNull();
    expect((await listApiKeys(client.db, 1))[0]?.revokedAt).toBeInstanceOf(Date);
  });
});
