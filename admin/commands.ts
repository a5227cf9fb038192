// The admin CLI's commands, in the order the help lists them: for each, its arguments and options, the admin API
// request it makes and how the answer reads. Parsing the command line is args.ts's, the HTTP call http.ts's.

import { readFile } from 'node:fs/promises';
import { type Command, type OptionSpec, UsageError } from './command.ts';
import { decimal, fields, table, timestamp } from './format.ts';

/** A path segment as typed, escaped: `keys revoke ../markets` must not reach another route. */
const at = (...segments: string[]) => segments.map((s) => `/${encodeURIComponent(s)}`).join('');

const list = (text: string | undefined) =>
  text === undefined
    ? undefined
    : text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');

interface Market {
  symbol: string;
  status: string;
  baseAsset: string;
  quoteAsset: string;
  tickSize: string;
  stepSize: string;
  minNotional: string;
  makerFee: string;
  takerFee: string;
}

interface ApiKey {
  apiKey: string;
  type: string;
  permissions: string[];
  ipAllowList: string[];
  createdAt: string;
  revokedAt: string | null;
}

interface Balance {
  asset: string;
  free: string;
  locked: string;
}

function keysTable(keys: ApiKey[]): string {
  if (keys.length === 0) return 'no API keys';
  return table(
    ['api key', 'type', 'permissions', 'ip allow list', 'created', 'revoked'],
    keys.map((k) => [
      k.apiKey,
      k.type,
      k.permissions.join(','),
      k.ipAllowList.length === 0 ? 'any' : k.ipAllowList.join(','),
      timestamp(k.createdAt),
      k.revokedAt === null ? '-' : timestamp(k.revokedAt),
    ]),
  );
}

const FILTERS: Record<string, [field: string, description: string]> = {
  'min-notional': ['minNotional', 'NOTIONAL: the least price × quantity of an order'],
  'max-notional': ['maxNotional', 'NOTIONAL: the most price × quantity of an order'],
  'min-qty': ['minQty', 'LOT_SIZE: the least quantity'],
  'max-qty': ['maxQty', 'LOT_SIZE: the most quantity'],
  'min-price': ['minPrice', 'PRICE_FILTER: the lowest price'],
  'max-price': ['maxPrice', 'PRICE_FILTER: the highest price'],
};

/** A market's whole-number settings: flag -> [body field, value name, description]. */
const COUNTS: Record<string, [field: string, value: string, description: string]> = {
  'max-num-orders': ['maxNumOrders', 'N', 'MAX_NUM_ORDERS: open orders an account may have on it'],
  'max-num-algo-orders': [
    'maxNumAlgoOrders',
    'N',
    'MAX_NUM_ALGO_ORDERS: open stop orders an account may have on it (default 5)',
  ],
  'min-trailing-above-delta': [
    'minTrailingAboveDelta',
    'BIPS',
    'TRAILING_DELTA: the least trailingDelta of a trailing stop triggered by a rise (default 10)',
  ],
  'max-trailing-above-delta': [
    'maxTrailingAboveDelta',
    'BIPS',
    'TRAILING_DELTA: the most trailingDelta of a trailing stop triggered by a rise (default 2000)',
  ],
  'min-trailing-below-delta': [
    'minTrailingBelowDelta',
    'BIPS',
    'TRAILING_DELTA: the least trailingDelta of a trailing stop triggered by a fall (default 10)',
  ],
  'max-trailing-below-delta': [
    'maxTrailingBelowDelta',
    'BIPS',
    'TRAILING_DELTA: the most trailingDelta of a trailing stop triggered by a fall (default 2000)',
  ],
};

const fee = (description: string, required = false): OptionSpec => ({
  value: 'FRACTION',
  description: `${description}, as a fraction: 0.001 is 0.1 %`,
  ...(required ? { required } : { default: '0.001' }),
});

const marketStatus = (name: string, status: 'TRADING' | 'HALT', summary: string): Command => ({
  name,
  summary,
  args: ['symbol'],
  request: ({ args: [symbol] }) => ({
    method: 'POST',
    path: `/markets${at(symbol!, 'status')}`,
    body: { status },
  }),
  show: (m: { symbol: string; status: string }) => `${m.symbol}: ${m.status}`,
});

