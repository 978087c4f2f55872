// Closed-loop load generator: an undici Pool with keep-alive, a fixed number of in-flight
// requests, bounded by count and by time, with a per-request latency record.
import { Pool } from 'undici';
import type { MlflowAnswer } from './json.js';

export interface Req {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown; // JSON-serialized when not a string
  headers?: Record<string, string>; // besides content-type: application/json
}

/** Classifies a response: 'ok', 'expected' (an error the scenario asks for), or an error label. */
export type Check = (status: number, body: string, i: number) => 'ok' | 'expected' | string;

export interface LoadResult {
  ok: number;
  expected: number;
  errors: number;
  errorKinds: Record<string, number>;
  okIdx: number[]; // request indices answered 'ok'
  lat: number[]; // ms, one per completed request (ok + expected + errors)
  elapsedMs: number;
  bytesIn: number;
}

export const defaultCheck: Check = (status, body) => {
  if (status === 200) return 'ok';
  let code: string;
  try {
    code = (JSON.parse(body) as MlflowAnswer).error_code ?? '';
  } catch {
    code = body.slice(0, 60).replace(/\s+/g, ' ');
  }
  if (/database is locked/i.test(body)) code += ' (database is locked)';
  if (/deadlock/i.test(body)) code += ' (deadlock)';
  return `HTTP ${status} ${code}`.trim();
};

export async function runLoad(opts: {
  baseUrl: string;
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  firstIndex?: number; // request indices are firstIndex, firstIndex + 1, ...
  make: (i: number) => Req;
  check?: Check;
  timeoutMs?: number;
}): Promise<LoadResult> {
  const pool = new Pool(opts.baseUrl, {
    connections: opts.concurrency,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: opts.timeoutMs ?? 120_000,
    bodyTimeout: opts.timeoutMs ?? 120_000,
  });
  const check = opts.check ?? defaultCheck;
  const res: LoadResult = {
    ok: 0,
    expected: 0,
    errors: 0,
    errorKinds: {},
    okIdx: [],
    lat: [],
    elapsedMs: 0,
    bytesIn: 0,
  };
  const first = opts.firstIndex ?? 0;
  let next = first;
  const t0 = performance.now();
  const deadline = t0 + opts.durationMs;
  const worker = async () => {
    while (next - first < opts.maxRequests && performance.now() < deadline) {
      const i = next++;
      const r = opts.make(i);
      const body =
        r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      const ts = performance.now();
      let kind: string;
      try {
        const resp = await pool.request({
          method: r.method,
          path: r.path,
          body,
          headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...r.headers },
        });
        const text = await resp.body.text();
        res.bytesIn += text.length;
        kind = check(resp.statusCode, text, i);
      } catch (e) {
        kind = `client error ${(e as Error).message.slice(0, 60)}`;
      }
      res.lat.push(performance.now() - ts);
      if (kind === 'ok') {
        res.ok++;
        res.okIdx.push(i);
      } else if (kind === 'expected') res.expected++;
      else {
        res.errors++;
        res.errorKinds[kind] = (res.errorKinds[kind] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  res.elapsedMs = performance.now() - t0;
  await pool.close();
  return res;
}

export function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

/** One JSON request (for setup steps); throws on a non-200. */
export async function call(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<MlflowAnswer> {
  const { request } = await import('undici');
  // Setup calls only: a connection-level failure (a worker restarted) is retried twice.
  let r: Awaited<ReturnType<typeof request>> | undefined;
  let text: string;
  for (let attempt = 0; ; attempt++) {
    try {
      r = await request(baseUrl + path, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        headersTimeout: 600_000,
        bodyTimeout: 600_000,
      });
      text = await r.body.text();
      break;
    } catch (e) {
      if (attempt >= 2) throw e;
      await new Promise((res) => setTimeout(res, 1000));
    }
  }
  if (r.statusCode !== 200) throw new Error(`${method} ${path} -> ${r.statusCode}: ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as MlflowAnswer) : {};
}
