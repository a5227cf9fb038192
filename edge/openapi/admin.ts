// The admin API under /admin/v1 (Authorization: Bearer ADMIN_TOKEN): JSON bodies, amounts as decimal strings,
// fees as fractions. What the matcher owns goes through the command stream: such a call returns after its commit.

import { PERMISSIONS } from '../context.ts';
import {
  adminOperation,
  arrayOf,
  DECIMAL,
  int,
  object,
  type Param,
  requiredParam,
  strict,
  string,
  enumOf,
  SYMBOL,
} from './build.ts';
import { MARKET_STATUSES } from './components.ts';
import { MATCHER_ERRORS, mergeErrors, ref } from './responses.ts';
import type { PathItem, Schema } from './types.ts';

const amount = ref('Amount');

/** TRAILING_DELTA's bounds, in BIPS (default 10 to 2000); the matcher refuses min > max (-1130). */
const TRAILING_BOUNDS = [
  'minTrailingAboveDelta',
  'maxTrailingAboveDelta',
  'minTrailingBelowDelta',
  'maxTrailingBelowDelta',
];
const TRAILING_BIPS: Schema = { type: 'integer', minimum: 1, maximum: 9999 };

/** The admin API's bodies (as its zod schemas accept them) and answers. */
export const ADMIN_SCHEMAS: Readonly<Record<string, Schema>> = {
  MarketRequest: strict(
    {
      symbol: SYMBOL,
      baseAsset: ref('Asset'),
      quoteAsset: ref('Asset'),
      tickSize: DECIMAL,
      stepSize: DECIMAL,
      minNotional: DECIMAL,
      maxNotional: DECIMAL,
      minQty: DECIMAL,
      maxQty: DECIMAL,
      minPrice: DECIMAL,
      maxPrice: DECIMAL,
      maxNumOrders: { type: 'integer', minimum: 1 },
      maxNumAlgoOrders: { type: 'integer', minimum: 1, description: 'MAX_NUM_ALGO_ORDERS (default 5).' },
      ...Object.fromEntries(TRAILING_BOUNDS.map((name) => [name, TRAILING_BIPS])),
      makerFee: { ...DECIMAL, description: 'A fraction: "0.001" is 0.1 %.' },
      takerFee: { ...DECIMAL, description: 'A fraction: "0.001" is 0.1 %.' },
      status: enumOf(MARKET_STATUSES),
    },
    [
      'minNotional',
      'maxNotional',
      'minQty',
      'maxQty',
      'minPrice',
      'maxPrice',
      'maxNumOrders',
      'maxNumAlgoOrders',
      ...TRAILING_BOUNDS,
      'status',
    ],
  ),
  Asset: { type: 'string', pattern: '^[A-Z0-9]{1,20}$', examples: ['USDT'] },
  MarketStatusRequest: strict({ status: enumOf(MARKET_STATUSES) }),
  TransferRequest: strict({ asset: ref('Asset'), amount: DECIMAL }),
  FeesRequest: strict(
    {
      symbol: SYMBOL,
      makerFee: { ...DECIMAL, type: ['string', 'null'] },
      takerFee: { ...DECIMAL, type: ['string', 'null'] },
    },
    ['symbol'],
  ),
  ApiKeyRequest: strict(
    {
      type: enumOf(['HMAC_SHA256', 'ED25519']),
      publicKey: { type: 'string', maxLength: 4096, description: 'ED25519 only: the public key, PEM.' },
      permissions: { type: 'array', items: enumOf(PERMISSIONS), minItems: 1, maxItems: 8 },
      ipAllowList: { type: 'array', items: string, maxItems: 100, description: 'Addresses or CIDR blocks.' },
    },
    ['publicKey', 'permissions', 'ipAllowList'],
  ),
  CreatedMarket: object({ symbol: string }),
  AdminMarket: object({
    symbol: string,
    status: enumOf(MARKET_STATUSES),
    baseAsset: string,
    quoteAsset: string,
    tickSize: amount,
    stepSize: amount,
    minNotional: amount,
    makerFee: amount,
    takerFee: amount,
  }),
  MarketStatus: object({ symbol: string, status: enumOf(MARKET_STATUSES) }),
  CreatedAccount: object({ accountId: int }),
  ApiKeySummary: object({
    apiKey: string,
    accountId: int,
    type: enumOf(['HMAC_SHA256', 'ED25519']),
    publicKey: { type: ['string', 'null'] },
    permissions: arrayOf(string),
    ipAllowList: arrayOf(string),
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
  }),
  AdminAccount: object({
    accountId: int,
    balances: arrayOf(ref('Balance')),
    apiKeys: arrayOf(ref('ApiKeySummary')),
  }),
  Transfer: object({ accountId: int, asset: string, amount: amount, time: int }),
  AccountFees: object({
    accountId: int,
    symbol: { type: ['string', 'null'] },
    makerFee: { type: ['string', 'null'] },
    takerFee: { type: ['string', 'null'] },
  }),
  CreatedApiKey: {
    ...object({ apiKey: string, secretKey: string }, ['secretKey']),
    description: 'secretKey (HMAC keys only) is shown this once.',
  },
  Revoked: object({ revoked: { type: 'boolean', const: true } }),
};

