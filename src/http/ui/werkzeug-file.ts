/**
 * A file as werkzeug's send_file sends it inline (Flask's send_from_directory, which serves the
 * UI): the MIME type from Python's mimetypes (with werkzeug's charset rule), `inline` disposition,
 * Last-Modified, `no-cache` or `public, max-age` with Expires, the `"<mtime>-<size>-<adler32>"`
 * ETag, then make_conditional: 304 for a matching If-None-Match / If-Modified-Since, 206 for one
 * satisfiable byte range.
 */
import type { FileHandle } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { RawReply } from '../../services/raw-reply.js';
import { pyGuessType } from '../../stores/artifacts/mime.js';

export interface StaticFile {
  /** The path werkzeug computes its ETag from (the build directory joined with the file). */
  path: string;
  handle: FileHandle;
  size: number;
  mtimeMs: number;
  /** os.stat().st_mtime as Python computes it (seconds, a double). */
  mtimeNs: number | bigint;
}

/** werkzeug.utils.get_content_type: text types, a few application types and +xml get a charset. */
const CHARSET_TYPES = new Set([
  'application/ecmascript',
  'application/javascript',
  'application/sql',
  'application/xml',
  'application/xml-dtd',
  'application/xml-external-parsed-entity',
]);

function contentType(mimetype: string): string {
  return mimetype.startsWith('text/') || CHARSET_TYPES.has(mimetype) || mimetype.endsWith('+xml')
    ? `${mimetype}; charset=utf-8`
    : mimetype;
}

const TOKEN_CHARS = /^[!#$%&'*+\-.0-9A-Z^_`a-z|~]+$/;

/** Content-Disposition: inline with werkzeug's quoting (ASCII names only reach here from a build). */
function inlineDisposition(name: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(name)) {
    // eslint-disable-next-line no-control-regex
    const simple = name.normalize('NFKD').replace(/[^\x00-\x7f]/g, '');
    const quoted = Array.from(Buffer.from(name, 'utf8'))
      .map((b) => {
        const ch = String.fromCharCode(b);
        return /^[A-Za-z0-9_.\-~!#$&+^`|]$/.test(ch)
          ? ch
          : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
      })
      .join('');
    return `inline; filename=${quote(simple)}; filename*=UTF-8''${quoted}`;
  }
  return `inline; filename=${quote(name)}`;
}

function quote(value: string): string {
  if (!value) return '""';
  if (TOKEN_CHARS.test(value)) return value;
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** str(st_mtime): Python's repr of the same double (sec + nsec * 1e-9). */
function pyMtime(mtimeNs: number | bigint, mtimeMs: number): string {
  let seconds: number;
  if (typeof mtimeNs === 'bigint') {
    const sec = mtimeNs / 1_000_000_000n;
    const nsec = mtimeNs % 1_000_000_000n;
    seconds = Number(sec) + Number(nsec) * 1e-9;
  } else {
    seconds = mtimeMs / 1000;
  }
  return Number.isInteger(seconds) ? `${seconds}.0` : String(seconds);
}

/** zlib.adler32 of the UTF-8 bytes. */
function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(s, 'utf8')) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function httpDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toUTCString();
}

/** werkzeug.http.parse_etags: the entity tags of If-None-Match (weak ones compare by value). */
function etagMatches(header: string, etag: string): boolean {
  const bare = etag.slice(1, -1);
  return header.split(',').some((raw) => {
    const t = raw.trim();
    if (t === '*') return true;
    const strong = t.startsWith('W/') ? t.slice(2) : t;
    return strong === etag || strong === bare;
  });
}

/** One `bytes=a-b` / `bytes=a-` / `bytes=-n` range satisfiable for `size`, else undefined. */
function singleRange(header: string, size: number): [number, number] | undefined {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || size === 0) return undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return undefined;
    return [Math.max(size - n, 0), size];
  }
  const start = Number(a);
  const end = b === '' ? size : Math.min(Number(b) + 1, size);
  if (start >= size || start >= end) return undefined;
  return [start, end];
}

export function werkzeugFileReply(
  file: StaticFile,
  headers: IncomingHttpHeaders | undefined,
  opts: { maxAge: number | undefined; now?: number },
): RawReply {
  const name = file.path.slice(file.path.lastIndexOf('/') + 1);
  const [mimetype, encoding] = pyGuessType(name);
  const etag = `"${pyMtime(file.mtimeNs, file.mtimeMs)}-${file.size}-${adler32(file.path)}"`;
  const lastModified = httpDate(file.mtimeMs);
  const out: Record<string, string> = {
    'content-disposition': inlineDisposition(name),
    'content-type': contentType(mimetype ?? 'application/octet-stream'),
    'content-length': String(file.size),
    'last-modified': lastModified,
    'cache-control': opts.maxAge && opts.maxAge > 0 ? `public, max-age=${opts.maxAge}` : 'no-cache',
  };
  if (encoding !== undefined) out['content-encoding'] = encoding;
  if (opts.maxAge !== undefined) {
    out.expires = httpDate(Math.floor((opts.now ?? Date.now()) / 1000 + opts.maxAge) * 1000);
  }
  out.etag = etag;
  out['accept-ranges'] = 'bytes';

  const range = headers?.range === undefined ? undefined : singleRange(headers.range, file.size);
  if (range) {
    const [start, end] = range;
    out['content-range'] = `bytes ${start}-${end - 1}/${file.size}`;
    out['content-length'] = String(end - start);
    return new RawReply(206, out, file.handle.createReadStream({ start, end: end - 1 }));
  }

  // is_resource_modified: If-Modified-Since first, then If-None-Match decides when given.
  let unmodified = false;
  const ims = headers?.['if-modified-since'];
  if (ims) {
    const since = Date.parse(ims);
    if (!Number.isNaN(since) && Math.floor(file.mtimeMs / 1000) * 1000 <= since) unmodified = true;
  }
  const inm = headers?.['if-none-match'];
  if (inm) unmodified = etagMatches(inm, etag);
  if (unmodified) {
    void file.handle.close();
    // A 304 carries no entity headers but Expires (werkzeug's remove_entity_headers).
    for (const h of ['content-type', 'content-length', 'last-modified', 'content-encoding']) {
      delete out[h];
    }
    return new RawReply(304, out, undefined);
  }
  return new RawReply(200, out, file.handle.createReadStream());
}
