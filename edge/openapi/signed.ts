// The SIGNED endpoints under /api/v3: trading (TRADE), answered after the matcher committed the command, and
// account reads (USER_DATA) from Postgres.

import {
  BOOLEAN_TEXT,
  CLIENT_ORDER_ID,
  DECIMAL,
  enumOf,
  integer,
  param,
  type Param,
  requiredParam,
  signedOperation,
  SYMBOL,
  symbolParam,
  timeParam,
} from './build.ts';
import { MATCHER_ERRORS, mergeErrors, ref } from './responses.ts';
import { CANCEL_RESTRICTIONS, ORDER_TYPES, SIDES, STP_MODES, TIME_IN_FORCE } from './components.ts';
import type { PathItem } from './types.ts';
import { MAX_STRATEGY_TYPE, MIN_STRATEGY_TYPE } from '../routes/orders.ts';

const RESP_TYPES = ['ACK', 'RESULT', 'FULL'] as const;

/** The new order's parameters (POST /order, /order/test and the new half of a cancel-replace). */
const orderParams = (clientOrderId: string): Param[] => [
  symbolParam,
  requiredParam('side', enumOf(SIDES)),
  requiredParam('type', enumOf(ORDER_TYPES)),
  param('timeInForce', enumOf(TIME_IN_FORCE), 'LIMIT and the *_LIMIT stop orders.'),
  param('quantity', DECIMAL, 'Base quantity: every order but a MARKET order by quoteOrderQty.'),
  param('quoteOrderQty', DECIMAL, 'MARKET only, instead of quantity: the quote to spend or to receive.'),
  param('price', DECIMAL, 'LIMIT, LIMIT_MAKER and the *_LIMIT stop orders.'),
  param(
    'stopPrice',
    DECIMAL,
    'The stop orders: the last trade price that triggers them; optional with trailingDelta, where it is the ' +
      'price that starts the trailing.',
  ),
  param('trailingDelta', {
    ...integer(
      'Makes a stop order a trailing stop: it triggers once the last price moves this far, in BIPS (1 = 0.01 %), ' +
        'against it from the best price since it began tracking (at once without stopPrice, else when stopPrice ' +
        'is reached). The stop orders only (-1106 on others); within the TRAILING_DELTA filter (-1013); not a ' +
        'positive integer: -1100.',
      1,
    ),
  }),
  param(clientOrderId, CLIENT_ORDER_ID, 'Generated when not sent.'),
  param(
    'newOrderRespType',
    enumOf(RESP_TYPES),
    'Default FULL for MARKET and LIMIT orders, ACK for the others.',
  ),
  param('selfTradePreventionMode', enumOf(STP_MODES), "Default: the market's default mode."),
  param(
    'strategyId',
    integer(
      'Labels the order (kept with it): echoed by RESULT and FULL responses and by the order reads. Above ' +
        '2^53 - 1: -1100.',
    ),
  ),
  param('strategyType', {
    ...integer(
      'Labels the order (kept with it), echoed as strategyId is. Below 1000000 (reserved) or above 2^31 - 1: -1100.',
      MIN_STRATEGY_TYPE,
    ),
    maximum: MAX_STRATEGY_TYPE,
  }),
];

const ORDER_ERRORS = {
  400: [-1008, -1013, -1100, -1102, -1106, -1115, -1116, -1117, -1121, -1130, -2010],
} as const;
const UNSUPPORTED =
  'Iceberg and pegged orders are not supported: icebergQty, pegPriceType, pegOffsetValue and pegOffsetType ' +
  'are refused (-1106).';
