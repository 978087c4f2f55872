/** urllib.parse: urlsplit / urlunsplit for the parts MLflow's URI helpers use, and unquote. */

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

/** urllib.parse.urlsplit */
export function urlsplit(url: string): SplitUrl {
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
  const hash = rest.indexOf('#');
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
