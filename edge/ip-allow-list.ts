// An API key's IP allow list: addresses and CIDR blocks, IPv4 and IPv6; an empty list allows any address.

import { BlockList, isIP } from 'node:net';

type Family = 'ipv4' | 'ipv6';

// Compiled once per list object (a cached key hands the same array to every request).
const compiled = new WeakMap<readonly string[], BlockList>();

/** An address or block as `parseEntry` reads it, or null when the entry is neither. */
function parseEntry(entry: string): { address: string; prefix: number | null; family: Family } | null {
  const [address = '', prefix, ...rest] = entry.trim().split('/');
  const type = isIP(address);
  if (type === 0 || rest.length > 0) return null;
  const family: Family = type === 4 ? 'ipv4' : 'ipv6';
  if (prefix === undefined) return { address, prefix: null, family };
  const bits = Number(prefix);
  const max = type === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || bits > max) return null;
  return { address, prefix: bits, family };
}

/** The entries that are neither an address nor a CIDR block (none: the list is valid). */
export function invalidIpAllowEntries(list: readonly string[]): string[] {
  return list.filter((entry) => parseEntry(entry) === null);
}

/** Whether a request from `ip` may use a key with this allow list. Unknown or malformed addresses may not. */
export function ipAllowed(list: readonly string[], ip: string | undefined): boolean {
  if (list.length === 0) return true;
  if (ip === undefined) return false;
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; its allow list names a.b.c.d.
  const address = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const type = isIP(address);
  if (type === 0) return false;
  return blockListOf(list).check(address, type === 4 ? 'ipv4' : 'ipv6');
}

function blockListOf(list: readonly string[]): BlockList {
  let blocks = compiled.get(list);
  if (blocks) return blocks;
  blocks = new BlockList();
  for (const entry of list) {
    const parsed = parseEntry(entry);
    if (parsed === null) continue; // refused when the key was created; a bad entry allows nothing
    if (parsed.prefix === null) blocks.addAddress(parsed.address, parsed.family);
    else blocks.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  compiled.set(list, blocks);
  return blocks;
}
