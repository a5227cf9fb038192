import { describe, expect, it } from 'vitest';
import { invalidIpAllowEntries, ipAllowed } from './ip-allow-list.ts';

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
});
