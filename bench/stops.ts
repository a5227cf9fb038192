// npm run bench:stops -- [--stops N,N,...] [--trades N] [--deltas N]
//
// What stops cost when many wait, for each N of --stops:
// - plain stops: with N STOP_LOSS sells waiting (stop prices spread over 40,000 ticks), placing one and cancelling
//   one, in microseconds per pair;
// - trailing stops: with N trailing SELL stops tracking (deltas spread over --deltas values between 10 % and 20 %,
//   so none triggers), --trades trades on a path that sets a new high every few trades (the case that moves every
//   stop), in microseconds per trade. Each trade is two commands (a resting sell and a buy that takes it), so
//   what the stops cost is the difference from N = 0.
// - trailing churn: N trailing stops of both sides tracking (--deltas values, buys and sells alternately), trades on
//   a random walk that triggers some of them, each triggered stop replaced by a new one (so N stay), in
//   microseconds per trade; a triggered stop runs as a limit order that rests, so this includes its cost.

import { parseArgs } from 'node:util';
import {
  type Applied,
  apply,
  type Command,
  createState,
  type Fraction,
  type Lots,
  type PlaceOrder,
  type Ticks,
  type Units,
} from '../matcher/core/index.ts';

const { values } = parseArgs({
  options: {
    stops: { type: 'string', default: '0,1000,10000,100000' },
    trades: { type: 'string', default: '20000' },
    deltas: { type: 'string', default: '20' },
  },
});
const counts = values.stops.split(',').map(Number);
const trades = Number(values.trades);
const deltas = Number(values.deltas);
const WHOLE = 100_000_000n;

/** A market with three funded accounts and one trade at 100,000. */
function exchange() {
  const state = createState('fast');
  const must = (command: Command): Applied => {
    const applied = apply(state, command);
    if (applied.result.code !== 'OK') throw new Error(`${command.type}: ${applied.result.code}`);
    return applied;
  };
  must({
    type: 'createMarket',
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    tickSize: WHOLE as Units,
    stepSize: WHOLE as Units,
    makerFee: 0 as Fraction,
    takerFee: 0 as Fraction,
    maxNumOrders: 1_000_000,
    maxNumAlgoOrders: 1_000_000,
  });
  const accounts = [1, 2, 3];
  for (const accountId of accounts) {
    for (const asset of ['BTC', 'USDT']) {
      must({ type: 'deposit', accountId, asset, amount: (10n ** 12n * WHOLE) as Units });
    }
  }
  let time = 1_700_000_000_000;
  const trade = (price: number): void => {
    const order = { type: 'placeOrder', symbol: 'BTCUSDT', orderType: 'LIMIT', quantity: 1 as Lots } as const;
    must({
      ...order,
      accountId: 2,
      side: 'SELL',
      price: price as Ticks,
      timeInForce: 'GTC',
      timestamp: ++time,
    });
    must({
      ...order,
      accountId: 3,
      side: 'BUY',
      price: price as Ticks,
      timeInForce: 'IOC',
      timestamp: ++time,
    });
  };
  trade(100_000);
  /** Account 1's STOP_LOSS sell of one lot, with `stop` (a stopPrice or a trailingDelta): its order id. */
  const stopSell = (stop: Pick<PlaceOrder, 'stopPrice' | 'trailingDelta'>): number =>
    must({
      type: 'placeOrder',
      accountId: 1,
      symbol: 'BTCUSDT',
      side: 'SELL',
      orderType: 'STOP_LOSS',
      quantity: 1 as Lots,
      timestamp: ++time,
      ...stop,
    }).result.order!.orderId;
  return { must, trade, stopSell, next: () => ++time, state };
}

function plain(stops: number): number {
  const { must, stopSell, next } = exchange();
  const place = (i: number): number => stopSell({ stopPrice: (50_000 + ((i * 7_919) % 40_000)) as Ticks });
  const ids: number[] = [];
  for (let i = 0; i < stops; i++) ids.push(place(i));
  const rounds = 5_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    ids.push(place(stops + i));
    const at = (i * 104_729) % ids.length;
    must({ type: 'cancelOrder', accountId: 1, symbol: 'BTCUSDT', orderId: ids[at]!, timestamp: next() });
    ids[at] = ids[ids.length - 1]!;
    ids.pop();
  }
  return Number(process.hrtime.bigint() - start) / 1e3 / rounds;
}

/** Trailing stops of both sides on a random walk, replaced as they trigger (see the header). */
function churn(stops: number): string {
  const { must, trade, next, state } = exchange();
  let placed = 0;
  const place = (): void => {
    const buy = ++placed % 2 === 0;
    must({
      type: 'placeOrder',
      accountId: 1,
      symbol: 'BTCUSDT',
      side: buy ? 'BUY' : 'SELL',
      // A limit far from the book: once triggered it rests, and leaves the walk alone.
      orderType: buy ? 'TAKE_PROFIT_LIMIT' : 'STOP_LOSS_LIMIT',
      timeInForce: 'GTC',
      price: (buy ? 1 : 10_000_000) as Ticks,
      quantity: 1 as Lots,
      timestamp: next(),
      trailingDelta: 50 + Math.floor(((placed % deltas) * 1_950) / deltas),
    });
  };
  for (let i = 0; i < stops; i++) place();
  const market = state.markets.get('BTCUSDT')!;
  let seed = 7;
  let price = 100_000;
  let triggered = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < trades; i++) {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    price += Math.round((seed / 0x7fffffff - 0.5) * 200);
    const before = market.trailingCount;
    trade(price);
    triggered += before - market.trailingCount;
    for (let k = market.trailingCount; k < before; k++) place();
  }
  const us = Number(process.hrtime.bigint() - start) / 1e3 / trades;
  return `${us.toFixed(2).padStart(7)} µs per trade (${(triggered / trades).toFixed(2)} triggered and replaced)`;
}

function trailing(stops: number): number {
  const { trade, stopSell } = exchange();
  for (let i = 0; i < stops; i++)
    stopSell({ trailingDelta: 1_000 + Math.floor((i % deltas) * (1_000 / deltas)) });
  // Up 3, down 2: a new high every few trades, never 10 % below it.
  const path: number[] = [];
  let price = 100_000;
  for (let i = 0; i < trades; i++) path.push((price += i % 5 < 3 ? 7 : -10));
  const start = process.hrtime.bigint();
  for (const p of path) trade(p);
  return Number(process.hrtime.bigint() - start) / 1e3 / trades;
}

plain(1_000); // warm-up
trailing(1_000);
churn(1_000);
for (const n of counts) {
  console.log(
    `${String(n).padStart(7)} stops waiting   plain: ${plain(n).toFixed(2).padStart(7)} µs per place and cancel` +
      `   trailing: ${trailing(n).toFixed(2).padStart(7)} µs per trade` +
      `   trailing churn: ${churn(n)}`,
  );
}
