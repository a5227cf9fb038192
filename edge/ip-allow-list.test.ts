import { BlockList, isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidIpAllowEntries, ipAllowed } from './ip-allow-list.ts';

/** What the edge did with Node's BlockList before the app went web-standard: the reference. */
function nodeAllowed(list: readonly string[], ip: string): boolean {
  if (list.length === 0) return true;
  const type = isIP(ip);
  if (type === 0) return false;
  const blocks = new BlockList();
  for (const entry of list) {
    const [address = '', prefix] = entry.trim().split('/');
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) blocks.addAddress(address, family);
    else blocks.addSubnet(address, Number(prefix), family);
  }
  return blocks.check(ip, type === 4 ? 'ipv4' : 'ipv6');
}

describe('ip allow lists', () => {
  it('allows any address when empty, even an unknown one', () => {
    expect(ipAllowed([], '203.0.113.9')).toBe(true);
    expect(ipAllowed([], undefined)).toBe(true);
  });

  it('matches addresses and CIDR blocks, IPv4 and IPv6', () => {
    const list = ['203.0.113.9', '10.0.0.0/8', '2001:db8::/32', '::1'];
    expect(ipAllowed(list, '203.0.113.9')).toBe(true);
    expect(ipAllowed(list, '203.0.113.10')).toBe(false);
    expect(ipAllowed(list, '10.200.3.4')).toBe(true);
    expect(ipAllowed(list, '11.0.0.1')).toBe(false);
    expect(ipAllowed(list, '2001:db8:1::7')).toBe(true);
    expect(ipAllowed(list, '2001:db9::7')).toBe(false);
    expect(ipAllowed(list, '::1')).toBe(true);
  });

  it('reads an IPv4 client on a dual-stack socket as IPv4', () => {
    expect(ipAllowed(['10.0.0.0/8'], '::ffff:10.1.2.3')).toBe(true);
    expect(ipAllowed(['10.0.0.0/8'], '::ffff:11.1.2.3')).toBe(false);
  });

  it('allows nothing from an unknown or malformed address when the list is not empty', () => {
    expect(ipAllowed(['10.0.0.0/8'], undefined)).toBe(false);
    expect(ipAllowed(['10.0.0.0/8'], 'unknown')).toBe(false);
    expect(ipAllowed(['10.0.0.0/8'], '')).toBe(false);
  });

  it('names the entries that are neither an address nor a block', () => {
    expect(invalidIpAllowEntries(['1.2.3.4', '1.2.3.0/24', 'fe80::/10'])).toEqual([]);
    expect(
      invalidIpAllowEntries(['1.2.3.4/33', 'example.com', '1.2.3.4/8/1', '::/129', '1.2.3.4/', '1.2.3.4/x']),
    ).toEqual(['1.2.3.4/33', 'example.com', '1.2.3.4/8/1', '::/129', '1.2.3.4/', '1.2.3.4/x']);
  });

  it('reads IPv4 inside IPv6 as Node did: mapped in any spelling, zones and host bits ignored', () => {
    expect(ipAllowed(['10.0.0.0/8'], '::ffff:a01:203')).toBe(true);
    expect(ipAllowed(['10.0.0.0/8'], '0:0:0:0:0:ffff:10.1.2.3')).toBe(true);
    expect(ipAllowed(['10.0.0.0/8'], '::10.1.2.3')).toBe(false); // IPv4-compatible, not mapped
    expect(ipAllowed(['::ffff:0:0/96'], '192.0.2.1')).toBe(true);
    expect(ipAllowed(['::/0'], '192.0.2.1')).toBe(true);
    expect(ipAllowed(['0.0.0.0/0'], '::1')).toBe(false);
    expect(ipAllowed(['fe80::/10'], 'fe80::1%eth0')).toBe(true);
    expect(ipAllowed(['10.1.2.3/8'], '10.200.0.1')).toBe(true);
    expect(ipAllowed(['1:2:3:4:5:6:7::'], '1:2:3:4:5:6:7:0')).toBe(true);
    expect(
      invalidIpAllowEntries(['010.1.2.3', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', '1.2.3.4::']),
    ).toHaveLength(5);
  });

  it("agrees with Node's BlockList on valid lists and any address", () => {
    const v4 = fc.ipV4();
    const v6 = fc.oneof(
      fc.ipV6(),
      v4.map((a) => `::ffff:${a}`),
    );
    const entry = fc.oneof(
      v4,
      v6,
      fc.tuple(v4, fc.integer({ min: 0, max: 32 })).map(([a, n]) => `${a}/${n}`),
      fc.tuple(v6, fc.integer({ min: 0, max: 128 })).map(([a, n]) => `${a}/${n}`),
    );
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 4 }), fc.oneof(v4, v6), (list, ip) => {
        expect(invalidIpAllowEntries(list)).toEqual([]);
        expect(ipAllowed(list, ip)).toBe(nodeAllowed(list, ip));
        for (const entry of list) {
          const address = entry.split('/')[0]!;
          expect(ipAllowed(list, address)).toBe(true);
          expect(ipAllowed(list, address)).toBe(nodeAllowed(list, address));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
