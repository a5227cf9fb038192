// The Node adapter: serves the (web-standard) app with @hono/node-server, and knows the socket, so it is what
// tells the app the client's address.

import { type ServerType, serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, Hono } from 'hono';
import type { EdgeEnv } from './context.ts';

/** The client's address: the socket's, or the first hop of X-Forwarded-For behind a trusted proxy. */
export function clientIpOf(trustProxy: boolean): (c: Context<EdgeEnv>) => string {
  return (c) => {
    if (trustProxy) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
      if (forwarded) return forwarded;
    }
    return getConnInfo(c).remote.address ?? 'unknown';
  };
}

/**
 * Whether the request came through Node's HTTP/1 parser (served by @hono/node-server, which binds `incoming`),
 * which frames every request body: one with neither Content-Length nor Transfer-Encoding has none. (HTTP/2 frames
 * bodies without either header: not this.)
 */
export const framedByParser = (c: Context<EdgeEnv>): boolean => {
  const incoming = (c.env as { incoming?: { httpVersionMajor?: number } } | undefined)?.incoming;
  return incoming?.httpVersionMajor === 1;
};

export function listen(
  app: Hono<EdgeEnv>,
  port: number,
  hostname: string,
): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) =>
      resolve({ server, port: info.port }),
    );
    server.once('error', reject);
  });
}

export function close(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections would hold close() open: end the idle ones now.
    (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  });
}
