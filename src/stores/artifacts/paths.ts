/**
 * Artifact path checks of the pinned release (mlflow.utils.uri.validate_path_is_safe and the
 * helpers it calls), on a POSIX server. Used by the services on request paths and by the local
 * repository on every path it joins to its root.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { unquote, urlsplit, urlunsplit } from '../../py/urlparse.js';

/** Thrown where the Python helper raises a plain ValueError (the request answers a bare 500). */
export class PathDecodeError extends Error {}

/** urlunparse(urlparse(s)) as Python 3.11 does it: tab/CR/LF removed, leading C0/space stripped. */
function pyReparse(s: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = s.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  return urlunsplit(urlsplit(cleaned));
}

/** mlflow.utils.uri._decode: unquote until the URL stops changing (at most 10 rounds). */
export function pyDecodeUrl(url: string): string {
  let cur = url;
  for (let i = 0; i < 10; i++) {
    const parsed = pyReparse(unquote(cur));
    if (parsed === cur) return cur;
    cur = parsed;
  }
  throw new PathDecodeError('ValueError: Failed to decode url');
}

/** Control characters (0-31, 127) as %xx, as _escape_control_characters does. */
function escapeControlCharacters(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** pathlib.PureWindowsPath(p).is_absolute(): a drive letter with a root, or a UNC share. */
function isWindowsAbsolute(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || /^[\\/]{2}[^\\/]+[\\/]+[^\\/]/.test(p);
}

/** The "Invalid path" error of validate_path_is_safe. */
export function invalidPath(): MlflowError {
  return new MlflowError('Invalid path', 'INVALID_PARAMETER_VALUE');
}

/**
 * validate_path_is_safe: the decoded path (control characters escaped) when it is safe to join
 * to a trusted root: no `#`, no `..` segment, not absolute (POSIX or Windows), `file:` URIs
 * reduced to their path first.
 */
export function validatePathIsSafe(path: string): string {
  let p = escapeControlCharacters(pyDecodeUrl(path));
  if (p.includes('#')) throw invalidPath();
  if (urlsplit(p).scheme === 'file') p = localFileUriToPath(p);
  if (p.split('/').includes('..') || p.startsWith('/') || isWindowsAbsolute(p)) throw invalidPath();
  return p;
}

/** mlflow.utils.file_utils.local_file_uri_to_path on POSIX. */
export function localFileUriToPath(uri: string): string {
  return unquote(uri.startsWith('file:') ? urlsplit(uri).path : uri);
}

/** posixpath.normpath */
export function posixNormpath(p: string): string {
  if (p === '') return '.';
  const initial = p.startsWith('/') ? (p.startsWith('//') && !p.startsWith('///') ? 2 : 1) : 0;
  const out: string[] = [];
  for (const comp of p.split('/')) {
    if (comp === '' || comp === '.') continue;
    if (comp !== '..' || (initial === 0 && out.length === 0) || (out.length > 0 && out.at(-1) === '..')) {
      out.push(comp);
    } else if (out.length > 0) {
      out.pop();
    }
  }
  const joined = '/'.repeat(initial) + out.join('/');
  return joined || '.';
}

/** posixpath.split: (head without trailing slashes unless all slashes, tail). */
export function posixSplit(p: string): [string, string] {
  const i = p.lastIndexOf('/') + 1;
  let head = p.slice(0, i);
  const tail = p.slice(i);
  if (head && head !== '/'.repeat(head.length)) head = head.replace(/\/+$/, '');
  return [head, tail];
}

/** ntpath.basename: the part after the last `/` or `\` (after a drive). */
export function ntBasename(p: string): string {
  const rest = /^[A-Za-z]:/.test(p) ? p.slice(2) : p;
  const i = Math.max(rest.lastIndexOf('/'), rest.lastIndexOf('\\'));
  return rest.slice(i + 1);
}

/** The `Invalid artifact path` error of verify_artifact_path (an INTERNAL_ERROR in MLflow). */
export function verifyArtifactPath(artifactPath: string | undefined): void {
  if (!artifactPath) return;
  const norm = posixNormpath(artifactPath);
  if (norm !== artifactPath || norm === '.' || norm.startsWith('..') || norm.startsWith('/')) {
    throw new MlflowError(
      `Invalid artifact path: '${artifactPath}'. Names may be treated as files in certain cases, and must ` +
        `not resolve to other names when treated as such. This name would resolve to ${pyStrRepr(norm)}`,
    );
  }
}

/** Python repr() of a str (quote choice and escapes as Python picks them). */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}
