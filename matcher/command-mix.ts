// A seeded, reproducible stream of commands of every kind over two markets and several accounts: what the
// persistence, crash and failover tests and the matcher benchmark feed through the service. Most commands are
// valid and many trade; some are rejected on purpose (unknown orders, halted markets, overdrafts).

import type { Command, Fraction, Lots, Side, Ticks, Units } from './core/index.ts';

/** mulberry32: tiny, fast, good enough to vary a workload; the same seed gives the same stream. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;
const UNIT = 100_000_000n;

/** The markets and deposits the mix trades on: apply these first. */
export function setupCommands(accounts: number): Command[] {
  const commands: Command[] = [
    {
      type: 'createMarket',
      symbol: 'BTCUSDT',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      tickSize: 1_000_000n as Units, // 0.01
      stepSize: 10_000n as Units, // 0.0001
      minNotional: 100_000_000n as Units, // 1 USDT
      makerFee: 100_000 as Fraction,
      takerFee: 200_000 as Fraction,
    },
    {
      type: 'createMarket',
      symbol: 'ETHUSDT',
      baseAsset: 'ETH',
      quoteAsset: 'USDT',
      tickSize: 1_000_000n as Units,
      stepSize: 100_000n as Units, // 0.001
      makerFee: 0 as Fraction,
      takerFee: 100_000 as Fraction,
    },
  ];
  for (let id = 1; id <= accounts; id++) {
    commands.push({ type: 'deposit', accountId: id, asset: 'USDT', amount: (10_000_000n * UNIT) as Units });
    commands.push({ type: 'deposit', accountId: id, asset: 'BTC', amount: (100n * UNIT) as Units });
    commands.push({ type: 'deposit', accountId: id, asset: 'ETH', amount: (1_000n * UNIT) as Units });
  }
  return commands;
}

/** `count` commands after the setup, for `accounts` accounts, from `seed`. */
export function commandMix(seed: number, count: number, accounts = 6): Command[] {
  const next = random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const mid = { BTCUSDT: 3_000_000, ETHUSDT: 200_000 }; // 30000.00 and 2000.00 in ticks
  const cids: { accountId: number; symbol: string; cid: string }[] = [];
  let halted: string | null = null;
  let time = 1_700_000_000_000;
  const out: Command[] = [];
  for (let i = 0; i < count; i++) {
    time += 1;
    const accountId = int(1, accounts);
    const symbol = pick(SYMBOLS);
    const side: Side = next() < 0.5 ? 'BUY' : 'SELL';
    const m = mid[symbol];
    // Prices wander so that books build up on both sides and cross often.
    mid[symbol] = Math.max(1000, m + int(-3, 3) * 100);
    const near = (spread: number) => (m + (side === 'BUY' ? -1 : 1) * int(-spread, spread * 3)) as Ticks;
    const qty = int(1, 400) as Lots;
    const r = next();
    const known = cids.length > 0 ? cids[int(Math.max(0, cids.length - 200), cids.length - 1)]! : null;
    let command: Command;
    if (r < 0.5) {
      const cid = `c${i}`;
      cids.push({ accountId, symbol, cid });
      const type = next() < 0.9 ? 'LIMIT' : 'LIMIT_MAKER';
      command = {
        type: 'placeOrder',
        accountId,
        symbol,
        side,
        orderType: type,
        ...(type === 'LIMIT' ? { timeInForce: pick(['GTC', 'GTC', 'GTC', 'IOC', 'FOK'] as const) } : {}),
        price: near(300),
        quantity: qty,
        clientOrderId: cid,
        selfTradePreventionMode: pick(['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'] as const),
        timestamp: time,
      };
    } else if (r < 0.56) {
      const byQuote = next() < 0.3;
      command = {
        type: 'placeOrder',
        accountId,
        symbol,
        side,
        orderType: 'MARKET',
        ...(byQuote ? { quoteOrderQty: (BigInt(int(1, 5000)) * UNIT) as Units } : { quantity: qty }),
        timestamp: time,
      };
    } else if (r < 0.62) {
      const type = pick(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'] as const);
      const rises = (side === 'BUY') === type.startsWith('STOP_LOSS');
      const stopPrice = (m + (rises ? 1 : -1) * int(1, 500)) as Ticks;
      const limit = type.endsWith('_LIMIT');
      // One in three trails, half of those without a stop price (not a market buy: one placed before its market's
      // first trade would need one).
      const trailing = next() < 1 / 3;
      const bare = trailing && (limit || side === 'SELL') && next() < 0.5;
      command = {
        type: 'placeOrder',
        accountId,
        symbol,
        side,
        orderType: type,
        ...(bare ? {} : { stopPrice }),
        ...(trailing ? { trailingDelta: int(10, 300) } : {}),
        quantity: qty,
        ...(limit ? { price: stopPrice, timeInForce: 'GTC' as const } : {}),
        timestamp: time,
      };
    } else if (r < 0.76 && known !== null) {
      command =
        next() < 0.7
          ? {
              type: 'cancelOrder',
              accountId: known.accountId,
              symbol: known.symbol,
              clientOrderId: known.cid,
              timestamp: time,
            }
          : { type: 'cancelOrder', accountId, symbol, orderId: int(1, i + 1), timestamp: time };
    } else if (r < 0.8 && known !== null) {
      const cid = `r${i}`;
      cids.push({ accountId: known.accountId, symbol: known.symbol, cid });
      command = {
        type: 'cancelReplace',
        accountId: known.accountId,
        symbol: known.symbol,
        cancelClientOrderId: known.cid,
        mode: next() < 0.5 ? 'STOP_ON_FAILURE' : 'ALLOW_FAILURE',
        order: {
          side,
          orderType: 'LIMIT',
          timeInForce: 'GTC',
          price: near(300),
          quantity: qty,
          clientOrderId: cid,
        },
        timestamp: time,
      };
    } else if (r < 0.85 && known !== null) {
      command = {
        type: 'amendOrder',
        accountId: known.accountId,
        symbol: known.symbol,
        clientOrderId: known.cid,
        newQty: int(1, 200) as Lots,
        timestamp: time,
      };
    } else if (r < 0.87) {
      command = { type: 'cancelAllOrders', accountId, symbol, timestamp: time };
    } else if (r < 0.93) {
      const asset = pick(['USDT', 'BTC', 'ETH']);
      command = { type: 'deposit', accountId, asset, amount: (BigInt(int(1, 1_000_000)) * 100n) as Units };
    } else if (r < 0.97) {
      const asset = pick(['USDT', 'BTC', 'ETH']);
      command = { type: 'withdraw', accountId, asset, amount: (BigInt(int(1, 1_000_000)) * 1000n) as Units };
    } else if (r < 0.985) {
      const clear = next() < 0.3;
      command = {
        type: 'setAccountFees',
        accountId,
        ...(next() < 0.5 ? { symbol } : {}),
        makerFee: clear ? null : (int(0, 100_000) as Fraction),
        takerFee: clear ? null : (int(0, 200_000) as Fraction),
      };
    } else {
      // Halt a market for a while, then resume it.
      command =
        halted === null
          ? { type: 'setMarketStatus', symbol: (halted = symbol), status: 'HALT' }
          : { type: 'setMarketStatus', symbol: halted, status: 'TRADING' };
      if (command.status === 'TRADING') halted = null;
    }
    out.push(command);
  }
  if (halted !== null) out.push({ type: 'setMarketStatus', symbol: halted, status: 'TRADING' });
  return out;
}
