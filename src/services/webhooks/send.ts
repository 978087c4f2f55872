/**
 * One webhook POST as MLflow's requests session sends it (mlflow/webhooks/delivery.py): urllib3's
 * Retry(total=max_retries, status_forcelist 429/500/502/503/504, POST retried, backoff factor 1 with
 * up to 1 s of jitter capped at 60 s, Retry-After honoured, the last response returned when the
 * retries run out), the request timeout for connect and for each read, redirects followed as
 * requests does (up to 30), and every connection checked by connect.ts. No proxy is used.
 */
import { request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import type { Socket } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { reprStr } from '../../py/repr.js';
import { ConnectFailure, connectChecked, errnoText, SsrfProtectionError } from './connect.js';

export interface SendOptions {
  allowPrivateIps: boolean;
  timeoutMs: number;
  maxRetries: number;
  /** Sleeps between attempts (tests shorten them). */
  sleepMs?: (ms: number) => Promise<unknown>;
}

export interface WebhookResponse {
  status: number;
  body: string;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const RETRY_AFTER_STATUSES = new Set([413, 429, 503]);
const MAX_REDIRECTS = 30;
const BACKOFF_FACTOR = 1;
const BACKOFF_JITTER = 1;
const BACKOFF_MAX = 60;

/** A failed delivery, with the Python exception repr MLflow reports it as. */
export class DeliveryError extends Error {
  constructor(readonly pyRepr: string) {
    super(pyRepr);
    this.name = 'DeliveryError';
  }
}

class ReadFailure extends Error {
  constructor(
    readonly kind: 'read-timeout' | 'protocol',
    message: string,
  ) {
    super(message);
  }
}

interface Target {
  url: URL;
  https: boolean;
  host: string;
  port: number;
  path: string;
}

function target(url: URL): Target {
  const https = url.protocol === 'https:';
  return {
    url,
    https,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : https ? 443 : 80,
    path: (url.pathname || '/') + url.search,
  };
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function attempt(
  t: Target,
  method: string,
  body: Buffer | undefined,
  headers: Record<string, string>,
  o: SendOptions,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const requestFn = t.https ? httpsRequest : httpRequest;
    const req = requestFn({
      method,
      host: t.host,
      port: t.port,
      path: t.path,
      headers: { ...headers, ...(body ? { 'Content-Length': String(body.length) } : {}) },
      createConnection: (_opts: unknown, done: (err: Error | null, sock?: Socket) => void) => {
        connectChecked({
          https: t.https,
          hostname: t.host,
          port: t.port,
          allowPrivateIps: o.allowPrivateIps,
          timeoutMs: o.timeoutMs,
        }).then(
          (sock) => {
            sock.setTimeout(o.timeoutMs, () =>
              sock.destroy(
                new ReadFailure('read-timeout', `Read timed out. (read timeout=${o.timeoutMs / 1000})`),
              ),
            );
            done(null, sock);
          },
          (err: Error) => done(err),
        );
        return undefined;
      },
    } as unknown as RequestOptions);
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('error', reject);
      res.once('end', () => {
        res.socket?.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.end(body);
  });
}

/** urllib3's Retry-After reading: seconds, or an HTTP date (seconds from now, at least 0). */
function retryAfterSeconds(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\s*[0-9]+\s*$/.test(v)) return Number(v.trim());
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - Date.now()) / 1000);
}

/** urllib3 2.x `get_backoff_time` after `errors` consecutive failed attempts. */
function backoffSeconds(errors: number): number {
  if (errors <= 1) return 0;
  const v = BACKOFF_FACTOR * 2 ** (errors - 1) + Math.random() * BACKOFF_JITTER;
  return Math.max(0, Math.min(BACKOFF_MAX, v));
}

