// The OpenAPI 3.1 document of everything the edge serves (GET /openapi.json): the public, SIGNED and admin
// endpoints with their parameters, security, request weights (x-weight), response shapes and Binance error
// codes. Typed data, built once per app; edge/openapi.test.ts holds it to the routes the app really serves.

import { ADMIN_PATHS, ADMIN_SCHEMAS } from './openapi/admin.ts';
import { HEADERS } from './openapi/responses.ts';
import { SCHEMAS } from './openapi/components.ts';
import { PUBLIC_PATHS } from './openapi/public.ts';
import { SIGNED_PATHS } from './openapi/signed.ts';
import type { OpenApiDocument, PathItem } from './openapi/types.ts';

export type { OpenApiDocument } from './openapi/types.ts';

/** package.json's version (not readable at request time without Node; a test keeps the two equal). */
export const API_VERSION = '0.1.0';

const DESCRIPTION = `A Binance Spot API v3-compatible exchange.

SIGNED endpoints take the API key in the X-MBX-APIKEY header and the parameters \`timestamp\`, \`signature\` and
optionally \`recvWindow\`, in the query string or an application/x-www-form-urlencoded body; the signature is
HMAC-SHA256 (hex) or Ed25519 (base64) of the query string followed by the body. Request weight (x-weight) counts
per client IP per minute (X-MBX-USED-WEIGHT-1M); 429 -1003 past the limit, 418 after repeated refusals. Errors
are {"code": <negative int>, "msg": <string>}. The admin API under /admin/v1 takes a bearer token and JSON.`;

/** The paths of several lists, their operations merged where a path appears in more than one. */
function mergePaths(...lists: Readonly<Record<string, PathItem>>[]): Record<string, PathItem> {
  const paths: Record<string, PathItem> = {};
  for (const list of lists) {
    for (const [path, item] of Object.entries(list)) paths[path] = { ...paths[path], ...item };
  }
  return paths;
}

export function openApiDocument(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'spot-exchange',
      version: API_VERSION,
      description: DESCRIPTION,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [
      { name: 'General', description: 'Connectivity, time and exchange information.' },
      { name: 'Market data', description: 'Public: books, trades, candles and tickers.' },
      { name: 'Trading', description: 'SIGNED (TRADE): orders, answered after the matcher committed them.' },
      {
        name: 'Account',
        description: 'SIGNED (USER_DATA): orders, trades and balances, read from Postgres.',
      },
      { name: 'Admin', description: 'Bearer token: markets, accounts, transfers, fee tiers and API keys.' },
      { name: 'Probes', description: 'Not throttled: liveness, readiness and this document.' },
    ],
    paths: mergePaths(PUBLIC_PATHS, SIGNED_PATHS, ADMIN_PATHS),
    components: {
      schemas: { ...SCHEMAS, ...ADMIN_SCHEMAS },
      headers: HEADERS,
      securitySchemes: {
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-MBX-APIKEY',
          description:
            'The API key (64 letters and digits) of a SIGNED request; the request also carries `timestamp` and ' +
            '`signature` (and optionally `recvWindow`) as parameters.',
        },
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'Authorization: Bearer $ADMIN_TOKEN (admin API only).',
        },
      },
    },
  };
}
