// Fee tiers: an account's own maker and taker fees, for one market or for all of them. Zero-fee accounts are a
// tier of 0 and 0. The matching loop asks `feesOf` once per taker and once per maker fill; an account without
// tiers costs it one null check.

import type { SetAccountFees } from './commands.ts';
import { isFraction, isPositiveInt } from './money.ts';
import { ResultCode } from './result-codes.ts';
import type { CommandResult } from './results.ts';
import { accountOf, type Tx } from './risk.ts';
import { type Account, type ExchangeState, type FeeTier, type Market, marketOf } from './state.ts';

/** The fees an account pays on a market: its market tier, else its account tier, else the market's fees. */
export function feesOf(account: Account, market: Market): FeeTier {
  if (account.marketFeeTiers !== null) {
    const tier = account.marketFeeTiers[market.index];
    if (tier !== undefined) return tier;
  }
  return account.feeTier ?? market.definition;
}

export function setAccountFees(tx: Tx, cmd: SetAccountFees): CommandResult {
  if (!isPositiveInt(cmd.accountId)) return { code: ResultCode.INVALID_ACCOUNT };
  const remove = cmd.makerFee === null && cmd.takerFee === null;
  if (!remove && !(isFraction(cmd.makerFee) && isFraction(cmd.takerFee))) {
    return {
      code: ResultCode.PARAMETER_REQUIRED,
      detail: 'makerFee and takerFee must both be fractions, or both null',
    };
  }
  let market: Market | undefined;
  if (cmd.symbol !== undefined) {
    market = marketOf(tx.state, cmd.symbol);
    if (market === undefined) return { code: ResultCode.UNKNOWN_SYMBOL };
  }
  const account = accountOf(tx.state, cmd.accountId);
  const tier: FeeTier | undefined = remove ? undefined : { makerFee: cmd.makerFee!, takerFee: cmd.takerFee! };
  if (market === undefined) {
    account.feeTier = tier ?? null;
  } else {
    account.marketFeeTiers ??= [];
    account.marketFeeTiers[market.index] = tier;
  }
  tx.emit({
    type: 'accountFeesSet',
    accountId: account.id,
    symbol: market?.symbol,
    makerFee: tier?.makerFee ?? null,
    takerFee: tier?.takerFee ?? null,
  });
  return { code: ResultCode.OK };
}

/** Every tier, for snapshots and hashes: account-wide ones with no symbol. */
export function feeTiersOf(
  state: ExchangeState,
): { accountId: number; symbol?: string; makerFee: number; takerFee: number }[] {
  const tiers: { accountId: number; symbol?: string; makerFee: number; takerFee: number }[] = [];
  for (const account of [...state.accountList].sort((a, b) => a.id - b.id)) {
    if (account.feeTier !== null) tiers.push({ accountId: account.id, ...account.feeTier });
    account.marketFeeTiers?.forEach((tier, mi) => {
      if (tier !== undefined)
        tiers.push({ accountId: account.id, symbol: state.marketList[mi]!.symbol, ...tier });
    });
  }
  return tiers;
}
