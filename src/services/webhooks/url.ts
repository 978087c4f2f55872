/**
 * The parts of Python's `urllib.parse.urlparse` (3.11) that webhook URL validation reads: the
 * scheme and `.hostname`, and the ValueErrors it raises for a malformed bracketed host.
 */
import { isIPv6 } from 'node:net';

export interface ParsedUrl {
  scheme: string;
  /** `.hostname`: lower-cased, brackets removed; undefined when empty. */
  hostname: string | undefined;
}

/** WHATWG C0 control or space, stripped from the front (urlsplit's lstrip). */
const C0_OR_SPACE_CHARS = new Set(Array.from({ length: 0x21 }, (_, i) => String.fromCharCode(i)));
const SCHEME_CHARS = /^[A-Za-z][A-Za-z0-9+\-.]*$/;

/** Throws Error(message) where Python raises ValueError(message). */
export function pyUrlParse(input: string): ParsedUrl {
  let start = 0;
  while (start < input.length && C0_OR_SPACE_CHARS.has(input[start]!)) start++;
  let url = input.slice(start).replace(/[\t\r\n]/g, '');
  let scheme = '';
  const colon = url.indexOf(':');
  if (colon > 0 && SCHEME_CHARS.test(url.slice(0, colon))) {
    scheme = url.slice(0, colon).toLowerCase();
    url = url.slice(colon + 1);
  }
  let netloc = '';
  if (url.startsWith('//')) {
    const rest = url.slice(2);
    const end = rest.search(/[/?#]/);
    netloc = end < 0 ? rest : rest.slice(0, end);
    const open = netloc.includes('[');
    const close = netloc.includes(']');
    if (open !== close) throw new Error('Invalid IPv6 URL');
    if (open) {
      const host = netloc.split('[')[1]!.split(']')[0]!;
      // _check_bracketed_host: an IPv6 address (or an IPvFuture literal, v<hex>.<chars>).
      if (host.startsWith('v')) {
        if (!/^v[0-9a-fA-F]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$/.test(host)) {
          throw new Error('IPvFuture address is invalid');
        }
      } else if (!isIPv6(host.replace(/%.*$/, ''))) {
        throw new Error(`'${host}' does not appear to be an IPv4 or IPv6 address`);
      }
    }
  }
  const hostinfo = netloc.slice(netloc.lastIndexOf('@') + 1);
  let host: string;
  if (hostinfo.includes('[')) host = hostinfo.split('[')[1]!.split(']')[0]!;
  else host = hostinfo.split(':')[0]!;
  if (!host) return { scheme, hostname: undefined };
  const pct = host.indexOf('%');
  const hostname = pct < 0 ? host.toLowerCase() : host.slice(0, pct).toLowerCase() + host.slice(pct);
  return { scheme, hostname };
}
