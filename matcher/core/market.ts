// Market definitions and their filters. A definition is checked once when the market is created; the filters
// run on every order, before any money moves.

import type { MarketDefinition, MarketSpec, PlaceOrder } from './commands.ts';
import { boundOf, isFraction, isPositiveInt, MAX_UNITS, mul2, mul3, UNITS_PER_WHOLE } from './money.ts';
import { STP } from './order-store.ts';
import { ResultCode } from './result-codes.ts';
import type { Market } from './state.ts';

const SYMBOL = /^[A-Z0-9_.-]{1,20}$/;
export const ASSET_NAME = /^[A-Z0-9]{1,20}$/;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const isUnits = (n: unknown): n is bigint => typeof n === 'bigint' && n >= 0n && n <= MAX_UNITS;

/**
 * Defaults of the definition fields added after markets were first stored (Binance's usual values): resolveMarket
 * fills them in, and a definition stored before they existed is read with them.
 */
export const DEFINITION_DEFAULTS = {
  maxNumAlgoOrders: 5,
  minTrailingAboveDelta: 10,
  maxTrailingAboveDelta: 2000,
  minTrailingBelowDelta: 10,
  maxTrailingBelowDelta: 2000,
} as const;

/** Quote units per tick per lot: the notional of price p and quantity q is p × q × this. */
export const notionalPerTickLotOf = (def: MarketDefinition): number =>
  Number((def.tickSize * def.stepSize) / 100_000_000n);

/** A market's allowed self-trade prevention modes as bits by mode code (1 << code). */
export const stpBits = (def: MarketDefinition): number =>
  def.allowedSelfTradePreventionModes.reduce((bits, m) => bits | (1 << STP.indexOf(m)), 0);

/** What a Market derives from its definition to check orders with (state.ts Market; place-order.ts checkOrder). */
export interface OrderRules {
  readonly notionalPerTickLot: number;
  readonly allowedStp: number;
  /** minNotional and maxNotional as doubles for comparing safe-integer notionals (money.ts boundOf). */
  readonly minNotionalN: number;
  readonly maxNotionalN: number;
}

export const orderRulesOf = (def: MarketDefinition): OrderRules => ({
  notionalPerTickLot: notionalPerTickLotOf(def),
  allowedStp: stpBits(def),
  minNotionalN: boundOf(def.minNotional),
  maxNotionalN: boundOf(def.maxNotional),
});