const scope = (symbol: string | null) => symbol ?? 'every market';

const transfer = (
  name: string,
  kind: 'deposits' | 'withdrawals',
  summary: string,
  done: string,
): Command => ({
  name,
  summary,
  args: ['accountId', 'asset', 'amount'],
  request: ({ args: [accountId, asset, amount] }) => ({
    method: 'POST',
    path: `/accounts${at(accountId!, kind)}`,
    body: { asset, amount },
  }),
  show: (t: { accountId: number; asset: string; amount: string }) =>
    `${done} ${decimal(t.amount)} ${t.asset} ${kind === 'deposits' ? 'to' : 'from'} account ${t.accountId}`,
});

export const COMMANDS: Command[] = [
  {
    name: 'markets list',
    summary: 'list the markets, their filters and fees',
    request: () => ({ method: 'GET', path: '/markets' }),
    show: (markets: Market[]) =>
      markets.length === 0
        ? 'no markets'
        : table(
            ['symbol', 'status', 'base', 'quote', 'tick size', 'step size', 'min notional', 'maker', 'taker'],
            markets.map((m) => [
              m.symbol,
              m.status,
              m.baseAsset,
              m.quoteAsset,
              ...[m.tickSize, m.stepSize, m.minNotional, m.makerFee, m.takerFee].map(decimal),
            ]),
          ),
  },
  {
    name: 'markets create',
    summary: 'create a market (a trading pair)',
    options: {
      symbol: { value: 'SYMBOL', description: 'the symbol, such as BTCUSDT', required: true },
      base: { value: 'ASSET', description: 'the asset bought and sold, such as BTC', required: true },
      quote: { value: 'ASSET', description: 'the asset prices are in, such as USDT', required: true },
      'tick-size': { value: 'DECIMAL', description: 'the price step, such as 0.01', required: true },
      'step-size': { value: 'DECIMAL', description: 'the quantity step, such as 0.00001', required: true },
      ...Object.fromEntries(
        Object.entries(FILTERS).map(([flag, [, description]]) => [flag, { value: 'DECIMAL', description }]),
      ),
      ...Object.fromEntries(
        Object.entries(COUNTS).map(([flag, [, value, description]]) => [flag, { value, description }]),
      ),
      'maker-fee': fee('the fee of the resting side'),
      'taker-fee': fee('the fee of the incoming side'),
      status: { value: 'TRADING|HALT', description: 'the status it opens with (default TRADING)' },
    },
    request: ({ options: o }) => {
      const body: Record<string, unknown> = {
        symbol: o.symbol,
        baseAsset: o.base,
        quoteAsset: o.quote,
        tickSize: o['tick-size'],
        stepSize: o['step-size'],
        makerFee: o['maker-fee'],
        takerFee: o['taker-fee'],
        status: o.status,
      };
      for (const [flag, [field]] of Object.entries(FILTERS)) body[field] = o[flag];
      for (const [flag, [field]] of Object.entries(COUNTS)) {
        const text = o[flag];
        if (text === undefined) continue;
        const n = Number(text);
        if (!(Number.isSafeInteger(n) && n > 0))
          throw new UsageError(`--${flag} must be a positive whole number`);
        body[field] = n;
      }
      return { method: 'POST', path: '/markets', body };
    },
    show: ({ symbol }: { symbol: string }) => `created market ${symbol}`,
  },
  marketStatus(
    'markets halt',
    'HALT',
    'stop trading on a market (new orders are refused; resting ones stay)',
  ),
  marketStatus('markets resume', 'TRADING', 'trade on a halted market again'),
  {
    name: 'accounts create',
    summary: 'create an account',
    request: () => ({ method: 'POST', path: '/accounts' }),
    show: ({ accountId }: { accountId: number }) => `created account ${accountId}`,
  },
  {
    name: 'accounts show',
    summary: "show an account's balances and API keys",
    args: ['accountId'],
    request: ({ args: [accountId] }) => ({ method: 'GET', path: `/accounts${at(accountId!)}` }),
    show: (a: { accountId: number; balances: Balance[]; apiKeys: ApiKey[] }) =>
      [
        `account ${a.accountId}`,
        '',
        a.balances.length === 0
          ? 'no balances'
          : table(
              ['asset', 'free', 'locked'],
              a.balances.map((b) => [b.asset, decimal(b.free), decimal(b.locked)]),
            ),
        '',
        keysTable(a.apiKeys),
      ].join('\n'),
  },
  {
    name: 'keys create',
    summary: 'create an API key (an HMAC secret is shown this once)',
    args: ['accountId'],
    options: {
      type: {
        value: 'HMAC_SHA256|ED25519',
        description: 'the signature (default ED25519 with --public-key-file, else HMAC_SHA256)',
      },
      'public-key-file': { value: 'PATH', description: "ED25519: the client's public key, PEM" },
      permissions: { value: 'LIST', description: 'comma-separated, such as TRADE,USER_DATA (default both)' },
      ip: { value: 'LIST', description: 'IP addresses or CIDR blocks, comma-separated (default any)' },
    },
    request: async ({ args: [accountId], options: o }) => {
      const file = o['public-key-file'];
      let publicKey: string | undefined;
      if (file !== undefined) {
        try {
          publicKey = await readFile(file, 'utf8');
        } catch (error) {
          throw new UsageError(`cannot read --public-key-file ${file}: ${(error as Error).message}`);
        }
      }
      const body = {
        type: o.type ?? (publicKey === undefined ? 'HMAC_SHA256' : 'ED25519'),
        publicKey,
        permissions: list(o.permissions),
        ipAllowList: list(o.ip),
      };
      return { method: 'POST', path: `/accounts${at(accountId!, 'api-keys')}`, body };
    },
    show: (k: { apiKey: string; secretKey?: string }) =>
      k.secretKey === undefined
        ? fields([['apiKey', k.apiKey]])
        : `${fields([
            ['apiKey', k.apiKey],
            ['secretKey', k.secretKey],
          ])}\nThe secret key is shown this once: keep it now.`,
  },
  {
    name: 'keys list',
    summary: "list an account's API keys, revoked ones too (no secrets)",
    args: ['accountId'],
    request: ({ args: [accountId] }) => ({ method: 'GET', path: `/accounts${at(accountId!, 'api-keys')}` }),
    show: keysTable,
  },
  {
    name: 'keys revoke',
    summary: 'revoke an API key (edges forget it within seconds)',
    args: ['apiKey'],
    request: ({ args: [apiKey] }) => ({ method: 'DELETE', path: `/api-keys${at(apiKey!)}` }),
    show: (_: unknown, { args: [apiKey] }) => `revoked ${apiKey}`,
  },
  transfer('deposit', 'deposits', 'credit an account', 'deposited'),
  transfer('withdraw', 'withdrawals', 'debit an account (refused beyond its free balance)', 'withdrew'),
  {
    name: 'fees set',
    summary: "set an account's fee tier, on every market or on one",
    args: ['accountId'],
    options: {
      maker: fee('the maker fee', true),
      taker: fee('the taker fee', true),
      symbol: { value: 'SYMBOL', description: 'only on this market (default every market)' },
    },
    request: ({ args: [accountId], options: o }) => ({
      method: 'PUT',
      path: `/accounts${at(accountId!, 'fees')}`,
      body: { symbol: o.symbol, makerFee: o.maker, takerFee: o.taker },
    }),
    show: (f: { accountId: number; symbol: string | null; makerFee: string; takerFee: string }) =>
      `account ${f.accountId} on ${scope(f.symbol)}: maker ${f.makerFee}, taker ${f.takerFee}`,
  },
  {
    name: 'fees clear',
    summary: "remove an account's fee tier: the market's fees apply again",
    args: ['accountId'],
    options: { symbol: { value: 'SYMBOL', description: 'only on this market (default every market)' } },
    request: ({ args: [accountId], options: o }) => ({
      method: 'PUT',
      path: `/accounts${at(accountId!, 'fees')}`,
      body: { symbol: o.symbol, makerFee: null, takerFee: null },
    }),
    show: (f: { accountId: number; symbol: string | null }) =>
      `account ${f.accountId} on ${scope(f.symbol)}: fee tier removed`,
  },
];
