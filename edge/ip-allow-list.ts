// An API key's IP allow list: addresses and CIDR blocks, IPv4 and IPv6; an empty list allows any address.
//
// Pure (no node:net), so the app runs on any runtime. Every address is read as a 128-bit number, an IPv4 address
// as IPv4-mapped IPv6 (::ffff:a.b.c.d) and an IPv4 block /n as /(96 + n), so that an IPv4 client on a
// dual-stack socket (::ffff:a.b.c.d) matches the IPv4 entries, as Node's BlockList matched them. An IPv6 zone
// (%eth0) is ignored, and so are host bits set in a block (10.1.2.3/8 is 10.0.0.0/8).

interface Block {
  network: bigint;
  /** How many leading bits of the 128 must match. */
  prefix: number;
}

const V4_PART = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)'; // no leading zeros: 010 is neither 10 nor 8
const IPV4 = new RegExp(`^${V4_PART}(?:\\.${V4_PART}){3}$`);
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const ZONE = /%[0-9a-zA-Z.:-]+$/;
const IPV4_MAPPED = 0xffffn << 32n;

// Compiled once per list object (a cached key hands the same array to every request).
const compiled = new WeakMap<readonly string[], Block[]>();

function parseIpv4(text: string): bigint | null {
  if (!IPV4.test(text)) return null;
  return text.split('.').reduce((value, part) => (value << 8n) | BigInt(part), 0n);
}

/** The 16-bit groups of one side of `::`; an IPv4 address may end the last side, as two groups. */
function groupsOf(side: string, mayEndInIpv4: boolean): number[] | null {
  if (side === '') return [];
  const texts = side.split(':');
  const groups: number[] = [];
  for (const [i, text] of texts.entries()) {
    if (HEX_GROUP.test(text)) {
      groups.push(parseInt(text, 16));
      continue;
    }
    const ipv4 = mayEndInIpv4 && i === texts.length - 1 ? parseIpv4(text) : null;
    if (ipv4 === null) return null;
    groups.push(Number(ipv4 >> 16n), Number(ipv4 & 0xffffn));
  }
  return groups;
}

/** Eight groups of 1 to 4 hex digits, or fewer with `::` standing for at least one group of zeros. */
function parseIpv6(text: string): bigint | null {
  const sides = text.replace(ZONE, '').split('::');
  if (sides.length > 2) return null;
  const head = groupsOf(sides[0] ?? '', sides.length === 1);
  const tail = sides.length === 2 ? groupsOf(sides[1] ?? '', true) : [];
  if (head === null || tail === null) return null;
  const zeros = 8 - head.length - tail.length;
  if (sides.length === 1 ? zeros !== 0 : zeros < 1) return null;
  return [...head, ...new Array<number>(zeros).fill(0), ...tail].reduce(
    (value, group) => (value << 16n) | BigInt(group),
    0n,
  );
}

/** An address as a 128-bit number, and whether it was written as IPv4; null when it is not an address. */
function parseAddress(text: string): { value: bigint; ipv4: boolean } | null {
  const ipv4 = parseIpv4(text);
  if (ipv4 !== null) return { value: IPV4_MAPPED | ipv4, ipv4: true };
  const ipv6 = parseIpv6(text);
  return ipv6 === null ? null : { value: ipv6, ipv4: false };
}

/** An address or CIDR block, or null when the entry is neither. */
function parseEntry(entry: string): Block | null {
  const [text = '', prefix, ...rest] = entry.trim().split('/');
  const address = parseAddress(text);
  if (address === null || rest.length > 0) return null;
  if (prefix === undefined) return { network: address.value, prefix: 128 };
  const bits = Number(prefix);
  const width = address.ipv4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || bits > width) return null;
  return { network: address.value, prefix: 128 - width + bits };
}

/** The entries that are neither an address nor a CIDR block (none: the list is valid). */
export function invalidIpAllowEntries(list: readonly string[]): string[] {
  return list.filter((entry) => parseEntry(entry) === null);
}

/** Whether a request from `ip` may use a key with this allow list. Unknown or malformed addresses may not. */
export function ipAllowed(list: readonly string[], ip: string | undefined): boolean {
  if (list.length === 0) return true;
  const address = ip === undefined ? null : parseAddress(ip);
  if (address === null) return false;
  return blocksOf(list).some(
    ({ network, prefix }) => (address.value ^ network) >> BigInt(128 - prefix) === 0n,
  );
}

function blocksOf(list: readonly string[]): Block[] {
  let blocks = compiled.get(list);
  if (blocks) return blocks;
  // An entry that is neither was refused when the key was created; here it allows nothing.
  blocks = list.flatMap((entry) => parseEntry(entry) ?? []);
  compiled.set(list, blocks);
  return blocks;
}
