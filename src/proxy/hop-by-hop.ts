import type { IncomingHttpHeaders } from 'node:http';

/**
 * Headers that describe one hop (RFC 9110 §7.6.1) and must never cross the proxy, plus the
 * ones undici refuses to send. Any header named in `Connection` is hop-by-hop too; this is
 * applied before the proxy adds its own headers so a client cannot strip those (CVE-2026-33805).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'expect',
]);

export type HeaderMap = Record<string, string | string[]>;

export function stripHopByHop(
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
): HeaderMap {
  const named = new Set<string>();
  const conn = headers.connection;
  for (const v of Array.isArray(conn) ? conn : conn ? [conn] : []) {
    for (const token of String(v).split(',')) {
      const t = token.trim().toLowerCase();
      if (t) named.add(t);
    }
  }
  const out: HeaderMap = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const k = key.toLowerCase();
    if (HOP_BY_HOP.has(k) || named.has(k)) continue;
    out[k] = value;
  }
  return out;
}

/** Request headers the proxy sets itself: a client's copies never reach the child. */
const SET_BY_PROXY = new Set([
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
  'forwarded',
  // Re-sent once by undici from the value we give it (it refuses a repeated one).
  'content-length',
]);

/**
 * The client's request headers as they came (Node's rawHeaders: every occurrence, in order, names
 * as spelled, values as latin1 strings of the received bytes) less hop-by-hop ones, those named in
 * `Connection` and those the proxy sets: a flat [name, value, ...] list, which undici writes in
 * that order. `Host` stays as the client sent it.
 */
export function forwardableRequestHeaders(
  rawHeaders: readonly string[],
  connection: string | undefined,
): string[] {
  const named = new Set<string>();
  if (connection) {
    for (const token of connection.split(',')) {
      const t = token.trim().toLowerCase();
      if (t) named.add(t);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const k = name.toLowerCase();
    if (HOP_BY_HOP.has(k) || SET_BY_PROXY.has(k) || named.has(k)) continue;
    out.push(name, rawHeaders[i + 1]!);
  }
  return out;
}
