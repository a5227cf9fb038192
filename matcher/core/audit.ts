// Invariants and fingerprints of a whole state, for tests, recovery checks and operators. Neither is on the
// hot path: both walk everything.

import type { Side } from './commands.ts';
import { heldBy } from './risk.ts';
import type { ExchangeState } from './state.ts';

const SIDES: readonly Side[] = ['BUY', 'SELL'];

/** Every broken invariant of the state, in words; empty when it is sound. */
export function validate(state: ExchangeState): string[] {
  const problems: string[] = [];
  // What open orders hold, per account and asset, must be exactly what is locked.
  const held = new Map<string, bigint>();
  let open = 0;
  for (const market of state.marketList) {
    const book = market.book;
    problems.push(...book.validate().map((p) => `${market.symbol}: ${p}`));
    const bid = book.best('BUY');
    const ask = book.best('SELL');
    if (bid !== null && ask !== null && bid.price >= ask.price) {
      problems.push(`${market.symbol}: crossed book, bid ${bid.price} >= ask ${ask.price}`);
    }
    for (const side of SIDES) {
      for (const order of book.orders(side)) {
        open++;
        if (state.orders.get(order.id) !== order) problems.push(`order ${order.id} rests but is not indexed`);
        if (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED') {
          problems.push(`order ${order.id} rests with status ${order.status}`);
        }
        if (order.executedQty + order.remaining !== order.origQty)
          problems.push(`order ${order.id}: quantities disagree`);
        const asset = side === 'BUY' ? market.quote : market.base;
        const key = `${order.account.id}:${asset.index}`;
        held.set(key, (held.get(key) ?? 0n) + heldBy(order));
      }
    }
  }
  if (open !== state.orders.size) problems.push(`${state.orders.size} orders indexed, ${open} resting`);

  const totals = state.assetList.map((a) => a.feesCollected);
  for (const account of state.accounts.values()) {
    let counted = 0;
    for (const [mi, n] of account.openCount.entries()) {
      let listed = 0;
      for (let o = account.newestOpen[mi] ?? null; o !== null; o = o.olderOpen) listed++;
      if (listed !== (n ?? 0))
        problems.push(`account ${account.id}: ${n} open on market ${mi}, ${listed} listed`);
      counted += n ?? 0;
    }
    let resting = 0;
    for (const o of state.orders.values()) if (o.account === account) resting++;
    if (counted !== resting)
      problems.push(`account ${account.id}: counts ${counted} open orders, ${resting} rest`);
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
  const h = new Fnv();
  h.add(`seq=${state.seq};order=${state.nextOrderId};trade=${state.nextTradeId}`);
  for (const a of state.assetList) h.add(`asset ${a.name} ${a.deposited} ${a.withdrawn} ${a.feesCollected}`);
  for (const m of state.marketList) {
    h.add(
      `market ${m.symbol} ${m.status} ${m.lastPrice} ${JSON.stringify(m.definition, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`,
    );
    for (const side of SIDES) {
      for (const o of m.book.orders(side)) {
        h.add(
          `o ${o.id} ${o.account.id} ${o.side} ${o.orderType} ${o.timeInForce} ${o.price} ${o.origQty} ` +
            `${o.executedQty} ${o.remaining} ${o.cumQuote} ${o.status} ${o.clientOrderId ?? ''} ${o.time} ${o.updateTime}`,
        );
      }
    }
  }
  const accounts = [...state.accounts.values()].sort((a, b) => a.id - b.id);
  for (const account of accounts) {
    for (const b of account.balances) {
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
