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
