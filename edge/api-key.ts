// An API key as the signed-request middleware needs it (the KeyStore port hands these out), with the function
// that checks its signatures, made once by whoever loads the key. The app itself does no cryptography: it
// decodes the signature and hands it over, so it stays web-standard while the Node adapter (key-store.ts)
// verifies synchronously with node:crypto (Web Crypto's verify is a thread-pool job per call, ~10 % of an
// edge's CPU under load).

import type { Permission } from './context.ts';

/**
 * Whether `signature` (raw bytes: the HMAC's 32, Ed25519's 64) is the key's signature of `payload`, comparing
 * in constant time.
 */
export type Verify = (payload: Uint8Array, signature: Uint8Array) => boolean | Promise<boolean>;

export type ApiKey = {
  apiKey: string;
  accountId: number;
  /** What the key may do (a key stored without permissions may do everything). */
  permissions: readonly Permission[];
  /** Addresses and CIDR blocks it may be used from; empty: any. */
  ipAllowList: readonly string[];
  revoked: boolean;
  type: 'HMAC_SHA256' | 'ED25519';
  verify: Verify;
};

export interface KeyStore {
  /** The key, revoked ones included; null when there is no such key. */
  find(apiKey: string): Promise<ApiKey | null>;
}
