// The shapes the Binance endpoints answer with, shared by the operations: orders, fills, trades, klines,
// tickers, the account, errors. Top-level fields and their types; amounts are decimal strings with 8 decimals,
// ids and times JSON integers. The admin API's shapes are in admin.ts.

import {
  type CancelRestriction,
  type MarketStatus,
  ORDER_STATUSES,
  ORDER_TYPES,
  SELF_TRADE_PREVENTION_MODES,
  SIDES,
  TIME_IN_FORCE,
} from '../../matcher/core/index.ts';
import { arrayOf, boolean, every, int, object, string, enumOf } from './build.ts';
import { ref } from './responses.ts';
import type { Schema } from './types.ts';

// The core's own lists: the documentation cannot drift from what the core accepts.
export { ORDER_TYPES, SIDES, TIME_IN_FORCE };
export const STP_MODES = SELF_TRADE_PREVENTION_MODES;
export const CANCEL_RESTRICTIONS = every<CancelRestriction>()(['ONLY_NEW', 'ONLY_PARTIALLY_FILLED']);
export const MARKET_STATUSES = every<MarketStatus>()(['TRADING', 'HALT']);

const amount: Schema = ref('Amount');

const filter = (filterType: string, fields: Record<string, Schema>): Schema =>
  object({ filterType: { type: 'string', const: filterType }, ...fields });

const ack = {
  symbol: string,
  orderId: int,
  orderListId: { type: 'integer', const: -1 },
  clientOrderId: string,
  transactTime: int,
} satisfies Record<string, Schema>;

const orderCore = {
  price: amount,
  origQty: amount,
  executedQty: amount,
  cummulativeQuoteQty: amount,
  status: enumOf(ORDER_STATUSES),
  timeInForce: enumOf(TIME_IN_FORCE),
  type: enumOf(ORDER_TYPES),
  side: enumOf(SIDES),
} satisfies Record<string, Schema>;

/** Binance's conditional fields: present when the order's request gave them. */
const tags = {
  strategyId: int,
  strategyType: int,
} satisfies Record<string, Schema>;
const TAGS = Object.keys(tags);

/** Binance's conditional fields of a trailing stop (present exactly when the order has a trailingDelta). */
const trailing = {
  trailingDelta: { ...int, description: 'In BIPS (1 = 0.01 %).' },
  trailingTime: { ...int, description: 'When the order began tracking the price, ms; -1 until then.' },
} satisfies Record<string, Schema>;
const TRAILING = Object.keys(trailing);

const result = {
  ...ack,
  ...orderCore,
  origQuoteOrderQty: amount,
  stopPrice: amount,
  ...trailing,
  workingTime: int,
  selfTradePreventionMode: enumOf(STP_MODES),
  ...tags,
} satisfies Record<string, Schema>;

const window = {
  openPrice: amount,
  highPrice: amount,
  lowPrice: amount,
  lastPrice: amount,
  volume: amount,
  quoteVolume: amount,
  openTime: int,
  closeTime: int,
  firstId: int,
  lastId: int,
  count: int,
} satisfies Record<string, Schema>;

const change = {
  priceChange: ref('SignedAmount'),
  priceChangePercent: { type: 'string', pattern: '^-?\\d+\\.\\d{3}$' },
  weightedAvgPrice: amount,
} satisfies Record<string, Schema>;

const balance = object({ asset: string, free: amount, locked: amount });

