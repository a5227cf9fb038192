// An API key as the signed-request middleware needs it (the KeyStore port hands these out), with its
// verification key as a Web Crypto CryptoKey, imported once by whoever loads the key: web-standard APIs only,
// so the app that verifies signatures runs on any runtime.

import type { Permission } from './context.ts';

/** Web Crypto's key, typed from the global (the project's TypeScript lib has no DOM types to name it). */
export type CryptoKey = InstanceType<typeof globalThis.CryptoKey>;

export type ApiKey = {
  apiKey: string;
  accountId: number;
  /** What the key may do (a key stored without permissions may do everything). */
  permissions: readonly Permission[];
  /** Addresses and CIDR blocks it may be used from; empty: any. */
  ipAllowList: readonly string[];
  revoked: boolean;
} & (
  | { type: 'HMAC_SHA256'; /** HMAC-SHA256, usage 'verify' (importHmacSecret). */ secret: CryptoKey }
  | { type: 'ED25519'; /** Ed25519, usage 'verify' (importEd25519PublicKey). */ publicKey: CryptoKey }
);

export interface KeyStore {
  /** The key, revoked ones included; null when there is no such key. */
  find(apiKey: string): Promise<ApiKey | null>;
}

/** An HMAC secret (the UTF-8 bytes of the text, as clients sign with it) as a key that can only verify. */
export function importHmacSecret(secret: string): Promise<CryptoKey> {
  const bytes = new TextEncoder().encode(secret);
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
}

/** An Ed25519 public key in SPKI (DER) as a key that can only verify. */
export function importEd25519PublicKey(spki: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('spki', spki, { name: 'Ed25519' }, false, ['verify']);
}
