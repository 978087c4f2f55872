/** urllib.parse: urlsplit / urlunsplit for the parts MLflow's URI helpers use, and unquote. */
import { isIPv6 } from 'node:net';

/** Schemes for which urlunsplit writes `//` even with an empty netloc (urllib.parse.uses_netloc). */
const USES_NETLOC = new Set([
  '',
  'ftp',
  'http',
  'gopher',
  'nntp',
  'telnet',
  'imap',
  'wais',
  'file',
  'mms',
  'https',
  'shttp',
  'snews',
  'prospero',
  'rtsp',
  'rtsps',
  'rtspu',
  'rsync',
  'svn',
  'svn+ssh',
  'sftp',
  'nfs',
  'git',
  'git+ssh',
  'ws',
  'wss',
  'itms-services',
]);

/** Schemes whose last path segment may carry `;params` (urllib.parse.uses_params). */
export const USES_PARAMS = new Set([
  '',
  'ftp',
  'hdl',
  'prospero',
  'http',
  'imap',
  'https',
  'shttp',
  'rtsp',
  'rtsps',
  'rtspu',
  'sip',
  'sips',
  'mms',
  'sftp',
  'tel',
]);

export interface SplitUrl {
  /** Lower-cased; '' when there is none. */
  scheme: string;
  /** undefined when the URL has no `//` authority part. */
  netloc: string | undefined;
  path: string;
  query: string | undefined;
  fragment: string | undefined;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/** The scheme urlsplit would read, lower-cased ('' when there is none). */
export function urlScheme(url: string): string {
  return SCHEME.exec(url)?.[1]?.toLowerCase() ?? '';
}

/** urllib.parse.urlsplit (`allowFragments` false: a `#` stays in the path / query). */
export function urlsplit(url: string, allowFragments = true): SplitUrl {
  let rest = url;
  let scheme = '';
  const sm = SCHEME.exec(rest);
  if (sm) {
    scheme = sm[1]!.toLowerCase();
    rest = rest.slice(sm[0].length);
  }
  let netloc: string | undefined;
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end < 0 ? '' : rest.slice(end + 2);
  }
  let fragment: string | undefined;
  const hash = allowFragments ? rest.indexOf('#') : -1;
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  return { scheme, netloc, path: rest, query, fragment };
}

/** urllib.parse.urlunsplit */
export function urlunsplit(p: SplitUrl): string {
  let url = p.path;
  if (p.netloc || (p.scheme && USES_NETLOC.has(p.scheme) && !url.startsWith('//'))) {
    if (url && !url.startsWith('/')) url = '/' + url;
    url = '//' + (p.netloc ?? '') + url;
  }
  if (p.scheme) url = p.scheme + ':' + url;
  if (p.query) url += '?' + p.query;
  if (p.fragment) url += '#' + p.fragment;
  return url;
}

/**
 * urllib.parse.unquote applied until the text stops changing (at most 10 times), as
 * mlflow.utils.uri._decode does to look for traversal in query strings.
 */
export function unquoteFully(s: string): string {
  let cur = s;
  for (let i = 0; i < 10; i++) {
    let next: string;
    try {
      next = decodeURIComponent(cur);
    } catch {
      return cur;
    }
    if (next === cur) return cur;
    cur = next;
  }
  return cur;
}

/**
 * `urlparse(url)`'s `.scheme` and `.hostname` with urlsplit's input cleaning (leading C0 controls
 * and spaces stripped, tab / CR / LF removed) and its checks of a bracketed host. Throws
 * Error(message) where Python raises ValueError(message). hostname: lower-cased (the scope of an
 * IPv6 literal kept as written), brackets removed, undefined when empty.
 */
export function urlHostname(input: string): { scheme: string; hostname: string | undefined } {
  let start = 0;
  while (start < input.length && input.charCodeAt(start) <= 0x20) start++;
  const { scheme, netloc = '' } = urlsplit(input.slice(start).replace(/[\t\r\n]/g, ''));
  const open = netloc.includes('[');
  if (open !== netloc.includes(']')) throw new Error('Invalid IPv6 URL');
  if (open) {
    const host = netloc.split('[')[1]!.split(']')[0]!;
    if (host.startsWith('v')) {
      if (!/^v[0-9a-fA-F]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$/.test(host))
        throw new Error('IPvFuture address is invalid');
    } else if (!isIPv6(host.replace(/%.*$/, ''))) {
      throw new Error(`'${host}' does not appear to be an IPv4 or IPv6 address`);
    }
  }
  const hostinfo = netloc.slice(netloc.lastIndexOf('@') + 1);
  const host = hostinfo.includes('[') ? hostinfo.split('[')[1]!.split(']')[0]! : hostinfo.split(':')[0]!;
  if (!host) return { scheme, hostname: undefined };
  const pct = host.indexOf('%');
  return {
    scheme,
    hostname: pct < 0 ? host.toLowerCase() : host.slice(0, pct).toLowerCase() + host.slice(pct),
  };
}

/** urllib.parse.urlparse's path and params: `;params` of the last segment split off for USES_PARAMS schemes. */
export function urlparse(url: string, allowFragments = true): SplitUrl & { params: string } {
  const u = urlsplit(url, allowFragments);
  let path = u.path;
  let params = '';
  if (USES_PARAMS.has(u.scheme) && path.includes(';')) {
    const semi = path.indexOf(';', Math.max(0, path.lastIndexOf('/')));
    if (semi >= 0) {
      params = path.slice(semi + 1);
      path = path.slice(0, semi);
    }
  }
  return { ...u, path, params };
}

/** SplitResult.hostname of a netloc: its host, lower-cased; undefined when empty. */
export function netlocHostname(netloc: string | undefined): string | undefined {
  const hostPort = (netloc ?? '').slice((netloc ?? '').lastIndexOf('@') + 1);
  let host: string;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    host = hostPort.slice(1, close < 0 ? undefined : close);
  } else {
    const c = hostPort.indexOf(':');
    host = c < 0 ? hostPort : hostPort.slice(0, c);
  }
  return host ? host.toLowerCase() : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** urllib.parse.unquote: %XX runs decoded as UTF-8 (invalid bytes -> U+FFFD), the rest kept. */
export function unquote(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    return utf8.decode(bytes);
  });
}

/** urllib.parse.unquote_plus: `+` is a space. */
export function unquotePlus(s: string): string {
  return unquote(s.replace(/\+/g, ' '));
}
