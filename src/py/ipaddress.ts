/**
 * The parts of Python's `ipaddress` (3.11, the pinned venv's) that MLflow's address checks use:
 * parsing, `is_global` with its private / shared tables, `ipv4_mapped`, `sixtofour`, and `str()`.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface IpAddress {
  version: 4 | 6;
  value: bigint;
  /** An IPv6 scope (`%eth0`), kept by str(). */
  scope: string;
}

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

/** `ipaddress.ip_address(text)`; undefined where Python raises ValueError. */
export function ipAddress(text: string): IpAddress | undefined {
  const pct = text.indexOf('%');
  const addr = pct < 0 ? text : text.slice(0, pct);
  if (isIPv4(text)) return { version: 4, value: v4(text), scope: '' };
  if (!isIPv6(addr)) return undefined;
  return { version: 6, value: v6(addr), scope: pct < 0 ? '' : text.slice(pct) };
}

type Net = readonly [base: bigint, prefix: number];
const net = (cidr: string, parse: (s: string) => bigint): Net => {
  const [a, p] = cidr.split('/') as [string, string];
  return [parse(a), Number(p)];
};
const inNet = (ip: bigint, [base, prefix]: Net, bits: number): boolean =>
  ip >> BigInt(bits - prefix) === base >> BigInt(bits - prefix);

const V4_SHARED = net('100.64.0.0/10', v4);
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
].map((c) => net(c, v4));
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
].map((c) => net(c, v6));

export const ipv4 = (value: bigint): IpAddress => ({ version: 4, value, scope: '' });

/** `.ipv4_mapped` (`::ffff:a.b.c.d`) of an IPv6 address. */
export function ipv4Mapped(ip: IpAddress): IpAddress | undefined {
  return ip.version === 6 && ip.value >> 32n === 0xffffn ? ipv4(ip.value & 0xffffffffn) : undefined;
}

/** `.sixtofour` (2002::/16) of an IPv6 address. */
export function sixtofour(ip: IpAddress): IpAddress | undefined {
  return ip.version === 6 && ip.value >> 112n === 0x2002n ? ipv4((ip.value >> 80n) & 0xffffffffn) : undefined;
}

/** `.is_global` */
export function isGlobal(ip: IpAddress): boolean {
  if (ip.version === 4)
    return !inNet(ip.value, V4_SHARED, 32) && !V4_PRIVATE.some((n) => inNet(ip.value, n, 32));
  const mapped = ipv4Mapped(ip);
  if (mapped) return !V4_PRIVATE.some((n) => inNet(mapped.value, n, 32));
  return !V6_PRIVATE.some((n) => inNet(ip.value, n, 128));
}

/** Whether `ip` lies in `cidr` (same version). */
export function ipInNetwork(ip: IpAddress, cidr: string): boolean {
  const parse = ip.version === 4 ? v4 : v6;
  return inNet(ip.value, net(cidr, parse), ip.version === 4 ? 32 : 128);
}

/** `str(ip)`: dotted IPv4; IPv6 in lower-case hex, the longest zero run as `::`, scope kept. */
export function ipStr(ip: IpAddress): string {
  if (ip.version === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(16 * (7 - i))) & 0xffffn));
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
  if (bestLen < 2) return hex.join(':') + ip.scope;
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}${ip.scope}`;
}
