import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { int53 } from './columns.ts';

/**
 * API keys: HMAC keys keep their secret encrypted (API_SECRET_ENCRYPTION_KEY), Ed25519 keys their public key.
 * `permissions` narrows what the key may do (trading and reading when empty).
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
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('api_keys_by_account').on(t.accountId)],
);
