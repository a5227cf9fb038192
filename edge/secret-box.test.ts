import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createSecretBox,
  KEY_FILE_NAME,
  loadOrCreateEncryptionKey,
  parseEncryptionKey,
} from './secret-box.ts';

const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

describe('parseEncryptionKey', () => {
  const key = randomBytes(32);

  it('reads 64 hex characters, standard and URL-safe base64, around whitespace', () => {
    expect(parseEncryptionKey(key.toString('hex'))).toEqual(key);
    expect(parseEncryptionKey(key.toString('hex').toUpperCase())).toEqual(key);
    expect(parseEncryptionKey(` ${key.toString('base64')}\n`)).toEqual(key);
    expect(parseEncryptionKey(key.toString('base64url'))).toEqual(key);
  });

  it('refuses anything else with a clear error that does not repeat the value', () => {
    for (const bad of [
      '',
      'abc',
      key.toString('hex').slice(2),
      randomBytes(16).toString('base64'),
      'x'.repeat(64),
    ]) {
      expect(() => parseEncryptionKey(bad)).toThrow(/API_SECRET_ENCRYPTION_KEY must be a 32-byte key/);
    }
    expect(() => parseEncryptionKey('not-the-key-but-secretish')).toThrow(/^((?!secretish).)*$/);
  });
});

describe('createSecretBox', () => {
  const box = createSecretBox(randomBytes(32));

  it('round-trips a secret in the versioned format, with a fresh IV each time', () => {
    const a = box.encrypt(SECRET, 'key-1');
    const b = box.encrypt(SECRET, 'key-1');
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(SECRET);
    expect(box.decrypt(a, 'key-1')).toBe(SECRET);
    expect(box.decrypt(b, 'key-1')).toBe(SECRET);
  });

  it('refuses another key, altered data, other associated data and unknown versions', () => {
    const sealed = box.encrypt(SECRET, 'key-1');
    expect(() => createSecretBox(randomBytes(32)).decrypt(sealed, 'key-1')).toThrow(/cannot decrypt/);
    expect(() => box.decrypt(sealed, 'key-2')).toThrow(/cannot decrypt/);
    const [v, iv, tag, ct] = sealed.split(':') as [string, string, string, string];
    const flipped = Buffer.from(ct, 'base64');
    flipped[0]! ^= 1;
    expect(() => box.decrypt([v, iv, tag, flipped.toString('base64')].join(':'), 'key-1')).toThrow(
      /cannot decrypt/,
    );
    expect(() => box.decrypt(['v2', iv, tag, ct].join(':'), 'key-1')).toThrow(/not a v1 secret box/);
    expect(() => box.decrypt(`v1:${iv}:${tag}`, 'key-1')).toThrow(/not a v1 secret box/);
    expect(() => box.decrypt(['v1', 'AAAA', tag, ct].join(':'), 'key-1')).toThrow(/malformed/);
  });

  it('wants a 32-byte key', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32-byte key/);
  });
});

describe('loadOrCreateEncryptionKey', () => {
  const root = mkdtempSync(join(tmpdir(), 'secret-box-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('generates a key at the first start (file mode 0600), then reads the same key back', () => {
    const dataDir = join(root, 'data', 'nested');
    const first = loadOrCreateEncryptionKey(dataDir);
    expect(first.generated).toBe(true);
    expect(first.key).toHaveLength(32);
    const file = join(dataDir, KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(`${first.key.toString('hex')}\n`);
    expect(readdirSync(dataDir)).toEqual([KEY_FILE_NAME]); // nothing left aside

    const again = loadOrCreateEncryptionKey(dataDir);
    expect(again).toEqual({ key: first.key, generated: false });
    const box = createSecretBox(first.key);
    expect(createSecretBox(again.key).decrypt(box.encrypt(SECRET))).toBe(SECRET);
  });

  it('names the file when its content is not a key', () => {
    const dataDir = join(root, 'broken');
    loadOrCreateEncryptionKey(dataDir);
    writeFileSync(join(dataDir, KEY_FILE_NAME), 'garbage\n');
    expect(() => loadOrCreateEncryptionKey(dataDir)).toThrow(
      `${join(dataDir, KEY_FILE_NAME)} must be a 32-byte`,
    );
  });
});
