// Invariants and fingerprints of a whole state, for tests, recovery checks and operators. Neither is on the
// hot path: both walk everything.

import { feeTiersOf } from './fees.ts';
import { clientKey, openOrdersOf } from './open-orders.ts';
import { movedAgainst, triggersOnRise, wouldTrigger } from './stop-rules.ts';
import { trailingProblems, trailingSlots } from './trailing.ts';
import { BUY, bestOf, isStop, NEW, NONE, PARTIALLY_FILLED, SELL, STATUSES } from './order-store.ts';
import { heldBy } from './risk.ts';
import type { ExchangeState } from './state.ts';

const SIDES = [BUY, SELL] as const;

/** Every broken invariant of the state, in words; empty when it is sound. */
export function validate(state: ExchangeState): string[] {
  const s = state.store;
  const problems: string[] = [];
  // What open orders hold, per account and asset, must be exactly what is locked.
  const held = new Map<string, bigint>();
  let open = 0;
  for (const market of state.marketList) {
    const book = market.book;
    problems.push(...book.validate().map((p) => `${market.symbol}: ${p}`));
    /** Adds what the open order in `o` holds to its account's total for the asset it holds. */
    const holds = (o: number) => {
      const asset = s.side(o) === BUY ? market.quote : market.base;
      const key = `${state.accountList[s.account(o)]!.id}:${asset.index}`;
      held.set(key, (held.get(key) ?? 0n) + heldBy(state, o));
    };
    const bid = book.best(BUY);
    const ask = book.best(SELL);
    if (bid !== NONE && ask !== NONE && s.price(bid) >= s.price(ask)) {
      problems.push(`${market.symbol}: crossed book, bid ${s.price(bid)} >= ask ${s.price(ask)}`);
    }
    for (const side of SIDES) {
      for (const o of book.orders(side)) {
        open++;
        const id = s.id(o);
        if (state.orders.get(id) !== o) problems.push(`order ${id} rests but is not indexed`);
        if (s.pending(o) !== 0) problems.push(`order ${id} rests but is marked as a pending stop`);
        if (s.status(o) !== NEW && s.status(o) !== PARTIALLY_FILLED) {
          problems.push(`order ${id} rests with status ${STATUSES[s.status(o)]}`);
        }
        if (s.executedQty(o) + s.remaining(o) !== s.origQty(o))
          problems.push(`order ${id}: quantities disagree`);
        if (s.market(o) !== market.index || s.side(o) !== side)
          problems.push(`order ${id}: in the wrong book`);
        holds(o);
      }
    }
    // Pending stops: in trigger order, open, holding their funds, not yet triggerable.
    for (const ladder of [market.risingStops, market.fallingStops]) {
      problems.push(...ladder.problems(s, `${market.symbol} ${ladder.rising ? 'rising' : 'falling'} stops`));
      for (const o of ladder.slots(s)) {
        open++;
        const id = s.id(o);
        if (state.orders.get(id) !== o) problems.push(`stop ${id} is not indexed`);
        if (s.pending(o) !== 1 || s.status(o) !== NEW) problems.push(`stop ${id} is not a pending NEW order`);
        const kind =
          s.trailing[o] === undefined && triggersOnRise(s.side(o), s.orderType(o)) === ladder.rising;
        if (s.market(o) !== market.index || !kind) {
          problems.push(`stop ${id}: in the wrong list`);
        }
        if (wouldTrigger(s.side(o), s.orderType(o), s.stopPrice(o), market.lastPrice)) {
          problems.push(`stop ${id}: should have triggered`);
        }
        holds(o);
      }
    }
    // Trailing stops: filed where they belong, open, holding their funds, neither due to begin tracking nor to
    // trigger, their best price not behind the last price.
    problems.push(...trailingProblems(s, market));
    const trailingStops = trailingSlots(s, market);
    for (const o of trailingStops) {
      open++;
      const id = s.id(o);
      const trailing = s.trailing[o];
      if (state.orders.get(id) !== o) problems.push(`trailing stop ${id} is not indexed`);
      if (s.pending(o) !== 1 || s.status(o) !== NEW) {
        problems.push(`trailing stop ${id} is not a pending NEW order`);
      }
      if (trailing === undefined || s.market(o) !== market.index) {
        problems.push(`trailing stop ${id}: in the wrong list`);
      } else if (trailing.time === -1) {
        if (s.stopPrice(o) === 0) problems.push(`trailing stop ${id}: waits for no stop price`);
        if (wouldTrigger(s.side(o), s.orderType(o), s.stopPrice(o), market.lastPrice)) {
          problems.push(`trailing stop ${id}: should be tracking`);
        }
      } else {
        const best = bestOf(trailing);
        if (trailing.fromTradeId <= 0 || trailing.fromTradeId > state.nextTradeId) {
          problems.push(`trailing stop ${id}: tracks from trade ${trailing.fromTradeId}`);
        }
        if (best !== 0 && market.lastPrice !== 0) {
          const buy = s.side(o) === BUY;
          if (movedAgainst(buy, market.lastPrice, best, trailing.delta)) {
            problems.push(`trailing stop ${id}: should have triggered`);
          }
          if (buy ? market.lastPrice < best : market.lastPrice > best) {
            problems.push(`trailing stop ${id}: its best price is behind the last price`);
          }
        }
      }
      holds(o);
    }
    // MAX_NUM_ALGO_ORDERS counts every account's open orders of the stop types, on the book or waiting.
    const algo = new Map<number, number>();
    const pendingStops = [...market.risingStops.slots(s), ...market.fallingStops.slots(s), ...trailingStops];
    for (const o of [...book.orders(BUY), ...book.orders(SELL), ...pendingStops]) {
      if (isStop(s.orderType(o))) algo.set(s.account(o), (algo.get(s.account(o)) ?? 0) + 1);
    }
    market.algoCount.forEach((n, account) => {
      if (n !== (algo.get(account) ?? 0)) {
        problems.push(
          `${market.symbol}: account index ${account} counts ${n} stop orders, has ${algo.get(account) ?? 0}`,
        );
      }
    });
    if (market.tradePrices.length > 0) problems.push(`${market.symbol}: trade prices left unseen`);
    if (market.trailingTriggered.length > 0 || market.trailingTriggeredAt !== 0) {
      problems.push(`${market.symbol}: triggered stops left waiting`);
    }
  }
  if (open !== state.orders.size) problems.push(`${state.orders.size} orders indexed, ${open} open`);
  if (open !== s.live) problems.push(`${s.live} store slots in use, ${open} resting`);

  const totals = state.assetList.map((a) => a.feesCollected);
  for (const account of state.accountList) {
    if (state.accounts.get(account.id) !== account) problems.push(`account ${account.id} is not indexed`);
    for (const market of state.marketList) {
      const mi = market.index;
      const n = market.openCountOf(account.index);
      const listed = openOrdersOf(state, account.index, mi);
      if (listed.length !== n)
        problems.push(`account ${account.id}: ${n} open on market ${mi}, ${listed.length} listed`);
      for (const o of listed) {
        if (state.orders.get(s.id(o)) !== o)
          problems.push(`account ${account.id}: lists order ${s.id(o)} not open`);
      }
      const list = market.openSlots[account.index] ?? [];
      for (let at = 0; at < list.length; at++) {
        if (s.openAt(list[at]!) !== at)
          problems.push(`order ${s.id(list[at]!)}: open list position is stale`);
      }
    }
    for (const [key, o] of account.byClientOrderId) {
      if (state.orders.get(s.id(o)) !== o || clientKey(s.market(o), s.clientOrderId[o] ?? '') !== key) {
        problems.push(`account ${account.id}: clientOrderId ${key} names no open order of its own`);
      }
    }
    for (const b of account.balances) {
      if (b === undefined) continue;
      if (b.free < 0n || b.locked < 0n)
        problems.push(`account ${account.id} ${b.asset.name}: negative balance`);
      const expected = held.get(`${account.id}:${b.asset.index}`) ?? 0n;
      if (b.locked !== expected) {
        problems.push(
          `account ${account.id} ${b.asset.name}: locked ${b.locked}, open orders hold ${expected}`,
        );
      }
      totals[b.asset.index]! += b.free + b.locked;
    }
  }
  for (const asset of state.assetList) {
    const expected = asset.deposited - asset.withdrawn;
    if (totals[asset.index] !== expected) {
      problems.push(
        `${asset.name}: balances + fees ${totals[asset.index]} != deposits - withdrawals ${expected}`,
      );
    }
  }
  return problems;
}