export const SCHEMAS: Readonly<Record<string, Schema>> = {
  Error: {
    type: 'object',
    description: "Binance's error shape.",
    properties: {
      code: { type: 'integer', description: "Binance's error code (negative)." },
      msg: string,
      data: { description: 'Details some errors carry: cancel-replace reports both halves here.' },
    },
    required: ['code', 'msg'],
  },
  Amount: {
    type: 'string',
    pattern: '^\\d+\\.\\d{8}$',
    description: 'A decimal with 8 decimals.',
    examples: ['0.01000000'],
  },
  SignedAmount: { type: 'string', pattern: '^-?\\d+\\.\\d{8}$' },
  Empty: { type: 'object', additionalProperties: false },
  ServerTime: object({ serverTime: int }),
  RateLimit: object({
    rateLimitType: enumOf(['REQUEST_WEIGHT', 'ORDERS']),
    interval: enumOf(['SECOND', 'MINUTE', 'DAY']),
    intervalNum: int,
    limit: int,
  }),
  SymbolInfo: object({
    symbol: string,
    status: enumOf(MARKET_STATUSES),
    baseAsset: string,
    baseAssetPrecision: int,
    quoteAsset: string,
    quotePrecision: int,
    quoteAssetPrecision: int,
    baseCommissionPrecision: int,
    quoteCommissionPrecision: int,
    orderTypes: arrayOf(enumOf(ORDER_TYPES)),
    icebergAllowed: boolean,
    ocoAllowed: boolean,
    otoAllowed: boolean,
    quoteOrderQtyMarketAllowed: boolean,
    allowTrailingStop: boolean,
    cancelReplaceAllowed: boolean,
    amendAllowed: boolean,
    isSpotTradingAllowed: boolean,
    isMarginTradingAllowed: boolean,
    filters: arrayOf(ref('Filter')),
    permissions: arrayOf(string),
    permissionSets: arrayOf(arrayOf(string)),
    defaultSelfTradePreventionMode: enumOf(STP_MODES),
    allowedSelfTradePreventionModes: arrayOf(enumOf(STP_MODES)),
  }),
  Filter: {
    description: "One of the market's filters, by filterType.",
    oneOf: [
      filter('PRICE_FILTER', { minPrice: amount, maxPrice: amount, tickSize: amount }),
      filter('LOT_SIZE', { minQty: amount, maxQty: amount, stepSize: amount }),
      filter('MARKET_LOT_SIZE', { minQty: amount, maxQty: amount, stepSize: amount }),
      filter('TRAILING_DELTA', {
        minTrailingAboveDelta: int,
        maxTrailingAboveDelta: int,
        minTrailingBelowDelta: int,
        maxTrailingBelowDelta: int,
      }),
      filter('NOTIONAL', {
        minNotional: amount,
        applyMinToMarket: boolean,
        maxNotional: amount,
        applyMaxToMarket: boolean,
        avgPriceMins: int,
      }),
      filter('PERCENT_PRICE_BY_SIDE', {
        bidMultiplierUp: amount,
        bidMultiplierDown: amount,
        askMultiplierUp: amount,
        askMultiplierDown: amount,
        avgPriceMins: int,
      }),
      filter('MAX_NUM_ORDERS', { maxNumOrders: int }),
      filter('MAX_NUM_ALGO_ORDERS', { maxNumAlgoOrders: int }),
    ],
  },
  ExchangeInfo: object({
    timezone: { type: 'string', const: 'UTC' },
    serverTime: int,
    rateLimits: arrayOf(ref('RateLimit')),
    exchangeFilters: { type: 'array', maxItems: 0 },
    symbols: arrayOf(ref('SymbolInfo')),
  }),
  PriceLevel: {
    type: 'array',
    description: '[price, quantity]',
    prefixItems: [amount, amount],
    minItems: 2,
    maxItems: 2,
  },
  Depth: object({ lastUpdateId: int, bids: arrayOf(ref('PriceLevel')), asks: arrayOf(ref('PriceLevel')) }),
  Trade: object({
    id: int,
    price: amount,
    qty: amount,
    quoteQty: amount,
    time: int,
    isBuyerMaker: boolean,
    isBestMatch: boolean,
  }),
  AggTrade: {
    ...object({ a: int, p: amount, q: amount, f: int, l: int, T: int, m: boolean, M: boolean }),
    description:
      'a: aggregate id (its first trade id), p: price, q: quantity, f/l: first and last trade id, T: time, ' +
      'm: was the buyer the maker, M: best match.',
  },
  Kline: {
    type: 'array',
    description:
      'open time, open, high, low, close, volume, close time, quote volume, number of trades, taker buy base ' +
      'volume, taker buy quote volume, unused ("0").',
    prefixItems: [int, amount, amount, amount, amount, amount, int, amount, int, amount, amount, string],
    minItems: 12,
    maxItems: 12,
  },
  AvgPrice: object({ mins: int, price: amount, closeTime: int }),
  PriceTicker: object({ symbol: string, price: amount }),
  BookTicker: object({ symbol: string, bidPrice: amount, bidQty: amount, askPrice: amount, askQty: amount }),
  TickerMini: object({ symbol: string, ...window }),
  Ticker: object({ symbol: string, ...change, ...window }),
  Ticker24hr: object({
    symbol: string,
    ...change,
    prevClosePrice: amount,
    lastQty: amount,
    bidPrice: amount,
    bidQty: amount,
    askPrice: amount,
    askQty: amount,
    ...window,
  }),
  Fill: object({ price: amount, qty: amount, commission: amount, commissionAsset: string, tradeId: int }),
  OrderAck: object(ack),
  OrderResult: object(result, ['stopPrice', ...TRAILING, ...TAGS]),
  OrderFull: object({ ...result, fills: arrayOf(ref('Fill')) }, ['stopPrice', ...TRAILING, ...TAGS]),
  NewOrder: {
    description: 'By newOrderRespType: ACK, RESULT or FULL (the default for MARKET and LIMIT orders).',
    anyOf: [ref('OrderAck'), ref('OrderResult'), ref('OrderFull')],
  },
  Order: object(
    {
      symbol: string,
      orderId: int,
      orderListId: { type: 'integer', const: -1 },
      clientOrderId: string,
      ...orderCore,
      stopPrice: amount,
      ...trailing,
      icebergQty: amount,
      time: int,
      updateTime: int,
      isWorking: boolean,
      workingTime: int,
      origQuoteOrderQty: amount,
      selfTradePreventionMode: enumOf(STP_MODES),
      preventedQuantity: amount,
      ...tags,
    },
    ['preventedQuantity', ...TRAILING, ...TAGS],
  ),
  CanceledOrder: object(
    {
      symbol: string,
      origClientOrderId: string,
      orderId: int,
      orderListId: { type: 'integer', const: -1 },
      clientOrderId: string,
      transactTime: int,
      ...orderCore,
      stopPrice: amount,
      ...trailing,
      selfTradePreventionMode: enumOf(STP_MODES),
    },
    ['stopPrice', ...TRAILING],
  ),
  CancelReplace: object({
    cancelResult: enumOf(['SUCCESS', 'FAILURE']),
    newOrderResult: enumOf(['SUCCESS', 'FAILURE', 'NOT_ATTEMPTED']),
    cancelResponse: { anyOf: [ref('CanceledOrder'), ref('Error'), { type: 'null' }] },
    newOrderResponse: { anyOf: [ref('NewOrder'), ref('Error'), { type: 'null' }] },
  }),
  AmendedOrder: object({
    transactTime: int,
    executionId: int,
    amendedOrder: object({
      symbol: string,
      orderId: int,
      orderListId: int,
      origClientOrderId: string,
      clientOrderId: string,
      price: amount,
      qty: amount,
      executedQty: amount,
      preventedQty: amount,
      quoteOrderQty: amount,
      cumulativeQuoteQty: amount,
      status: enumOf(ORDER_STATUSES),
      timeInForce: enumOf(TIME_IN_FORCE),
      type: enumOf(ORDER_TYPES),
      side: enumOf(SIDES),
      workingTime: int,
      selfTradePreventionMode: enumOf(STP_MODES),
    }),
  }),
  AccountTrade: object({
    symbol: string,
    id: int,
    orderId: int,
    orderListId: int,
    price: amount,
    qty: amount,
    quoteQty: amount,
    commission: amount,
    commissionAsset: string,
    time: int,
    isBuyer: boolean,
    isMaker: boolean,
    isBestMatch: boolean,
  }),
  Balance: balance,
  Account: object({
    makerCommission: int,
    takerCommission: int,
    buyerCommission: int,
    sellerCommission: int,
    commissionRates: ref('CommissionRates'),
    canTrade: boolean,
    canWithdraw: boolean,
    canDeposit: boolean,
    brokered: boolean,
    requireSelfTradePrevention: boolean,
    preventSor: boolean,
    updateTime: int,
    accountType: { type: 'string', const: 'SPOT' },
    balances: arrayOf(ref('Balance')),
    permissions: arrayOf(string),
    uid: int,
  }),
  AccountCommission: object({
    symbol: string,
    standardCommission: ref('CommissionRates'),
    taxCommission: ref('CommissionRates'),
    discount: ref('CommissionDiscount'),
  }),
  CommissionRates: object({ maker: amount, taker: amount, buyer: amount, seller: amount }),
  CommissionDiscount: object({
    enabledForAccount: { type: 'boolean', const: false },
    enabledForSymbol: { type: 'boolean', const: false },
    discountAsset: string,
    discount: amount,
  }),
  TestOrderCommission: object({
    standardCommissionForOrder: object({ maker: amount, taker: amount }),
    taxCommissionForOrder: object({ maker: amount, taker: amount }),
    discount: ref('CommissionDiscount'),
  }),
  OrderCount: object({
    rateLimitType: { type: 'string', const: 'ORDERS' },
    interval: enumOf(['SECOND', 'DAY']),
    intervalNum: int,
    limit: int,
    count: int,
  }),
  // Probes.
  Health: object({ status: { type: 'string', const: 'ok' } }),
  Readiness: object({
    status: enumOf(['ready', 'not ready']),
    checks: {
      type: 'object',
      additionalProperties: boolean,
      description: 'Each dependency: answers or not.',
    },
  }),
};
