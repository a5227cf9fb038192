// The KeyStore adapter (the port is api-key.ts): the cache that serves API keys from Postgres, secrets
// decrypted and verifiers made once per load (node:crypto, synchronous: an HMAC costs ~2 µs where a Web Crypto
// verify is a thread-pool job), and the creation of keys for the admin API.
//
// Caching: a key is read from the database at most once per `ttlMs`; unknown keys are remembered for
// `unknownTtlMs` in a map of bounded size, so that a client repeating a wrong key does not reach Postgres each
// time and random keys cannot grow memory without bound. Concurrent look-ups of one key share one query.
// Every edge hears of a key created or revoked through any edge's admin API (KeyChanges, over the bus's
// Pub/Sub) and forgets its cached entry at once; the TTL (2 s alone, 30 s with announcements) only bounds how
// long an edge that missed an announcement (its Redis connection was down) serves a stale entry.

import {
  createHmac,
  createPublicKey,
  createSecretKey,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
  verify as verifySignature,
} from 'node:crypto';
import type { Database } from '../db/client.ts';
import type { Bus } from '../matcher/bus/bus.ts';
import { accountExists, type ApiKeyRow, type ApiKeyType, createApiKey } from '../db/repositories/api-keys.ts';
import type { ApiKey, KeyStore, Verify } from './api-key.ts';
import type { Clock } from './clock.ts';
import { PERMISSIONS, type Permission } from './context.ts';
import { invalidIpAllowEntries } from './ip-allow-list.ts';
import type { SecretBox } from './secret-box.ts';

export interface CachedKeyStoreOptions {
  /** The repository's look-up (findApiKey over a database). */
  load: (apiKey: string) => Promise<ApiKeyRow | null>;
  secretBox: SecretBox;
  clock: Clock;
  ttlMs?: number;
  unknownTtlMs?: number;
  maxKnown?: number;
  maxUnknown?: number;
}

export class CachedKeyStore implements KeyStore {
  readonly #load: (apiKey: string) => Promise<ApiKeyRow | null>;
  readonly #secretBox: SecretBox;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #unknownTtlMs: number;
  readonly #maxKnown: number;
  readonly #maxUnknown: number;
  readonly #known = new Map<string, { key: ApiKey; expiresAt: number }>();
  /** Unknown keys and until when they count as unknown. */
  readonly #unknown = new Map<string, number>();
  readonly #loading = new Map<string, Promise<ApiKey | null>>();
  /** How many keys were forgotten: a look-up that saw this change while it ran caches nothing. */
  #forgets = 0;

  constructor({
    load,
    secretBox,
    clock,
    ttlMs = 2000,
    unknownTtlMs = 2000,
    maxKnown = 100_000,
    maxUnknown = 10_000,
  }: CachedKeyStoreOptions) {
    for (const [name, value] of Object.entries({ ttlMs, unknownTtlMs, maxKnown, maxUnknown })) {
      if (!Number.isFinite(value) || value < 0) throw new Error(`CachedKeyStore: ${name} must be >= 0`);
    }
    this.#load = load;
    this.#secretBox = secretBox;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#unknownTtlMs = unknownTtlMs;
    this.#maxKnown = maxKnown;
    this.#maxUnknown = maxUnknown;
  }

