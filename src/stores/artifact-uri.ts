import { posix } from 'node:path';
import { MlflowError } from '../errors/mlflow-error.js';
import { pathlibJoin, posixJoin } from '../py/path.js';
import { unquoteFully, urlsplit, urlunsplit } from '../py/urlparse.js';

/** mlflow.utils.uri._join_posixpaths_and_append_absolute_suffixes */
function joinAppendingAbsolute(prefix: string, suffix: string): string {
  if (prefix.length === 0) return suffix;
  return posixJoin(prefix, suffix.replace(/^\/+/, ''));
}

/** mlflow.utils.uri.append_to_uri_path */
export function appendToUriPath(uri: string, ...paths: string[]): string {
  let path = '';
  for (const sub of paths) path = joinAppendingAbsolute(path, sub);
  const parsed = urlsplit(uri);
  if (parsed.query !== undefined && unquoteFully(parsed.query).includes('..')) {
    throw MlflowError.invalidParameter('Invalid query string');
  }
  if (parsed.scheme.length === 0) return joinAppendingAbsolute(uri, path);
  if (!parsed.path.startsWith('/')) {
    // urlunparse would turn a relative path into an absolute one; keep the scheme as a prefix.
    const noScheme = { ...parsed, scheme: '' };
    return `${parsed.scheme}:` + urlunsplit({ ...noScheme, path: joinAppendingAbsolute(parsed.path, path) });
  }
  return urlunsplit({ ...parsed, path: joinAppendingAbsolute(parsed.path, path) });
}

/** mlflow.utils.uri.is_local_uri on POSIX: no scheme, or `file:`. */
function isLocalUri(uri: string): boolean {
  const scheme = urlsplit(uri).scheme;
  return scheme === '' || scheme === 'file';
}

/**
 * mlflow.utils.uri.resolve_uri_if_local (POSIX): a relative local path becomes absolute against the
 * working directory; `file:` URIs with a relative path keep their scheme.
 */
export function resolveUriIfLocal(uri: string, cwd: string = process.cwd()): string {
  if (!isLocalUri(uri)) return uri;
  const p = urlsplit(uri);
  const localPath = p.scheme === 'file' ? decodeURIComponent(p.path) : uri;
  if (posix.isAbsolute(localPath)) return uri;
  const abs = pathlibJoin(cwd, localPath);
  if (p.scheme === '') return abs;
  return urlunsplit({ scheme: p.scheme, netloc: undefined, path: abs, query: p.query, fragment: p.fragment });
}
