import { describe, expect, it } from 'vitest';
import { isPublicIp, pyIpStr } from '../../src/services/webhooks/ip.js';
import { jsonDumpsDefault } from '../../src/py/json.js';
import { urlHostname } from '../../src/py/urlparse.js';
import { PyFloat } from '../../src/py/values.js';

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

describe('urlHostname (urllib.parse.urlparse: scheme and hostname)', () => {
  it.each([
    ['https://User@Example.COM:8443/x?y#z', 'https', 'example.com'],
    ['HTTP://[::1]:80/', 'http', '::1'],
    ['  https://a.b', 'https', 'a.b'],
    ['http:///x', 'http', undefined],
    ['example.com/x', '', undefined],
    ['1http://x', '', undefined],
  ])('%s', (url, scheme, hostname) => expect(urlHostname(url)).toEqual({ scheme, hostname }));
  it('raises for an unbalanced or invalid bracketed host', () => {
    expect(() => urlHostname('http://[::1/x')).toThrow('Invalid IPv6 URL');
    expect(() => urlHostname('http://[zz]/x')).toThrow("'zz' does not appear to be an IPv4 or IPv6 address");
  });
});

describe('jsonDumpsDefault (json.dumps with its default layout: the signed webhook body)', () => {
  it('matches CPython', () => {
    const value = { b: 1, a: [new PyFloat(1), new PyFloat(105.5), null, true, 'é\u007f"\\\n😀'], c: {} };
    // CPython: json.dumps({'b': 1, 'a': [1.0, 105.5, None, True, 'é\x7f"\\\n😀'], 'c': {}})
    expect(jsonDumpsDefault(value)).toBe(
      '{"b": 1, "a": [1.0, 105.5, null, true, "\\u00e9\\u007f\\"\\\\\\n\\ud83d\\ude00"], "c": {}}',
    );
  });
});
