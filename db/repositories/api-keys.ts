// Accounts and their API keys, as stored: an HMAC key's secret encrypted (the caller seals and opens it), an
// Ed25519 key's public key as PEM, permissions, an IP allow list, revocation. Queries only: key strings,
// secrets and validation come from the caller (edge/key-store.ts).

import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { type Database, rowsOf } from '../client.ts';
import { accounts, apiKeys } from '../schema/index.ts';

export type ApiKeyType = 'HMAC_SHA256' | 'ED25519';

export interface ApiKeyRow {
  apiKey: string;
  accountId: number;
  type: ApiKeyType;
  /** HMAC keys only: the secret as the secret box sealed it. */
  secretCiphertext: string | null;
  /** Ed25519 keys only: the public key, PEM (SPKI). */
  publicKey: string | null;
  /** Empty: every permission. */
  permissions: string[];
  /** Addresses or CIDR blocks; empty: any address. */
  ipAllowList: string[];
  createdAt: Date;
  revokedAt: Date | null;
}

/** What a listing shows: everything but the secret. */
export type ApiKeySummary = Omit<ApiKeyRow, 'secretCiphertext'>;

export interface NewApiKey {
  apiKey: string;
  accountId: number;
  type: ApiKeyType;
  secretCiphertext?: string;
  publicKey?: string;
  permissions: readonly string[];
  ipAllowList?: readonly string[];
}

// Account ids are plain bigints (the matcher's accounts are numbers the edge hands out), so the next id is
// max + 1; two creations racing for one id meet at the primary key, the loser inserts nothing and tries again.
const CREATE_ACCOUNT_ATTEMPTS = 50;

/** A new account; its id is the next free one, from 1. */
export async function createAccount(db: Database): Promise<number> {
  for (let attempt = 0; attempt < CREATE_ACCOUNT_ATTEMPTS; attempt++) {
    const rows = await rowsOf(
      db,
      sql`insert into accounts (id) select coalesce(max(id), 0) + 1 from accounts
          on conflict (id) do nothing returning id`,
    );
    if (rows.length === 1) return Number(rows[0]!.id);
  }
  throw new Error(`no account id after ${CREATE_ACCOUNT_ATTEMPTS} attempts: too many concurrent creations`);
}

export async function accountExists(db: Database, accountId: number): Promise<boolean> {
  const rows = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, accountId)).limit(1);
  return rows.length === 1;
}

/** Stores a key; the database refuses key material that does not fit the type (api_keys_key_material). */
export async function createApiKey(db: Database, key: NewApiKey): Promise<ApiKeyRow> {
  const [row] = await db
    .insert(apiKeys)
    .values({
      apiKey: key.apiKey,
      accountId: key.accountId,
      type: key.type,
      secretCiphertext: key.secretCiphertext ?? null,
      publicKey: key.publicKey ?? null,
      permissions: [...key.permissions],
      ipAllowList: [...(key.ipAllowList ?? [])],
    })
    .returning();
  return row!;
}

/** The key, revoked or not; null when there is no such key. */
export async function findApiKey(db: Database, apiKey: string): Promise<ApiKeyRow | null> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.apiKey, apiKey)).limit(1);
  return row ?? null;
}

/** The account's keys, revoked ones included, oldest first. */
export async function listApiKeys(db: Database, accountId: number): Promise<ApiKeySummary[]> {
  return db
    .select({
      apiKey: apiKeys.apiKey,
      accountId: apiKeys.accountId,
      type: apiKeys.type,
      publicKey: apiKeys.publicKey,
      permissions: apiKeys.permissions,
      ipAllowList: apiKeys.ipAllowList,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.accountId, accountId))
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.apiKey));
}

/** Revokes the key; false when there is no such key or it was revoked already. */
export async function revokeApiKey(db: Database, apiKey: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.apiKey, apiKey), isNull(apiKeys.revokedAt)))
    .returning({ apiKey: apiKeys.apiKey });
  return rows.length === 1;
}
