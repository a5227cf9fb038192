// Metrics of a matcher and an edge running as processes (observability/test-stack.ts), tracing off, the edge
// allowing 2 orders per 10 s:
// - an order the matcher rejects (insufficient balance) counts in spot_matcher_rejects_total by its result code;
// - orders past the limit are refused with 429 and counted in spot_edge_throttled_total by status;
// - the matcher's gauges, stream backlog and replay progress, are exported per shard.
// Tests in this file run in order and share the account.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTCUSDT, fundedAccount } from '../edge/test-servers.ts';
import { type Credentials, signedCall } from '../edge/test-signing.ts';
import { eventually } from '../matcher/bus/test-kit.ts';
import { type Stack, startStack } from './test-stack.ts';

let stack: Stack;
let credentials: Credentials;

/** A BUY of 1 BTC at 30000 USDT: more than the account holds. */
const tooBig = () =>
  signedCall(stack.edge, credentials, 'POST', '/api/v3/order', {
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '1',
    price: '30000',
  });

/** The value of the one sample of `metric` whose labels include `label`, or undefined when there is none. */
function sample(text: string, metric: string, label: string): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${metric}{`) && l.slice(0, l.indexOf('}')).includes(label));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

beforeAll(async () => {
  stack = await startStack({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, { RATE_LIMIT_ORDERS_10S: '2' });
  await stack.admin.createMarket(BTCUSDT);
  ({ credentials } = await fundedAccount(stack.admin, { USDT: '100' }));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
}, 30_000);

describe('metrics of the edge and the matcher processes', () => {
  it('counts a command the matcher rejects by its result code', async () => {
    const res = await tooBig();
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ code: -2010 });
    await eventually(async () => {
      const text = await stack.matcherMetrics();
      expect(
        sample(text, 'spot_matcher_rejects_total', 'spot_result_code="INSUFFICIENT_BALANCE"'),
        text,
      ).toBe(1);
    });
  });

  it('counts the requests refused by a rate limit', async () => {
    // At most 2 orders per 10-second window: the third in one window is refused (a window may turn between).
    let refused = 0;
    for (let attempt = 0; attempt < 10 && refused === 0; attempt++) {
      if ((await tooBig()).status === 429) refused++;
    }
    expect(refused).toBe(1);
    const text = await stack.edgeMetrics();
    expect(sample(text, 'spot_edge_throttled_total', 'http_response_status_code="429"'), text).toBe(1);
  });

  it('exports the stream backlog and the replay progress per shard', async () => {
    // Everything sent has been committed; a fresh start had nothing to replay.
    await eventually(async () => {
      const text = await stack.matcherMetrics();
      expect(text).toMatch(/^# HELP spot_matcher_stream_backlog\w* Entries in the command stream/m);
      expect(text).toMatch(/^# HELP spot_matcher_replay_commands\w* Commands re-applied by the recovery/m);
      expect(sample(text, 'spot_matcher_stream_backlog', 'spot_shard="main"'), text).toBe(0);
      expect(sample(text, 'spot_matcher_replay_commands', 'spot_shard="main"'), text).toBe(0);
    });
  });
});