const accountId: Param = requiredParam('accountId', {
  type: 'integer',
  minimum: 1,
  maximum: Number.MAX_SAFE_INTEGER,
});
const BAD_BODY = [-1130, 'the body is not JSON or not valid (the message says which field)'] as const;
const BAD_ID = [-1130, 'accountId is not a positive integer'] as const;
const UNKNOWN_ACCOUNT = { 404: [[-1130, 'unknown account']] } as const;
const TAG = 'Admin';

export const ADMIN_PATHS: Readonly<Record<string, PathItem>> = {
  '/admin/v1/markets': {
    post: adminOperation({
      id: 'createMarket',
      summary: 'Create a market',
      tag: TAG,
      body: ref('MarketRequest'),
      ok: { status: 201, description: 'Created (committed by the matcher).', schema: ref('CreatedMarket') },
      errors: mergeErrors({ 400: [BAD_BODY], 409: [[-1130, 'the market exists']] }, MATCHER_ERRORS),
    }),
    get: adminOperation({
      id: 'listMarkets',
      summary: 'List the markets',
      tag: TAG,
      ok: { description: 'Every market.', schema: { type: 'array', items: ref('AdminMarket') } },
    }),
  },
  '/admin/v1/markets/{symbol}/status': {
    post: adminOperation({
      id: 'setMarketStatus',
      summary: 'Halt or resume a market',
      tag: TAG,
      path: [requiredParam('symbol', SYMBOL)],
      body: ref('MarketStatusRequest'),
      ok: { description: 'The new status.', schema: ref('MarketStatus') },
      errors: mergeErrors({ 400: [BAD_BODY, -1121] }, MATCHER_ERRORS),
    }),
  },
  '/admin/v1/accounts': {
    post: adminOperation({
      id: 'createAccount',
      summary: 'Create an account',
      tag: TAG,
      ok: { status: 201, description: 'The new account.', schema: ref('CreatedAccount') },
    }),
  },
  '/admin/v1/accounts/{accountId}': {
    get: adminOperation({
      id: 'getAccount',
      summary: 'An account: balances and API keys',
      tag: TAG,
      path: [accountId],
      ok: { description: 'The account.', schema: ref('AdminAccount') },
      errors: { 400: [BAD_ID], ...UNKNOWN_ACCOUNT },
    }),
  },
  '/admin/v1/accounts/{accountId}/deposits': {
    post: adminOperation({
      id: 'deposit',
      summary: 'Credit an account',
      tag: TAG,
      path: [accountId],
      body: ref('TransferRequest'),
      ok: { description: 'Committed.', schema: ref('Transfer') },
      errors: mergeErrors({ 400: [BAD_ID, BAD_BODY] }, UNKNOWN_ACCOUNT, MATCHER_ERRORS),
    }),
  },
  '/admin/v1/accounts/{accountId}/withdrawals': {
    post: adminOperation({
      id: 'withdraw',
      summary: 'Debit an account',
      tag: TAG,
      path: [accountId],
      body: ref('TransferRequest'),
      ok: { description: 'Committed.', schema: ref('Transfer') },
      errors: mergeErrors(
        { 400: [BAD_ID, BAD_BODY, [-2010, 'insufficient balance']] },
        UNKNOWN_ACCOUNT,
        MATCHER_ERRORS,
      ),
    }),
  },
  '/admin/v1/accounts/{accountId}/fees': {
    put: adminOperation({
      id: 'setAccountFees',
      summary: "Set an account's fee tier (of one market, or of all), or remove it with nulls",
      tag: TAG,
      path: [accountId],
      body: ref('FeesRequest'),
      ok: { description: 'The fee tier now in force.', schema: ref('AccountFees') },
      errors: mergeErrors({ 400: [BAD_ID, BAD_BODY, -1102, -1121] }, MATCHER_ERRORS),
    }),
  },
  '/admin/v1/accounts/{accountId}/api-keys': {
    post: adminOperation({
      id: 'createApiKey',
      summary: 'Create an API key',
      description: 'An HMAC key comes with its secret, shown this once; an Ed25519 key is its public key.',
      tag: TAG,
      path: [accountId],
      body: ref('ApiKeyRequest'),
      ok: { status: 201, description: 'The new key.', schema: ref('CreatedApiKey') },
      errors: { 400: [BAD_ID, BAD_BODY], ...UNKNOWN_ACCOUNT },
    }),
    get: adminOperation({
      id: 'listApiKeys',
      summary: "An account's API keys (revoked ones included)",
      tag: TAG,
      path: [accountId],
      ok: {
        description: 'The keys, without secrets.',
        schema: { type: 'array', items: ref('ApiKeySummary') },
      },
      errors: { 400: [BAD_ID] },
    }),
  },
  '/admin/v1/api-keys/{apiKey}': {
    delete: adminOperation({
      id: 'revokeApiKey',
      summary: 'Revoke an API key (effective within seconds on every edge)',
      tag: TAG,
      path: [requiredParam('apiKey', { type: 'string' })],
      ok: { description: 'Revoked.', schema: ref('Revoked') },
      errors: { 404: [[-2015, 'unknown or already revoked API key']] },
    }),
  },
};
