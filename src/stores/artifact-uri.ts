import { posix } from 'node:path';
import { MlflowError } from '../errors/mlflow-error.js';

/** Schemes for which Python's urlunparse writes `//` even with an empty netloc (urllib.parse.uses_netloc). */
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

export interface ParsedUri {
  scheme: string;
  netloc: string | undefined;
  path: string;
  query: string | undefined;
  fragment: string | undefined;
}

/** urllib.parse.urlparse, for the parts MLflow's URI helpers use. */
export function parseUri(uri: string): ParsedUri {
  let rest = uri;
  let scheme = '';
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
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

/** urllib.parse.urlunparse of parseUri's parts. */
export function unparseUri(p: ParsedUri): string {
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

/** mlflow.utils.uri._join_posixpaths_and_append_absolute_suffixes */
function joinAppendingAbsolute(prefix: string, suffix: string): string {
  if (prefix.length === 0) return suffix;
  return pyPosixJoin(prefix, suffix.replace(/^\/+/, ''));
}

/** posixpath.join for two parts (no normalization, unlike node's path.posix.join). */
function pyPosixJoin(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  if (a === '' || a.endsWith('/')) return a + b;
  return a + '/' + b;
}

/** Repeatedly URL-decodes, as mlflow.utils.uri._decode, to look for traversal in query strings. */
function decodeFully(s: string): string {
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

/** mlflow.utils.uri.append_to_uri_path */
export function appendToUriPath(uri: string, ...paths: string[]): string {
  let path = '';
  for (const sub of paths) path = joinAppendingAbsolute(path, sub);
  const parsed = parseUri(uri);
  if (parsed.query !== undefined && decodeFully(parsed.query).includes('..')) {
    throw MlflowError.invalidParameter('Invalid query string');
  }
  if (parsed.scheme.length === 0) return joinAppendingAbsolute(uri, path);
  if (!parsed.path.startsWith('/')) {
    // urlunparse would turn a relative path into an absolute one; keep the scheme as a prefix.
    const noScheme = { ...parsed, scheme: '' };
    return `${parsed.scheme}:` + unparseUri({ ...noScheme, path: joinAppendingAbsolute(parsed.path, path) });
  }
  return unparseUri({ ...parsed, path: joinAppendingAbsolute(parsed.path, path) });
}

/** mlflow.utils.uri.is_local_uri on POSIX: no scheme, or `file:`. */
function isLocalUri(uri: string): boolean {
  const scheme = parseUri(uri).scheme;
  return scheme === '' || scheme === 'file';
}

/**
 * mlflow.utils.uri.resolve_uri_if_local (POSIX): a relative local path becomes absolute against the
 * working directory; `file:` URIs with a relative path keep their scheme.
 */
export function resolveUriIfLocal(uri: string, cwd: string = process.cwd()): string {
  if (!isLocalUri(uri)) return uri;
  const p = parseUri(uri);
  const localPath = p.scheme === 'file' ? decodeURIComponent(p.path) : uri;
  if (posix.isAbsolute(localPath)) return uri;
  const abs = pyPathlibJoin(cwd, localPath);
  if (p.scheme === '') return abs;
  return unparseUri({ scheme: p.scheme, netloc: undefined, path: abs, query: p.query, fragment: p.fragment });
}

/** pathlib.Path(cwd).joinpath(rel).as_posix(): drops `.` segments and duplicate slashes, keeps `..`. */
function pyPathlibJoin(cwd: string, rel: string): string {
  const parts = [...cwd.split('/'), ...rel.split('/')].filter((s) => s !== '' && s !== '.');
  return '/' + parts.join('/');
}
