/**
 * The pieces of Python's urllib.parse that model version source checks depend on: urlsplit /
 * urlparse (3.11 rules: scheme detection, netloc, query, fragment, `;params`), hostname, unquote
 * and unquote_plus (UTF-8, invalid bytes replaced).
 */

export interface PyUrl {
  scheme: string;
  netloc: string;
  path: string;
  params: string;
  query: string;
  fragment: string;
}

const SCHEME_CHARS = /^[A-Za-z][A-Za-z0-9+\-.]*$/;
const USES_PARAMS = new Set([
  '',
  'ftp',
  'hdl',
  'prospero',
  'http',
  'imap',
  'https',
  'shttp',
  'rtsp',
  'rtspu',
  'sip',
  'sips',
  'mms',
  'sftp',
  'tel',
]);

/** urllib.parse.urlsplit (params left in the path). */
export function urlsplit(input: string, allowFragments = true): Omit<PyUrl, 'params'> {
  // 3.11 strips leading C0 controls / spaces and removes tab and newline characters.
  // eslint-disable-next-line no-control-regex
  let url = input.replace(/^[\u0000-\u0020]+/, '').replace(/[\t\r\n]/g, '');
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
    url = end < 0 ? '' : rest.slice(end);
  }
  let fragment = '';
  if (allowFragments) {
    const hash = url.indexOf('#');
    if (hash >= 0) {
      fragment = url.slice(hash + 1);
      url = url.slice(0, hash);
    }
  }
  let query = '';
  const q = url.indexOf('?');
  if (q >= 0) {
    query = url.slice(q + 1);
    url = url.slice(0, q);
  }
  return { scheme, netloc, path: url, query, fragment };
}

/** urllib.parse.urlparse: urlsplit plus `;params` of the last segment for the schemes using them. */
export function urlparse(input: string, allowFragments = true): PyUrl {
  const s = urlsplit(input, allowFragments);
  let path = s.path;
  let params = '';
  if (USES_PARAMS.has(s.scheme) && path.includes(';')) {
    const slash = path.lastIndexOf('/');
    const semi = path.indexOf(';', slash < 0 ? 0 : slash);
    if (semi >= 0) {
      params = path.slice(semi + 1);
      path = path.slice(0, semi);
    }
  }
  return { ...s, path, params };
}

/** ParseResult.hostname: the host of the netloc, lower-cased, or undefined when empty. */
export function hostname(netloc: string): string | undefined {
  const hostPort = netloc.slice(netloc.lastIndexOf('@') + 1);
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

const decoder = new TextDecoder('utf-8', { fatal: false });

/** urllib.parse.unquote: %XX runs decoded as UTF-8 (invalid bytes -> U+FFFD), the rest kept. */
export function unquote(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    return decoder.decode(bytes);
  });
}

export function unquotePlus(s: string): string {
  return unquote(s.replace(/\+/g, ' '));
}
