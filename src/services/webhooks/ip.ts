/**
 * Whether an IP address is public, as MLflow's `_is_public_ip` decides it with the pinned Python's
 * `ipaddress` (3.11): IPv6 transition forms (IPv4-mapped, 6to4, NAT64 64:ff9b::/96) are judged by
 * their embedded IPv4 address; then `is_global` (IPv4: outside 100.64.0.0/10 and the private
 * table; IPv6: outside the private table).
 */
import { isIPv4, isIPv6 } from 'node:net';

type Net = readonly [base: bigint, prefix: number];

function v4(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6(text: string): bigint {
  let s = text;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const n = v4(dotted[1]!);
    s = s.slice(0, dotted.index) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

const net4 = (cidr: string): Net => {
  const [a, p] = cidr.split('/') as [string, string];
  return [v4(a), Number(p)];
};
const net6 = (cidr: string): Net => {
  const [a, p] = cidr.split('/') as [string, string];
  return [v6(a), Number(p)];
};

const inNet = (ip: bigint, [base, prefix]: Net, bits: number): boolean =>
  ip >> BigInt(bits - prefix) === base >> BigInt(bits - prefix);

const V4_SHARED = net4('100.64.0.0/10');
const V4_PRIVATE = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/29',
  '192.0.0.170/31',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '240.0.0.0/4',
  '255.255.255.255/32',
].map(net4);
const V6_PRIVATE = [
  '::1/128',
  '::/128',
  '::ffff:0:0/96',
  '100::/64',
  '2001::/23',
  '2001:2::/48',
  '2001:db8::/32',
  '2001:10::/28',
  'fc00::/7',
  'fe80::/10',
].map(net6);
const NAT64 = net6('64:ff9b::/96');

function v4IsGlobal(ip: bigint): boolean {
  return !inNet(ip, V4_SHARED, 32) && !V4_PRIVATE.some((n) => inNet(ip, n, 32));
}

/** `_is_public_ip(ip_address(text))`; undefined when `text` is no IP address (Python: ValueError). */
export function isPublicIp(text: string): boolean | undefined {
  const addr = text.replace(/%.*$/, '');
  if (isIPv4(addr)) return v4IsGlobal(v4(addr));
  if (!isIPv6(addr)) return undefined;
  const ip = v6(addr);
  if (ip >> 32n === 0xffffn) return v4IsGlobal(ip & 0xffffffffn); // ipv4_mapped
  if (ip >> 112n === 0x2002n) return v4IsGlobal((ip >> 80n) & 0xffffffffn); // sixtofour
  if (inNet(ip, NAT64, 128)) return v4IsGlobal(ip & 0xffffffffn);
  return !V6_PRIVATE.some((n) => inNet(ip, n, 128));
}

/** `str(ipaddress.ip_address(text))`: IPv6 in lower-case hex, the longest zero run as `::`, scope kept. */
export function pyIpStr(text: string): string {
  const addr = text.replace(/%.*$/, '');
  const scope = text.slice(addr.length);
  if (!isIPv6(addr)) return text;
  const n = v6(addr);
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(16 * (7 - i))) & 0xffffn));
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':') + scope;
  const head = hex.slice(0, best).join(':');
  const tail = hex.slice(best + bestLen).join(':');
  return `${head}::${tail}${scope}`;
}