const which = (idName: string, cidName: string): Param[] => [
  param(idName, integer('The order by its id.')),
  param(cidName, CLIENT_ORDER_ID, 'The order by its clientOrderId.'),
];
const history = (idName: 'orderId' | 'fromId', description: string): Param[] => [
  symbolParam,
  param(idName, integer(description)),
  timeParam('startTime'),
  timeParam('endTime', 'ms since the epoch; at most 24 hours after startTime (-1127).'),
  param('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 500 }, 'Outside 1-1000: -1130.'),
];
const HISTORY_ERRORS = { 400: [-1100, -1102, -1121, -1127, -1130] } as const;

export const SIGNED_PATHS: Readonly<Record<string, PathItem>> = {
  '/api/v3/order': {
    post: signedOperation('post', {
      id: 'newOrder',
      summary: 'New order',
      description: `Answered once the matcher committed the order. ${UNSUPPORTED}`,
      tag: 'Trading',
      permission: 'TRADE',
      placesOrders: true,
      params: orderParams('newClientOrderId'),
      oneOf: [['quantity', 'quoteOrderQty']],
      weight: 1,
      ok: { description: 'ACK, RESULT or FULL, by newOrderRespType.', schema: ref('NewOrder') },
      errors: mergeErrors(ORDER_ERRORS, MATCHER_ERRORS),
    }),
    get: signedOperation('get', {
      id: 'queryOrder',
      summary: 'Query an order',
      tag: 'Account',
      permission: 'USER_DATA',
      params: [symbolParam, ...which('orderId', 'origClientOrderId')],
      oneOf: [['orderId', 'origClientOrderId']],
      weight: 4,
      ok: { description: 'The order.', schema: ref('Order') },
      errors: { 400: [-1100, -1102, -1121, -2013] },
    }),
    delete: signedOperation('delete', {
      id: 'cancelOrder',
      summary: 'Cancel an order',
      tag: 'Trading',
      permission: 'TRADE',
      params: [
        symbolParam,
        ...which('orderId', 'origClientOrderId'),
        param('newClientOrderId', CLIENT_ORDER_ID, 'Names the cancel; generated when not sent.'),
        param(
          'cancelRestrictions',
          enumOf(CANCEL_RESTRICTIONS),
          'Cancel only a NEW or a PARTIALLY_FILLED order.',
        ),
      ],
      oneOf: [['orderId', 'origClientOrderId']],
      weight: 1,
      ok: { description: 'The canceled order.', schema: ref('CanceledOrder') },
      errors: mergeErrors({ 400: [-1100, -1102, -1121, -2011] }, MATCHER_ERRORS),
    }),
  },
  '/api/v3/order/test': {
    post: signedOperation('post', {
      id: 'testNewOrder',
      summary: 'Test a new order',
      description:
        'Validated like a new order (shape, market status, filters against the last price), then dropped: ' +
        'no balance check, nothing sent to the matcher. With computeCommissionRates=true, the maker and taker ' +
        "rates the order's trades would pay (as GET /api/v3/account/commission resolves them). " +
        UNSUPPORTED,
      tag: 'Trading',
      permission: 'TRADE',
      params: [
        ...orderParams('newClientOrderId'),
        param(
          'computeCommissionRates',
          BOOLEAN_TEXT,
          'Default false. Weighs 20 rather than 1, also in the body.',
        ),
      ],
      oneOf: [['quantity', 'quoteOrderQty']],
      weight: 1,
      weightRules: [
        { when: 'computeCommissionRates=true', weight: 20, example: { computeCommissionRates: 'true' } },
      ],
      ok: {
        description: '{}, or the commission rates with computeCommissionRates=true.',
        schema: { anyOf: [ref('Empty'), ref('TestOrderCommission')] },
      },
      errors: ORDER_ERRORS,
    }),
  },
  '/api/v3/openOrders': {
    get: signedOperation('get', {
      id: 'openOrders',
      summary: 'Open orders',
      tag: 'Account',
      permission: 'USER_DATA',
      params: [param('symbol', SYMBOL, 'One market; every market when not sent.')],
      weight: 80,
      weightRules: [{ when: 'with symbol', weight: 6, example: { symbol: 'BTCUSDT' } }],
      ok: {
        description: 'Open orders (of every market without symbol).',
        schema: { type: 'array', items: ref('Order') },
      },
      errors: { 400: [-1121] },
    }),
    delete: signedOperation('delete', {
      id: 'cancelOpenOrders',
      summary: "Cancel a market's open orders",
      tag: 'Trading',
      permission: 'TRADE',
      params: [symbolParam],
      weight: 1,
      ok: { description: 'The canceled orders.', schema: { type: 'array', items: ref('CanceledOrder') } },
      errors: mergeErrors({ 400: [-1102, -1121, [-2011, 'no open order to cancel']] }, MATCHER_ERRORS),
    }),
  },
  '/api/v3/order/cancelReplace': {
    post: signedOperation('post', {
      id: 'cancelReplace',
      summary: 'Cancel an order and place a new one, atomically',
      description:
        'Both halves succeeded: 200; otherwise 400 -2021 (one half failed) or -2022 (both), with both halves ' +
        `under \`data\` in the CancelReplace shape. ${UNSUPPORTED}`,
      tag: 'Trading',
      permission: 'TRADE',
      placesOrders: true,
      params: [
        ...orderParams('newClientOrderId'),
        requiredParam('cancelReplaceMode', enumOf(['STOP_ON_FAILURE', 'ALLOW_FAILURE'])),
        ...which('cancelOrderId', 'cancelOrigClientOrderId'),
        param('cancelNewClientOrderId', CLIENT_ORDER_ID, 'Names the cancel; generated when not sent.'),
        param(
          'cancelRestrictions',
          enumOf(CANCEL_RESTRICTIONS),
          'Cancel only a NEW or a PARTIALLY_FILLED order.',
        ),
        param('orderRateLimitExceededMode', enumOf(['DO_NOTHING', 'CANCEL_ONLY']), 'Accepted, not echoed.'),
      ],
      oneOf: [
        ['cancelOrderId', 'cancelOrigClientOrderId'],
        ['quantity', 'quoteOrderQty'],
      ],
      weight: 1,
      ok: { description: 'Both halves succeeded.', schema: ref('CancelReplace') },
      errors: mergeErrors(ORDER_ERRORS, { 400: [-2011, -2021, -2022] }, MATCHER_ERRORS),
    }),
  },
  '/api/v3/order/amend/keepPriority': {
    put: signedOperation('put', {
      id: 'amendKeepPriority',
      summary: "Reduce an open order's quantity, keeping its place in the queue",
      tag: 'Trading',
      permission: 'TRADE',
      params: [
        symbolParam,
        ...which('orderId', 'origClientOrderId'),
        param('newClientOrderId', CLIENT_ORDER_ID, "The order's new clientOrderId."),
        requiredParam('newQty', DECIMAL, 'The new quantity, less than the current one.'),
      ],
      oneOf: [['orderId', 'origClientOrderId']],
      weight: 4,
      ok: { description: 'The amended order.', schema: ref('AmendedOrder') },
      errors: mergeErrors({ 400: [-1013, -1100, -1102, -1121, -1130, -2011] }, MATCHER_ERRORS),
    }),
  },
  '/api/v3/allOrders': {
    get: signedOperation('get', {
      id: 'allOrders',
      summary: "The account's orders of a market, open or not",
      tag: 'Account',
      permission: 'USER_DATA',
      params: history('orderId', 'Orders from this id on.'),
      weight: 20,
      ok: { description: 'Orders, by id.', schema: { type: 'array', items: ref('Order') } },
      errors: HISTORY_ERRORS,
    }),
  },
  '/api/v3/myTrades': {
    get: signedOperation('get', {
      id: 'myTrades',
      summary: "The account's trades of a market",
      tag: 'Account',
      permission: 'USER_DATA',
      params: [
        ...history('fromId', 'Trades from this id on.'),
        param('orderId', integer("One order's trades.")),
      ],
      weight: 20,
      weightRules: [{ when: 'with orderId', weight: 5, example: { orderId: '1' } }],
      ok: { description: 'Trades, by id.', schema: { type: 'array', items: ref('AccountTrade') } },
      errors: HISTORY_ERRORS,
    }),
  },
  '/api/v3/account': {
    get: signedOperation('get', {
      id: 'account',
      summary: 'Balances and permissions',
      description:
        'Fees are per market here, with per-account overrides (fee tiers). The account-level commissions ' +
        '(makerCommission and takerCommission in basis points, rounded up; commissionRates exact) are the ' +
        "account's own account-wide tier when it has one, else 0: GET /api/v3/account/commission gives the " +
        'rates per symbol. buyerCommission and sellerCommission are 0 (no extra rate by side).',
      tag: 'Account',
      permission: 'USER_DATA',
      params: [param('omitZeroBalances', BOOLEAN_TEXT, 'Default false.')],
      weight: 20,
      ok: { description: 'The account.', schema: ref('Account') },
    }),
  },
  '/api/v3/account/commission': {
    get: signedOperation('get', {
      id: 'accountCommission',
      summary: "The account's commission rates on a market",
      description:
        "The rates the account pays on the market, resolved as the matcher does: the account's tier for the " +
        "market, else its account-wide tier, else the market's own fees. No tax and no BNB discount here.",
      tag: 'Account',
      permission: 'USER_DATA',
      params: [symbolParam],
      weight: 20,
      ok: { description: 'The rates.', schema: ref('AccountCommission') },
      errors: { 400: [-1102, -1121] },
    }),
  },
  '/api/v3/rateLimit/order': {
    get: signedOperation('get', {
      id: 'orderRateLimit',
      summary: "The account's order counts in the current windows",
      tag: 'Account',
      permission: 'USER_DATA',
      weight: 40,
      ok: { description: 'Per 10 seconds and per day.', schema: { type: 'array', items: ref('OrderCount') } },
    }),
  },
};