  find(apiKey: string): Promise<ApiKey | null> {
    const now = this.#clock.now();
    const known = this.#known.get(apiKey);
    if (known !== undefined && known.expiresAt > now) return Promise.resolve(known.key);
    const unknownUntil = this.#unknown.get(apiKey);
    if (unknownUntil !== undefined && unknownUntil > now) return Promise.resolve(null);
    let loading = this.#loading.get(apiKey);
    if (loading === undefined) {
      const started = this.#fetch(apiKey, now).finally(() => {
        if (this.#loading.get(apiKey) === started) this.#loading.delete(apiKey);
      });
      this.#loading.set(apiKey, (loading = started));
    }
    return loading;
  }

  /**
   * Drops what is cached of `apiKey` (known or unknown): the next look-up reads the database. A look-up already
   * running may have read the row from before the change: later look-ups do not join it, and what it read is
   * not cached.
   */
  forget(apiKey: string): void {
    this.#known.delete(apiKey);
    this.#unknown.delete(apiKey);
    this.#loading.delete(apiKey);
    this.#forgets++;
  }

  /** Entries held now (for tests and metrics). */
  get size(): { known: number; unknown: number } {
    return { known: this.#known.size, unknown: this.#unknown.size };
  }

  // Lifetimes count from the start of the query: a revocation committed while it ran is seen within the TTL.
  async #fetch(apiKey: string, started: number): Promise<ApiKey | null> {
    const forgets = this.#forgets;
    const row = await this.#load(apiKey);
    if (forgets !== this.#forgets) return row === null ? null : toApiKey(row, this.#secretBox);
    if (row === null) {
      this.#known.delete(apiKey);
      remember(this.#unknown, apiKey, started + this.#unknownTtlMs, this.#maxUnknown);
      return null;
    }
    const key = await toApiKey(row, this.#secretBox);
    this.#unknown.delete(apiKey);
    remember(this.#known, apiKey, { key, expiresAt: started + this.#ttlMs }, this.#maxKnown);
    return key;
  }
}

/** Key changes announced to every edge: an edge that changed a key says so, every edge forgets its entry. */
export interface KeyChanges {
  /** Tells every edge (this one too) that `apiKey` was created or revoked. Best effort: never throws. */
  announce(apiKey: string): Promise<void>;
  /** Calls `listener` with every key announced from now on. */
  onChange(listener: (apiKey: string) => void): void;
  close(): Promise<void>;
}

export const KEY_CHANGES_CHANNEL = 'keys:changed';

/** KeyChanges over a Pub/Sub channel (the bus's; Redis in a split deployment, in-process when embedded). */
export async function subscribeKeyChanges(
  bus: Pick<Bus, 'publish' | 'subscribe'>,
  onError: (error: unknown) => void = () => {},
): Promise<KeyChanges> {
  const listeners = new Set<(apiKey: string) => void>();
  const unsubscribe = await bus.subscribe(KEY_CHANGES_CHANNEL, (apiKey) => {
    for (const listener of listeners) listener(apiKey);
  });
  return {
    // Missed by an edge, the change still reaches it within its key cache's TTL.
    announce: (apiKey) => bus.publish(KEY_CHANGES_CHANNEL, apiKey).catch(onError),
    onChange: (listener) => void listeners.add(listener),
    close: unsubscribe,
  };
}

/** Sets `key` as the newest entry; the oldest go when the map is over `max`. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= max) break;
    map.delete(oldest);
  }
}

/** A stored key ready to verify signatures: the secret decrypted or the public key parsed. Rejects bad data. */
export async function toApiKey(row: ApiKeyRow, secretBox: SecretBox): Promise<ApiKey> {
  const unknown = row.permissions.filter((p) => !PERMISSIONS.includes(p as Permission));
  if (unknown.length > 0)
    throw new Error(`API key ${row.apiKey.slice(0, 8)}…: unknown permissions ${unknown}`);
  const common = {
    apiKey: row.apiKey,
    accountId: row.accountId,
    permissions: row.permissions.length === 0 ? PERMISSIONS : (row.permissions as Permission[]),
    ipAllowList: row.ipAllowList,
    revoked: row.revokedAt !== null,
  };
  if (row.type === 'HMAC_SHA256') {
    if (row.secretCiphertext === null) throw new Error(`HMAC key ${row.apiKey.slice(0, 8)}… has no secret`);
    return {
      ...common,
      type: row.type,
      verify: hmacVerifier(secretBox.decrypt(row.secretCiphertext, row.apiKey)),
    };
  }
  const parsed = parseEd25519PublicKey(row.publicKey ?? '');
  if (typeof parsed === 'string') throw new Error(`API key ${row.apiKey.slice(0, 8)}…: ${parsed}`);
  return { ...common, type: row.type, verify: ed25519Verifier(parsed) };
}

/** HMAC-SHA256 with the secret's UTF-8 bytes (as clients sign), compared in constant time. */
export function hmacVerifier(secret: string): Verify {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return (payload, signature) =>
    signature.length === 32 && timingSafeEqual(createHmac('sha256', key).update(payload).digest(), signature);
}

/** Ed25519 with the public key. */
export function ed25519Verifier(publicKey: KeyObject): Verify {
  return (payload, signature) =>
    signature.length === 64 && verifySignature(null, payload, publicKey, signature);
}

/** The key, or why the text is not an Ed25519 public key in PEM. */
export function parseEd25519PublicKey(pem: string): KeyObject | string {
  if (!pem.includes('-----BEGIN PUBLIC KEY-----') || pem.includes('PRIVATE')) {
    return 'publicKey must be a PEM public key (-----BEGIN PUBLIC KEY-----), never a private key';
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    return 'publicKey is not a valid PEM public key';
  }
  return key.asymmetricKeyType === 'ed25519' ? key : `publicKey is ${key.asymmetricKeyType}, not Ed25519`;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` uniformly random letters and digits (Binance's API keys and secrets are 64 of them). */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      // 248 = 4 × 62: bytes above it would favour the first characters.
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}

export const API_KEY_LENGTH = 64;

export interface NewKeyRequest {
  accountId: number;
  /** HMAC_SHA256 or ED25519. */
  type: string;
  /** ED25519 only: the client's public key, PEM. */
  publicKey?: string;
  /** Default: TRADE and USER_DATA. */
  permissions?: readonly string[];
  ipAllowList?: readonly string[];
}

export type NewKeyResult =
  /** `secretKey` (HMAC keys) is shown this once; only its ciphertext is stored. */
  | { ok: true; apiKey: string; secretKey?: string }
  | {
      ok: false;
      reason:
        | 'UNKNOWN_ACCOUNT'
        | 'INVALID_TYPE'
        | 'INVALID_PUBLIC_KEY'
        | 'INVALID_PERMISSIONS'
        | 'INVALID_IP_ALLOW_LIST';
      detail: string;
    };

export interface NewKeyDeps {
  db: Database;
  secretBox: SecretBox;
  /** Key and secret strings (default: randomAlphanumeric). */
  randomString?: (length: number) => string;
}

/** Creates an API key for the admin API: HMAC (a secret generated and returned once) or Ed25519 (public key). */
export async function createKey(deps: NewKeyDeps, request: NewKeyRequest): Promise<NewKeyResult> {
  const random = deps.randomString ?? randomAlphanumeric;
  const type = request.type as ApiKeyType;
  if (type !== 'HMAC_SHA256' && type !== 'ED25519') {
    return { ok: false, reason: 'INVALID_TYPE', detail: 'type must be HMAC_SHA256 or ED25519' };
  }
  const permissions = request.permissions ?? PERMISSIONS;
  const badPermission = permissions.find((p) => !PERMISSIONS.includes(p as Permission));
  if (
    permissions.length === 0 ||
    badPermission !== undefined ||
    new Set(permissions).size < permissions.length
  ) {
    const detail = `permissions must be a non-empty set of ${PERMISSIONS.join(', ')}`;
    return { ok: false, reason: 'INVALID_PERMISSIONS', detail };
  }
  const ipAllowList = request.ipAllowList ?? [];
  const badEntries = invalidIpAllowEntries(ipAllowList);
  if (badEntries.length > 0) {
    const detail = `not an IP address or CIDR block: ${badEntries.join(', ')}`;
    return { ok: false, reason: 'INVALID_IP_ALLOW_LIST', detail };
  }
  let publicKey: string | undefined;
  if (type === 'ED25519') {
    const parsed = parseEd25519PublicKey(request.publicKey ?? '');
    if (typeof parsed === 'string') return { ok: false, reason: 'INVALID_PUBLIC_KEY', detail: parsed };
    publicKey = parsed.export({ type: 'spki', format: 'pem' }).toString();
  } else if (request.publicKey !== undefined) {
    return { ok: false, reason: 'INVALID_PUBLIC_KEY', detail: 'an HMAC key takes no publicKey' };
  }
  if (!(await accountExists(deps.db, request.accountId))) {
    return { ok: false, reason: 'UNKNOWN_ACCOUNT', detail: `no account ${request.accountId}` };
  }
  const apiKey = random(API_KEY_LENGTH);
  const secretKey = type === 'HMAC_SHA256' ? random(64) : undefined;
  await createApiKey(deps.db, {
    apiKey,
    accountId: request.accountId,
    type,
    ...(secretKey === undefined
      ? { publicKey }
      : { secretCiphertext: deps.secretBox.encrypt(secretKey, apiKey) }),
    permissions: [...permissions],
    ipAllowList: ipAllowList.map((entry) => entry.trim()),
  });
  return secretKey === undefined ? { ok: true, apiKey } : { ok: true, apiKey, secretKey };
}
