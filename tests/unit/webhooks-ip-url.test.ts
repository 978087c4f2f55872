import { describe, expect, it } from 'vitest';
import { isPublicIp, pyIpStr } from '../../src/services/webhooks/ip.js';
import { pyUrlParse } from '../../src/services/webhooks/url.js';

describe('isPublicIp (MLflow _is_public_ip on Python 3.11 ipaddress)', () => {
  // Expected values printed by the pinned MLflow's _is_public_ip.
  const cases: [string, boolean][] = [
    ['8.8.8.8', true],
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['169.254.169.254', false],
    ['172.31.255.255', false],
    ['172.32.0.1', true],
    ['100.64.0.1', false],
    ['100.128.0.1', true],
    ['192.168.1.1', false],
    ['224.0.0.1', true],
    ['255.255.255.255', false],
    ['0.0.0.0', false],
    ['::1', false],
    ['::', false],
    ['fe80::1', false],
    ['fe80::1%eth0', false],
    ['fc00::1', false],
    ['2606:4700::1111', true],
    ['::ffff:127.0.0.1', false],
    ['::ffff:8.8.8.8', true],
    ['2002:0a00:0001::1', false],
    ['2002:0808:0808::1', true],
    ['64:ff9b::a9fe:a9fe', false],
    ['64:ff9b::808:808', true],
    ['2001:db8::1', false],
    ['ff02::1', true],
    ['fec0::1', true],
  ];
  it.each(cases)('%s -> %s', (ip, expected) => expect(isPublicIp(ip)).toBe(expected));
  it.each([
    ['::ffff:169.254.169.254', '::ffff:a9fe:a9fe'],
    ['2001:0DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['10.0.0.1', '10.0.0.1'],
  ])('str(ip_address(%s)) is %s', (ip, text) => expect(pyIpStr(ip)).toBe(text));
  it('is undefined for what is no address', () => expect(isPublicIp('example.com')).toBeUndefined());
});

describe('pyUrlParse (urllib.parse.urlparse: scheme and hostname)', () => {
  it.each([
    ['https://User@Example.COM:8443/x?y#z', 'https', 'example.com'],
    ['HTTP://[::1]:80/', 'http', '::1'],
    ['  https://a.b', 'https', 'a.b'],
    ['http:///x', 'http', undefined],
    ['example.com/x', '', undefined],
    ['1http://x', '', undefined],
  ])('%s', (url, scheme, hostname) => expect(pyUrlParse(url)).toEqual({ scheme, hostname }));
  it('raises for an unbalanced or invalid bracketed host', () => {
    expect(() => pyUrlParse('http://[::1/x')).toThrow('Invalid IPv6 URL');
    expect(() => pyUrlParse('http://[zz]/x')).toThrow("'zz' does not appear to be an IPv4 or IPv6 address");
  });
});
