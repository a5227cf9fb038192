// HMAC secrets at rest: AES-256-GCM under a 32-byte key (API_SECRET_ENCRYPTION_KEY). A ciphertext is
// `v1:<iv>:<tag>:<ciphertext>` (base64 each, a fresh 12-byte IV per secret, 16-byte tag), so the format can move
// on without guessing. The associated data binds a ciphertext to its row (the API key): copied onto another
// key's row, it no longer decrypts.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Where the generated key lives under DATA_DIR when API_SECRET_ENCRYPTION_KEY is unset. */
export const KEY_FILE_NAME = 'api-secret-encryption.key';

export interface SecretBox {
  encrypt(plaintext: string, associatedData?: string): string;
  /** Throws when the key is wrong, the data was altered or the associated data differs. */
  decrypt(ciphertext: string, associatedData?: string): string;
}

/**
 * The key from its text: 64 hex characters (`openssl rand -hex 32`) or base64 (standard or URL-safe) of 32
 * bytes. `source` names where it came from in the error, which never repeats the value.
 */
export function parseEncryptionKey(text: string, source = 'API_SECRET_ENCRYPTION_KEY'): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value, 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  throw new Error(
    `${source} must be a 32-byte key given as 64 hex characters or as base64 ` +
      `(generate one with: openssl rand -hex 32); got ${value.length} characters that are neither`,
  );
}

export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== KEY_BYTES)
    throw new Error(`a secret box needs a ${KEY_BYTES}-byte key, got ${key.length}`);
  const secretKey = Buffer.from(key);
  return {
    encrypt(plaintext, associatedData = '') {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', secretKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64'));
      return [VERSION, ...parts].join(':');
    },
    decrypt(box, associatedData = '') {
      const parts = box.split(':');
      if (parts[0] !== VERSION || parts.length !== 4) {
        throw new Error(`not a ${VERSION} secret box (it starts with '${parts[0]?.slice(0, 8) ?? ''}')`);
      }
      const [iv, tag, ciphertext] = parts.slice(1).map((p) => Buffer.from(p, 'base64')) as [
        Buffer,
        Buffer,
        Buffer,
      ];
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('a malformed secret box');
      try {
        const decipher = createDecipheriv('aes-256-gcm', secretKey, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(associatedData, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new Error(
          'cannot decrypt an API secret: API_SECRET_ENCRYPTION_KEY is not the key it was stored under, ' +
            'or the stored value was altered',
          { cause },
        );
      }
    },
  };
}

/**
 * For when API_SECRET_ENCRYPTION_KEY is unset (development, the embedded mode): the key kept in
 * `<dataDir>/api-secret-encryption.key` (hex, mode 0600), generated at the first start. The file appears whole
 * or not at all (written aside, then linked into place), and two processes starting at once agree on one key.
 */
export function loadOrCreateEncryptionKey(dataDir: string): { key: Buffer; generated: boolean } {
  const path = join(dataDir, KEY_FILE_NAME);
  const existing = readKeyFile(path);
  if (existing) return { key: existing, generated: false };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  const aside = join(dataDir, `.${KEY_FILE_NAME}.${process.pid}.${randomBytes(4).toString('hex')}`);
  const fd = openSync(aside, 'wx', 0o600);
  try {
    writeSync(fd, `${key.toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(aside, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { key: readKeyFile(path)!, generated: false }; // another process was first
  } finally {
    unlinkSync(aside);
  }
  return { key, generated: true };
}

function readKeyFile(path: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return parseEncryptionKey(text, path);
}