/** The definition with defaults filled in, or a reason it is not a valid market. */
export function resolveMarket(spec: MarketSpec): MarketDefinition | string {
  if (typeof spec.symbol !== 'string' || !SYMBOL.test(spec.symbol))
    return 'symbol must match ^[A-Z0-9_.-]{1,20}$';
  for (const asset of [spec.baseAsset, spec.quoteAsset]) {
    if (typeof asset !== 'string' || !ASSET_NAME.test(asset)) return 'assets must match ^[A-Z0-9]{1,20}$';
  }
  if (spec.baseAsset === spec.quoteAsset) return 'base and quote assets must differ';
  const { tickSize, stepSize } = spec;
  if (typeof tickSize !== 'bigint' || tickSize <= 0n || tickSize > BigInt(MAX_SAFE))
    return 'tickSize must be > 0';
  if (typeof stepSize !== 'bigint' || stepSize <= 0n || stepSize > BigInt(MAX_SAFE))
    return 'stepSize must be > 0';
  // A notional is ticks × lots × tickSize × stepSize; in units of 1e-8 it is whole only if tickSize × stepSize is.
  if (
    (tickSize * stepSize) % BigInt(UNITS_PER_WHOLE) !== 0n ||
    (tickSize * stepSize) / 100_000_000n > BigInt(MAX_SAFE)
  ) {
    return 'tickSize × stepSize must be a multiple of 0.00000001 so that every notional is exact';
  }
  const def: MarketDefinition = {
    symbol: spec.symbol,
    baseAsset: spec.baseAsset,
    quoteAsset: spec.quoteAsset,
    tickSize,
    stepSize,
    minPrice: spec.minPrice ?? (1 as MarketDefinition['minPrice']),
    maxPrice: spec.maxPrice ?? (MAX_SAFE as MarketDefinition['maxPrice']),
    minQty: spec.minQty ?? (1 as MarketDefinition['minQty']),
    maxQty: spec.maxQty ?? (MAX_SAFE as MarketDefinition['maxQty']),
    marketMinQty: spec.marketMinQty ?? (1 as MarketDefinition['marketMinQty']),
    marketMaxQty: spec.marketMaxQty ?? (MAX_SAFE as MarketDefinition['marketMaxQty']),
    minNotional: spec.minNotional ?? (0n as MarketDefinition['minNotional']),
    maxNotional: spec.maxNotional ?? (MAX_UNITS as MarketDefinition['maxNotional']),
    applyMinToMarket: spec.applyMinToMarket ?? true,
    applyMaxToMarket: spec.applyMaxToMarket ?? false,
    priceBand: spec.priceBand ?? null,
    maxNumOrders: spec.maxNumOrders ?? 200,
    maxNumAlgoOrders: spec.maxNumAlgoOrders ?? DEFINITION_DEFAULTS.maxNumAlgoOrders,
    defaultSelfTradePreventionMode: spec.defaultSelfTradePreventionMode ?? 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: spec.allowedSelfTradePreventionModes ?? [...STP],
    minTrailingAboveDelta: spec.minTrailingAboveDelta ?? DEFINITION_DEFAULTS.minTrailingAboveDelta,
    maxTrailingAboveDelta: spec.maxTrailingAboveDelta ?? DEFINITION_DEFAULTS.maxTrailingAboveDelta,
    minTrailingBelowDelta: spec.minTrailingBelowDelta ?? DEFINITION_DEFAULTS.minTrailingBelowDelta,
    maxTrailingBelowDelta: spec.maxTrailingBelowDelta ?? DEFINITION_DEFAULTS.maxTrailingBelowDelta,
    makerFee: spec.makerFee,
    takerFee: spec.takerFee,
    status: spec.status ?? 'TRADING',
  };
  for (const [lo, hi, name] of [
    [def.minPrice, def.maxPrice, 'price'],
    [def.minQty, def.maxQty, 'quantity'],
    [def.marketMinQty, def.marketMaxQty, 'market quantity'],
  ] as const) {
    if (!isPositiveInt(lo) || !isPositiveInt(hi) || lo > hi) return `${name} bounds must be 1 <= min <= max`;
  }
  if (!isUnits(def.minNotional) || !isUnits(def.maxNotional) || def.minNotional > def.maxNotional) {
    return 'notional bounds must be 0 <= min <= max';
  }
  if (!isFraction(def.makerFee) || !isFraction(def.takerFee)) return 'fees must be fractions between 0 and 1';
  if (!isPositiveInt(def.maxNumOrders)) return 'maxNumOrders must be a positive integer';
  if (!isPositiveInt(def.maxNumAlgoOrders)) return 'maxNumAlgoOrders must be a positive integer';
  for (const [lo, hi] of [
    [def.minTrailingAboveDelta, def.maxTrailingAboveDelta],
    [def.minTrailingBelowDelta, def.maxTrailingBelowDelta],
  ] as const) {
    // Below 10,000 BIPS (100 %): a fall of that much would be to a price of zero.
    if (!isPositiveInt(lo) || !isPositiveInt(hi) || lo > hi || hi >= 10_000) {
      return 'trailing delta bounds must be 1 <= min <= max < 10000 BIPS';
    }
  }
  if (typeof def.applyMinToMarket !== 'boolean' || typeof def.applyMaxToMarket !== 'boolean') {
    return 'applyMinToMarket and applyMaxToMarket must be booleans';
  }
  if (def.status !== 'TRADING' && def.status !== 'HALT') return 'status must be TRADING or HALT';
  const allowed = def.allowedSelfTradePreventionModes;
  if (!Array.isArray(allowed) || allowed.some((m) => !STP.includes(m))) {
    return `allowedSelfTradePreventionModes must be a list of ${STP.join(', ')}`;
  }
  if (!allowed.includes(def.defaultSelfTradePreventionMode)) {
    return 'defaultSelfTradePreventionMode must be one of the allowed modes';
  }
  def.allowedSelfTradePreventionModes = STP.filter((m) => allowed.includes(m)); // canonical order
  const band = def.priceBand;
  if (band !== null) {
    const { bidMultiplierUp, bidMultiplierDown, askMultiplierUp, askMultiplierDown } = band;
    for (const m of [bidMultiplierUp, bidMultiplierDown, askMultiplierUp, askMultiplierDown]) {
      if (!isPositiveInt(m)) return 'price band multipliers must be positive';
    }
    if (bidMultiplierDown > bidMultiplierUp || askMultiplierDown > askMultiplierUp) {
      return 'price band multipliers must have down <= up';
    }
  }
  return def;
}