/**
 * A fingerprint of everything that matters in the state, the same whichever book holds it and after snapshot
 * and restore: markets, assets and their totals, non-zero balances, open orders in priority order, counters.
 */
export function stateHash(state: ExchangeState): string {
  const s = state.store;
  const h = new Fnv();
  h.add(
    `seq=${state.seq};order=${state.nextOrderId};trade=${state.nextTradeId};stp=${state.nextPreventedMatchId}`,
  );
  // In name order, not creation order: a state rebuilt from the database is the same state.
  const byName = <T>(list: T[], name: (item: T) => string): T[] =>
    [...list].sort((x, y) => (name(x) < name(y) ? -1 : name(x) > name(y) ? 1 : 0));
  const tiers = feeTiersOf(state).map(
    (t) => `tier ${t.accountId} ${t.symbol ?? '*'} ${t.makerFee} ${t.takerFee}`,
  );
  for (const tier of byName(tiers, (t) => t)) h.add(tier);
  const assets = byName(state.assetList, (a) => a.name);
  for (const a of assets) h.add(`asset ${a.name} ${a.deposited} ${a.withdrawn} ${a.feesCollected}`);
  for (const m of byName(state.marketList, (market) => market.symbol)) {
    // Keys in order: the same definition read back from the database (jsonb) hashes the same.
    const definition = JSON.stringify(m.definition, (_, v: unknown) =>
      typeof v === 'bigint'
        ? `${v}`
        : v !== null && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1)))
          : v,
    );
    h.add(`market ${m.symbol} ${m.status} ${m.lastPrice} ${definition}`);
    const orders = [
      ...m.book.orders(BUY),
      ...m.book.orders(SELL),
      ...m.risingStops.slots(s),
      ...m.fallingStops.slots(s),
    ];
    for (const o of [...orders, ...trailingSlots(s, m)]) {
      const account = state.accountList[s.account(o)]!;
      const trailing = s.trailing[o];
      h.add(
        `o ${s.id(o)} ${s.pending(o)} ${s.stopPrice(o)} ${account.id} ${s.side(o)} ${s.orderType(o)} ` +
          `${s.timeInForce(o)} ${s.price(o)} ${s.origQty(o)} ${s.executedQty(o)} ${s.remaining(o)} ` +
          `${s.cumQuote(o)} ${s.status(o)} ${s.clientOrderId[o] ?? ''} ${s.time(o)} ${s.updateTime(o)} ` +
          `${s.selfTradePrevention(o)} ${s.preventedQty(o)}` +
          (trailing === undefined
            ? ''
            : ` t ${trailing.delta} ${trailing.time} ${bestOf(trailing)} ${trailing.fromTradeId} ${trailing.basis}`),
      );
    }
  }
  const accounts = [...state.accountList].sort((a, b) => a.id - b.id);
  for (const account of accounts) {
    for (const asset of assets) {
      const b = account.balances[asset.index];
      if (b !== undefined && (b.free !== 0n || b.locked !== 0n)) {
        h.add(`b ${account.id} ${b.asset.name} ${b.free} ${b.locked}`);
      }
    }
  }
  return h.digest();
}

/** Two 32-bit FNV-1a lanes with different offsets: 64 bits, enough to tell states apart in tests. */
class Fnv {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;

  add(text: string): void {
    let { a, b } = this;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
    }
    a = Math.imul(a ^ 10, 0x01000193);
    b = Math.imul(b ^ 10, 0x01000193) ^ (b >>> 15);
    this.a = a;
    this.b = b;
  }

  digest(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }
}
