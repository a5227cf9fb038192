// What ioredis is given for a Redis URL. redis:// and rediss:// as they are; unix:///path/to/redis.sock (a Redis
// on the same host, over its Unix socket: no TCP stack on either side, markedly cheaper per round trip than
// loopback TCP) as the socket's path, which is how ioredis takes a socket (`?db=N` and the like carried along).

export function redisTarget(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'unix:') return url;
  if (parsed.pathname === '' || parsed.pathname === '/') throw new TypeError(`no socket path in ${url}`);
  return `${decodeURIComponent(parsed.pathname)}${parsed.search}`;
}