/** requests' text decoding: the charset parameter, else ISO-8859-1 for text/*, else UTF-8. */
function decodeBody(body: Buffer, contentType: string | undefined): string {
  const ct = (contentType ?? '').toLowerCase();
  const charset = /charset=["']?([^;"'\s]+)/.exec(ct)?.[1];
  if (charset && ['iso-8859-1', 'latin-1', 'latin1'].includes(charset)) return body.toString('latin1');
  if (!charset && ct.startsWith('text/')) return body.toString('latin1');
  return body.toString('utf8');
}

/** urllib3's pool / connection names in MLflow's messages (the SSRF-protected subclasses). */
function poolName(t: Target): string {
  const s = t.https ? 'HTTPS' : 'HTTP';
  return `_SSRFProtected${s}ConnectionPool(host=${reprStr(t.host)}, port=${t.port})`;
}
function connName(t: Target): string {
  const s = t.https ? 'HTTPS' : 'HTTP';
  return `_SSRFProtected${s}Connection(host=${reprStr(t.host)}, port=${t.port})`;
}

/** The error requests raises once urllib3 gave up on `t` after `cause`, as Python's repr. */
function exhausted(t: Target, cause: unknown): DeliveryError {
  let reason: string;
  let outer = 'ConnectionError';
  if (cause instanceof ConnectFailure) {
    if (cause.kind === 'connect-timeout') {
      outer = 'ConnectTimeout';
      reason = `ConnectTimeoutError(<${connName(t)}>, ${reprStr(`Connection to ${t.host} ${cause.message}`)})`;
    } else if (cause.kind === 'name-resolution') {
      reason = `NameResolutionError(${reprStr(`${connName(t)}: Failed to resolve ${reprStr(t.host)} (${cause.message})`)})`;
    } else {
      reason = `NewConnectionError(${reprStr(`${connName(t)}: Failed to establish a new connection: ${cause.message}`)})`;
    }
  } else if (cause instanceof ReadFailure && cause.kind === 'read-timeout') {
    reason = `ReadTimeoutError(${reprStr(`${poolName(t)}: ${cause.message}`)})`;
  } else {
    reason = `ProtocolError('Connection aborted.', ${reprStr(errnoText(cause))})`;
  }
  const message = `${poolName(t)}: Max retries exceeded with url: ${t.path} (Caused by ${reason})`;
  return new DeliveryError(`${outer}(MaxRetryError(${reprStr(message)}))`);
}

/** One urlopen call: the attempts urllib3 makes for one URL (first try + retries). */
async function urlopen(
  t: Target,
  method: string,
  body: Buffer | undefined,
  headers: Record<string, string>,
  o: SendOptions,
): Promise<RawResponse> {
  const pause = o.sleepMs ?? ((ms: number) => sleep(ms));
  let left = o.maxRetries;
  let errors = 0;
  for (;;) {
    let res: RawResponse;
    try {
      res = await attempt(t, method, body, headers, o);
    } catch (err) {
      if (err instanceof SsrfProtectionError) throw new DeliveryError(err.pyRepr);
      if (--left < 0) throw exhausted(t, err);
      errors++;
      await pause(backoffSeconds(errors) * 1000);
      continue;
    }
    const retryAfter = retryAfterSeconds(res.headers['retry-after']);
    const retryable =
      RETRY_STATUSES.has(res.status) || (retryAfter !== undefined && RETRY_AFTER_STATUSES.has(res.status));
    if (!retryable) return res;
    // raise_on_status=False: when the retries run out, the last response is the answer.
    if (--left < 0) return res;
    errors++;
    if (retryAfter !== undefined && RETRY_AFTER_STATUSES.has(res.status) && retryAfter > 0) {
      await pause(retryAfter * 1000);
    } else {
      await pause(backoffSeconds(errors) * 1000);
    }
  }
}

/** POSTs `payload` to `url` with `headers`, following redirects as requests does. */
export async function postWebhook(
  url: string,
  payload: Buffer,
  headers: Record<string, string>,
  o: SendOptions,
): Promise<WebhookResponse> {
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new DeliveryError(`InvalidURL(${reprStr(`Invalid URL ${reprStr(url)}: No host supplied`)})`);
  }
  let method = 'POST';
  let body: Buffer | undefined = payload;
  let hdrs = { ...headers };
  for (let hops = 0; ; hops++) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:') {
      throw new DeliveryError(
        `InvalidSchema(${reprStr(`No connection adapters were found for ${reprStr(current.href)}`)})`,
      );
    }
    const t = target(current);
    const res = await urlopen(t, method, body, hdrs, o);
    const location = res.headers.location;
    if (!location || ![301, 302, 303, 307, 308].includes(res.status)) {
      return { status: res.status, body: decodeBody(res.body, res.headers['content-type']) };
    }
    if (hops + 1 > MAX_REDIRECTS)
      throw new DeliveryError(`TooManyRedirects('Exceeded ${MAX_REDIRECTS} redirects.')`);
    current = new URL(location, current);
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      hdrs = Object.fromEntries(
        Object.entries(hdrs).filter(([k]) => !['content-type', 'content-length'].includes(k.toLowerCase())),
      );
    }
  }
}
