// Commission rates as Binance reports them (GET /api/v3/account, /account/commission, order/test with
// computeCommissionRates), from the fee tiers the matcher committed to Postgres and the market's own fees.
// Fees are fractions in units of 1e-8 (100000 = 0.1 %): decimal strings at the API ("0.00100000"), and basis
// points in the account's integer fields.

import type { AccountFeeTier } from '../db/repositories/account-reads.ts';
import type { MarketDefinition } from '../matcher/core/index.ts';
import { formatUnits } from './money.ts';

export type { AccountFeeTier } from '../db/repositories/account-reads.ts';

/** The fee-tier reads (db/repositories/account-reads.ts bound to a database). */
export interface FeeReads {
  /** The account's tier for `symbol` and its account-wide tier; only the latter without `symbol`. */
  accountFeeTiers(accountId: number, symbol?: string): Promise<AccountFeeTier[]>;
}

/** Maker and taker fees, fractions in units of 1e-8. */
export interface Fees {
  makerFee: number;
  takerFee: number;
}

/**
 * The fees the account pays on the market, in the order matcher/core/fees.ts `feesOf` resolves them: its tier
 * for that market, else its account-wide tier, else the market's own fees.
 */
export function effectiveFees(tiers: readonly AccountFeeTier[], market: MarketDefinition): Fees {
  const tier =
    tiers.find((t) => t.symbol === market.symbol) ?? tiers.find((t) => t.symbol === undefined) ?? market;
  return { makerFee: tier.makerFee, takerFee: tier.takerFee };
}

/** A fee as Binance's decimal rate: 100000 -> "0.00100000". */
export const rateText = (fee: number): string => formatUnits(BigInt(fee));

/**
 * A fee in Binance's integer commission fields, basis points (10 = 0.1 %). A fee between two basis points
 * (0.075 % is 7.5) rounds up, as the core rounds charged fees up: the integer never understates the fee; the
 * decimal rates carry it exactly.
 */
export const basisPoints = (fee: number): number => Math.ceil(fee / 10_000);

const ZERO = rateText(0);

/** Binance's tax commission: none here. */
export const NO_TAX = { maker: ZERO, taker: ZERO, buyer: ZERO, seller: ZERO };

/** No commission discount (Binance's BNB discount) on this exchange. */
export const NO_DISCOUNT = {
  enabledForAccount: false,
  enabledForSymbol: false,
  discountAsset: 'BNB',
  discount: ZERO,
};

/**
 * Binance's standard commission: maker and taker rates, and the extra rates buyers and sellers pay on top of
 * them (none here: the buyer pays the maker or taker rate in the base asset, the seller in the quote asset).
 */
export const standardCommission = (fees: Fees) => ({
  maker: rateText(fees.makerFee),
  taker: rateText(fees.takerFee),
  buyer: ZERO,
  seller: ZERO,
});
