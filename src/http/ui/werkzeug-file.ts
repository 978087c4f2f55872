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
import { contentDisposition } from '../../services/artifacts/disposition.js';
import { adler32, httpDate, pyMtime } from '../../services/artifacts/file-reply.js';

export interface StaticFile {
  /** The path werkzeug computes its ETag from (the build directory joined with the file). */
  path: string;
  handle: FileHandle;
  size: number;
  mtimeMs: number;
  /** The nanoseconds of os.stat().st_mtime (Python's st_mtime is computed from them). */
  mtimeNs: bigint;
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
  const etag = `"${pyMtime(file.mtimeMs, file.mtimeNs)}-${file.size}-${adler32(file.path)}"`;
  const lastModified = httpDate(file.mtimeMs);
  const out: Record<string, string> = {
    'content-disposition': contentDisposition('inline', name),
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
