/**
 * PostgreSQL connection set-up and bounds: what every new pooled connection runs before its first
 * query, and the timeouts that keep a stalled or frozen server from holding requests.
 *
 * - The session settings go in one round trip from the pool's `onConnect` hook, which pg-pool
 *   awaits before handing the connection out (a query issued from the 'connect' event instead is
 *   queued behind the caller's own, which pg deprecates and pg 9 refuses).
 * - `statement_timeout` bounds a statement the server runs; `query_timeout` (client side) bounds
 *   the wait for an answer when the server does not answer at all (stopped, frozen, network
 *   gone); `connectionTimeoutMillis` bounds getting a connection. A connection whose query timed
 *   out client side is destroyed: its unanswered query would block everything queued behind it.
 */
import type pg from 'pg';

/** pg's error when a query got no answer within query_timeout. */
export const READ_TIMEOUT = 'Query read timeout';

/** Slack between the server-side statement timeout and the client-side wait. */
const CLIENT_SLACK_MS = 2000;

export interface SessionBounds {
  /** Statement timeout on the server (ms). */
  statementTimeoutMs: number;
  /** Longest wait for an answer to one query, on the client (ms). */
  queryTimeoutMs: number;
  /** Longest wait for a pooled connection, connecting included (ms). */
  connectTimeoutMs: number;
}

export function sessionBounds(timeoutMs: number): SessionBounds {
  return {
    statementTimeoutMs: timeoutMs,
    queryTimeoutMs: timeoutMs + CLIENT_SLACK_MS,
    connectTimeoutMs: timeoutMs,
  };
}

/**
 * Session settings for every connection: no parallel workers (see postgres.ts) and the statement
 * timeout. A failure only leaves the server defaults (a pooler may refuse SET).
 */
export async function setUpSession(client: pg.ClientBase, bounds: SessionBounds): Promise<void> {
  destroyOnReadTimeout(client);
  await client
    .query(
      `SET max_parallel_workers_per_gather = 0; SET statement_timeout = ${Math.round(bounds.statementTimeoutMs)}`,
    )
    .catch(() => undefined);
}

function destroyOnReadTimeout(client: pg.ClientBase): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const destroy = (err: unknown): void => {
    if (err instanceof Error && err.message === READ_TIMEOUT) {
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }
  };
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: unknown, res: unknown) => {
        destroy(err);
        (last as (e: unknown, r: unknown) => void)(err, res);
      };
      return query(...args);
    }
    const out = query(...args);
    if (out && typeof (out as Promise<unknown>).then === 'function') {
      (out as Promise<unknown>).catch(destroy);
    }
    return out;
  };
}
