import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { int53 } from './columns.ts';

/**
 * API keys: HMAC keys keep their secret encrypted (API_SECRET_ENCRYPTION_KEY), Ed25519 keys their public key
 * (PEM), never both. `permissions` narrows what the key may do (trading and reading when empty);
 * `ip_allow_list` the client addresses it may be used from (addresses or CIDR blocks; any address when empty).
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    apiKey: text('api_key').primaryKey(),
    accountId: int53('account_id')
      .notNull()
      .references(() => accounts.id),
    type: text('type', { enum: ['HMAC_SHA256', 'ED25519'] }).notNull(),
    secretCiphertext: text('secret_ciphertext'),
    publicKey: text('public_key'),
    permissions: text('permissions').array().notNull().default([]),
    ipAllowList: text('ip_allow_list').array().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => {
    const hmac = sql`${t.type} = 'HMAC_SHA256' and ${t.secretCiphertext} is not null and ${t.publicKey} is null`;
    const ed25519 = sql`${t.type} = 'ED25519' and ${t.publicKey} is not null and ${t.secretCiphertext} is null`;
    return [
      index('api_keys_by_account').on(t.accountId),
      check('api_keys_key_material', sql`(${hmac}) or (${ed25519})`),
    ];
  },
);
