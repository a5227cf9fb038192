// The HTTP floor for bench:e2e --floor: the same framework as the edge (a Hono app on @hono/node-server), answering
// POST and DELETE /api/v3/order at once with a body the size of the edge's FULL answer, and nothing else: no
// authentication, throttling, Redis, matcher or Postgres. What the load generator reaches against it is the most
// any Hono edge on this machine can answer with the load generator beside it; the distance to the real edge is
// what the exchange itself costs.

import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
let orderId = 0;
const answer = (c: { req: { query(name: string): string | undefined } }) => ({
  symbol: c.req.query('symbol') ?? 'BTCUSDT',
  orderId: ++orderId,
  orderListId: -1,
  clientOrderId: c.req.query('newClientOrderId') ?? 'floor',
  transactTime: Date.now(),
  price: c.req.query('price') ?? '0.00000000',
  origQty: c.req.query('quantity') ?? '0.00000000',
  executedQty: '0.00000000',
  origQuoteOrderQty: '0.00000000',
  cummulativeQuoteQty: '0.00000000',
  status: 'NEW',
  timeInForce: c.req.query('timeInForce') ?? 'GTC',
  type: c.req.query('type') ?? 'LIMIT',
  side: c.req.query('side') ?? 'BUY',
  workingTime: Date.now(),
  fills: [],
  selfTradePreventionMode: 'EXPIRE_MAKER',
});
app.post('/api/v3/order', (c) => c.json(answer(c)));
app.delete('/api/v3/order', (c) => c.json({ ...answer(c), status: 'CANCELED' }));
app.get('/readyz', (c) => c.json({ ready: true }));

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
  console.log(JSON.stringify({ msg: 'edge listening', port: info.port })),
);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
