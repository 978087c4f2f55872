/**
 * An artifact download as the pinned release sends it (Starlette's FileResponse in
 * server/artifact_router.py): the MIME type MLflow guesses, always as an attachment, nosniff,
 * Content-Length, Last-Modified, an ETag, and single byte ranges. The bytes stream from the
 * backend.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ArtifactReadable } from '../../stores/artifacts/repository.js';
import { RawReply } from '../raw-reply.js';
import { contentDispositionAttachment } from './disposition.js';
import { guessMimeType } from '../../stores/artifacts/mime.js';

/** email.utils.formatdate(t, usegmt=True) */
export function httpDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toUTCString();
}

/**
 * Python's str() of os.stat().st_mtime (a float of seconds). With the nanoseconds (a bigint stat),
 * the same double Python computes (sec + nsec * 1e-9), so the digits match.
 */
export function pyMtime(ms: number, ns?: bigint): string {
  const s = ns === undefined ? ms / 1000 : Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) * 1e-9;
  return Number.isInteger(s) ? `${s}.0` : String(s);
}

class MalformedRange {
  constructor(readonly text: string = 'Malformed range header.') {}
}
const UNSATISFIABLE = Symbol('unsatisfiable');

/** Python int() of a stripped string, or undefined where int() raises. */
function pyInt(s: string): number | undefined {
  return /^[+-]?\d+(_\d+)*$/.test(s) ? Number(s.replaceAll('_', '')) : undefined;
}

/**
 * Starlette FileResponse._parse_range_header: the ranges asked for (merged), [] to send the
 * whole file, or why the header is refused.
 */
function parseRanges(
  header: string,
  size: number,
): [number, number][] | MalformedRange | typeof UNSATISFIABLE {
  const eq = header.indexOf('=');
  if (eq < 0) return new MalformedRange();
  if (header.slice(0, eq).trim().toLowerCase() !== 'bytes')
    return new MalformedRange('Only support bytes range');
  const spec = header.slice(eq + 1);
  if (spec.split(',').length > 100) return [];
  const ranges: [number, number][] = [];
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (!part || part === '-' || !part.includes('-')) continue;
    const dash = part.indexOf('-');
    const startStr = part.slice(0, dash).trim();
    const endStr = part.slice(dash + 1).trim();
    const start = startStr ? pyInt(startStr) : endStr ? pyInt(endStr) : undefined;
    const endNum = endStr ? pyInt(endStr) : undefined;
    if (start === undefined || (endStr && endNum === undefined)) continue;
    const from = startStr ? start : Math.max(size - start, 0);
    const to = startStr && endStr && endNum! < size ? endNum! + 1 : size;
    ranges.push([from, to]);
  }
  if (ranges.length === 0) return new MalformedRange('Range header: range must be requested');
  if (ranges.some(([start]) => !(start >= 0 && start < size))) return UNSATISFIABLE;
  if (ranges.some(([start, end]) => start >= end))
    return new MalformedRange('Range header: start must be less than end');
  ranges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: [number, number][] = [ranges[0]!];
  for (const [start, end] of ranges.slice(1)) {
    const last = merged.at(-1)!;
    if (start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** zlib.adler32 of the UTF-8 bytes (werkzeug's ETag checksum of the file path). */
export function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(s, 'utf8')) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * A download as Flask's send_file sends it (the UI's GET /get-artifact): werkzeug's ETag and
 * Cache-Control, a matching If-None-Match answered 304, a single satisfiable range 206.
 */
export function flaskFileReply(
  file: ArtifactReadable,
  artifactName: string,
  headers: IncomingHttpHeaders | undefined,
): RawReply {
  const filename = artifactName.slice(artifactName.lastIndexOf('/') + 1);
  const etag = `"${pyMtime(file.mtimeMs)}-${file.size}-${adler32(file.etagSeed)}"`;
  const base: Record<string, string> = {
    'content-disposition': contentDispositionAttachment(filename),
    'content-type': guessMimeType(file.etagSeed),
    'last-modified': httpDate(file.mtimeMs),
    'cache-control': 'no-cache',
    etag,
    'accept-ranges': 'bytes',
    'x-content-type-options': 'nosniff',
  };
  const inm = headers?.['if-none-match'];
  if (inm !== undefined && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    file.close();
    return new RawReply(304, base, undefined);
  }
  const range = headers?.range === undefined ? undefined : parseRanges(headers.range, file.size);
  if (Array.isArray(range) && range.length === 1) {
    const [start, end] = range[0]!;
    return new RawReply(
      206,
      {
        ...base,
        'content-range': `bytes ${start}-${end - 1}/${file.size}`,
        'content-length': String(end - start),
      },
      file.stream([start, end]),
    );
  }
  return new RawReply(200, { ...base, 'content-length': String(file.size) }, file.stream());
}

export function fileReply(
  file: ArtifactReadable,
  artifactName: string,
  headers: IncomingHttpHeaders | undefined,
): RawReply {
  const filename = artifactName.slice(artifactName.lastIndexOf('/') + 1);
  const lastModified = httpDate(file.mtimeMs);
  const etag = `"${createHash('md5')
    .update(`${pyMtime(file.mtimeMs)}-${file.size}`)
    .digest('hex')}"`;
  const base: Record<string, string> = {
    'content-type': guessMimeType(file.etagSeed),
    'content-disposition': contentDispositionAttachment(filename),
    'x-content-type-options': 'nosniff',
    'accept-ranges': 'bytes',
    'last-modified': lastModified,
    etag,
  };
  const rangeHeader = headers?.range;
  const ifRange = headers?.['if-range'];
  const useRange =
    rangeHeader !== undefined && (ifRange === undefined || ifRange === lastModified || ifRange === etag);
  const ranges = useRange ? parseRanges(rangeHeader, file.size) : [];
  if (ranges instanceof MalformedRange) {
    file.close();
    return new RawReply(400, { 'content-type': 'text/plain; charset=utf-8' }, ranges.text);
  }
  if (ranges === UNSATISFIABLE) {
    file.close();
    return new RawReply(
      416,
      { 'content-type': 'text/plain; charset=utf-8', 'content-range': `bytes */${file.size}` },
      '',
    );
  }
  // Several disjoint ranges (multipart/byteranges in Starlette) are answered with the whole file.
  if (ranges.length === 1) {
    const [start, end] = ranges[0]!;
    return new RawReply(
      206,
      {
        ...base,
        'content-range': `bytes ${start}-${end - 1}/${file.size}`,
        'content-length': String(end - start),
      },
      file.stream([start, end]),
    );
  }
  return new RawReply(200, { ...base, 'content-length': String(file.size) }, file.stream());
}