/**
 * The filters a new order must pass, in Binance's order: PRICE_FILTER, LOT_SIZE or MARKET_LOT_SIZE,
 * PERCENT_PRICE_BY_SIDE, NOTIONAL. A limit order's notional, price × quantity in quote units, is `notionalN` when
 * it is a safe integer, else (-1) `notional`.
 */
export function checkFilters(
  market: Pick<Market, 'definition' | 'lastPrice'> & OrderRules,
  cmd: PlaceOrder,
  notionalN: number,
  notional: bigint | null,
): ResultCode {
  const def = market.definition;
  if (cmd.quoteOrderQty !== undefined) {
    // By quoteOrderQty the quantity is found while matching; the amount itself is the notional.
    if (def.applyMinToMarket && cmd.quoteOrderQty < def.minNotional) return ResultCode.NOTIONAL;
    if (def.applyMaxToMarket && cmd.quoteOrderQty > def.maxNotional) return ResultCode.NOTIONAL;
    return ResultCode.OK;
  }
  const qty = cmd.quantity as number;
  if (cmd.orderType === 'MARKET') {
    if (qty < def.marketMinQty || qty > def.marketMaxQty) return ResultCode.MARKET_LOT_SIZE;
    if (qty < def.minQty || qty > def.maxQty) return ResultCode.LOT_SIZE;
    const ref = market.lastPrice;
    if (ref > 0 && (def.applyMinToMarket || def.applyMaxToMarket)) {
      const value = mul3(ref, qty, market.notionalPerTickLot);
      if (def.applyMinToMarket && value < def.minNotional) return ResultCode.NOTIONAL;
      if (def.applyMaxToMarket && value > def.maxNotional) return ResultCode.NOTIONAL;
    }
    return ResultCode.OK;
  }
  const price = cmd.price as number;
  if (price < def.minPrice || price > def.maxPrice) return ResultCode.PRICE_FILTER;
  if (qty < def.minQty || qty > def.maxQty) return ResultCode.LOT_SIZE;
  const band = def.priceBand;
  if (band !== null && market.lastPrice > 0) {
    const up = cmd.side === 'BUY' ? band.bidMultiplierUp : band.askMultiplierUp;
    const down = cmd.side === 'BUY' ? band.bidMultiplierDown : band.askMultiplierDown;
    const scaled = mul2(price, UNITS_PER_WHOLE);
    if (scaled > mul2(market.lastPrice, up) || scaled < mul2(market.lastPrice, down)) {
      return ResultCode.PERCENT_PRICE_BY_SIDE;
    }
  }
  if (notionalN >= 0) {
    if (notionalN < market.minNotionalN || notionalN > market.maxNotionalN) return ResultCode.NOTIONAL;
  } else if (notional! < def.minNotional || notional! > def.maxNotional) {
    return ResultCode.NOTIONAL;
  }
  return ResultCode.OK;
}
