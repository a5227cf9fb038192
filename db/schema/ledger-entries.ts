import { bigserial, index, pgTable, text } from 'drizzle-orm/pg-core';
import { int53, units } from './columns.ts';

/**
 * Every change of an account's total balance of an asset, with its cause: deposits, withdrawals, and each
 * side of each trade (what it paid, what it received, the fee). Moves between free and locked are not here.
 */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: int53('account_id').notNull(),
    asset: text('asset').notNull(),
    /** Signed, in units of 1e-8. */
    amount: units('amount').notNull(),
    cause: text('cause', { enum: ['DEPOSIT', 'WITHDRAWAL', 'TRADE', 'FEE'] }).notNull(),
    /** The trade for TRADE and FEE entries. */
    tradeId: int53('trade_id'),
    /** The matcher's command sequence number that made the change. */
    seq: int53('seq').notNull(),
    time: int53('time').notNull(),
  },
  (t) => [index('ledger_by_account_asset').on(t.accountId, t.asset, t.id)],
);
