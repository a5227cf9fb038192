// For tests: requests signed as a Binance client signs them (HMAC-SHA256 over the query string, timestamp and
// recvWindow included), sent to the app in memory or to a server over HTTP.

import { createHmac } from 'node:crypto';

export interface Credentials {
  apiKey: string;
  secretKey: string;
}

/** The query string with timestamp and signature appended, as Binance's docs build it. */
export function signedQuery(
  credentials: Credentials,
  params: Record<string, string | number>,
  now = Date.now(),
): string {
  const query = new URLSearchParams({
    ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
    timestamp: String(now),
  }).toString();
  const signature = createHmac('sha256', credentials.secretKey).update(query).digest('hex');
  return `${query}&signature=${signature}`;
}

/** A fetch-like function (app.request, or fetch against a base URL). */
export type Requester = (path: string, init: RequestInit) => Promise<Response> | Response;

export async function signedCall(
  request: Requester,
  credentials: Credentials,
  method: string,
  path: string,
  params: Record<string, string | number> = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await request(`${path}?${signedQuery(credentials, params)}`, {
    method,
    headers: { 'X-MBX-APIKEY': credentials.apiKey },
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}
