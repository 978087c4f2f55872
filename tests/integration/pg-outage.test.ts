/**
 * PostgreSQL going away under a running server, on a cluster of the test's own (scripts/pg.sh) so
 * that stopping or freezing it disturbs no other test:
 * - frozen (SIGSTOP) longer than --db-timeout: requests in flight answer 503
 *   TEMPORARILY_UNAVAILABLE after about the timeout, not when the database wakes up; afterwards
 *   the server serves again;
 * - stopped with `-m immediate` under load: every failed request is a 503, none a 500 ("Connection
 *   terminated unexpectedly" is a lost connection); after a restart the server serves again;
 * - no pg deprecation warning (a query queued on a connection already running one) in its output;
 * - started while the database is down, the server waits for it with MLflow's backoff, says so,
 *   and serves once it is up.
 * The figures go to docs/faults/pg-*.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgAvailable } from '../helpers/store-backends.js';
import { recordFigures } from '../helpers/fault-figures.js';
import { startServer, type RunningServer } from './server-harness.js';

const PG_SH = resolve(import.meta.dirname, '../../scripts/pg.sh');
const DB_TIMEOUT_S = 2;

function pgCtl(cmd: 'start' | 'stop', dir: string, mode?: string): string {
  return execFileSync('bash', [PG_SH, cmd, dir, ...(mode ? [mode] : [])], { encoding: 'utf8' }).trim();
}

/** The cluster's processes: the postmaster and its children. */
function clusterPids(dir: string): number[] {
  const pm = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pm)], { encoding: 'utf8' })
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
  return [pm, ...children];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!pgAvailable)('PostgreSQL outages', () => {
  let dir: string;
  let srv: RunningServer;
  let runId: string;

  const logMetric = async (i: number): Promise<{ status: number; code?: string; ms: number }> => {
    const t0 = Date.now();
    try {
      const res = await fetch(`${srv.base}/api/2.0/mlflow/runs/log-metric`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ run_id: runId, key: 'm', value: i, timestamp: 1, step: i }),
        signal: AbortSignal.timeout(20_000),
      });
      const body = (await res.json()) as { error_code?: string };
      return {
        status: res.status,
        ...(body.error_code ? { code: body.error_code } : {}),
        ms: Date.now() - t0,
      };
    } catch {
      return { status: -1, ms: Date.now() - t0 };
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlflow-ts-pgoutage-'));
    const url = pgCtl('start', dir);
    srv = await startServer([
      '--no-python',
      '--backend-store-uri',
      `${url}/postgres`,
      '--db-timeout',
      String(DB_TIMEOUT_S),
    ]);
    const res = await fetch(`${srv.base}/api/2.0/mlflow/runs/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ experiment_id: '0', start_time: 1 }),
    });
    runId = ((await res.json()) as { run: { info: { run_id: string } } }).run.info.run_id;
  });
  afterAll(async () => {
    if (dir) {
      // Never leave a frozen cluster behind.
      try {
        for (const pid of clusterPids(dir)) process.kill(pid, 'SIGCONT');
      } catch {
        // already stopped
      }
    }
    await srv?.stop();
    if (dir) {
      pgCtl('stop', dir, 'immediate');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 503 within about --db-timeout while the database is frozen, then serves again', async () => {
    // Warm the pool so requests meet connections that are open but whose server will not answer.
    const warm = await Promise.all([0, 1, 2, 3].map((i) => logMetric(i)));
    expect(warm.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const pids = clusterPids(dir);
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    let frozen: { status: number; code?: string; ms: number }[];
    try {
      frozen = await Promise.all([10, 11, 12].map((i) => logMetric(i)));
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
    for (const r of frozen) {
      expect(r.status).toBe(503);
      expect(r.code).toBe('TEMPORARILY_UNAVAILABLE');
      // The client-side wait is the timeout plus 2 s of slack; the freeze itself has no end.
      expect(r.ms).toBeLessThan((DB_TIMEOUT_S + 4) * 1000);
    }
    const thawed = Date.now();
    let ok = false;
    for (let i = 0; i < 40 && !ok; i++) {
      ok = (await logMetric(100 + i)).status === 200;
      if (!ok) await sleep(250);
    }
    expect(ok).toBe(true);
    recordFigures('pg-frozen', 'PostgreSQL frozen (SIGSTOP) under a running server', [
      ['--db-timeout', `${DB_TIMEOUT_S} s`],
      ['requests in flight during the freeze', frozen.length],
      ['their answers', frozen.map((r) => `${r.status} ${r.code ?? ''}`).join(', ')],
      ['slowest answer during the freeze', `${Math.max(...frozen.map((r) => r.ms))} ms`],
      ['first successful write after the thaw', `${Date.now() - thawed} ms`],
    ]);
  });

  it('answers 503, never 500, when the database stops with -m immediate under load; recovers after restart', async () => {
    const results: { status: number; code?: string; ms: number; step: number }[] = [];
    let stop = false;
    let n = 1000;
    const worker = async () => {
      while (!stop) {
        const step = n++;
        results.push({ ...(await logMetric(step)), step });
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await sleep(700);
    pgCtl('stop', dir, 'immediate');
    await sleep(1500);
    stop = true;
    await Promise.all(workers);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    const failures = results.filter((r) => r.status !== 200);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f.status).toBe(503);
      expect(f.code).toBe('TEMPORARILY_UNAVAILABLE');
    }

    const restarted = Date.now();
    pgCtl('start', dir);
    let ok = false;
    for (let i = 0; i < 40 && !ok; i++) {
      ok = (await logMetric(5000 + i)).status === 200;
      if (!ok) await sleep(250);
    }
    expect(ok).toBe(true);
    const recoveredMs = Date.now() - restarted;
    expect(srv.output()).not.toContain('when the client is already executing a query');

    // No acknowledged write is lost: every step answered 200 is in the metric's history.
    const hist = await fetch(
      `${srv.base}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=m`,
    ).then((r) => r.json() as Promise<{ metrics?: { step: number }[] }>);
    const stored = new Set((hist.metrics ?? []).map((m) => m.step));
    const acked = results.filter((r) => r.status === 200).map((r) => r.step);
    expect(acked.filter((s) => !stored.has(s))).toEqual([]);
    recordFigures('pg-stopped', 'PostgreSQL stopped (-m immediate) under 8 concurrent writers', [
      ['writes answered 200 before the stop', acked.length],
      ['writes answered 503 TEMPORARILY_UNAVAILABLE', failures.length],
      ['other answers (500s, hangs)', results.length - acked.length - failures.length],
      ['slowest 503', `${Math.max(...failures.map((f) => f.ms))} ms`],
      ['acknowledged writes missing after the restart', acked.filter((s) => !stored.has(s)).length],
      ['first successful write after `pg_ctl start` returned', `${recoveredMs} ms (no server restart)`],
    ]);
  });

  it('waits at startup for a database that is down, with backoff, says so, and serves once it is up', async () => {
    pgCtl('stop', dir, 'fast');
    const url = `postgresql://postgres@127.0.0.1:${readFileSync(join(dir, 'port'), 'utf8').trim()}`;
    const started = Date.now();
    // Handed over as soon as it says it is waiting (startup time varies with the machine's load).
    const late = await startServer(['--no-python', '--backend-store-uri', `${url}/postgres`], {
      ready: /waiting for the database/,
      timeoutMs: 60_000,
    });
    // Let it fail another attempt or two, then bring the database up.
    await sleep(1000);
    pgCtl('start', dir);
    for (let i = 0; i < 300 && !/mlflow-ts listening on/.test(late.output()); i++) await sleep(100);
    try {
      expect(late.output()).toMatch(/waiting for the database: .*attempt 1 of 10 failed, retrying in 0\.1 s/);
      expect(late.output()).toMatch(/mlflow-ts listening on/);
      const res = await fetch(`${late.base}/api/2.0/mlflow/experiments/get?experiment_id=0`);
      expect(res.status).toBe(200);
      recordFigures('pg-startup', 'mlflow-ts started while PostgreSQL is down', [
        ['attempts logged before the database came up', (late.output().match(/waiting for the database/g) ?? []).length],
        ['database brought up', 'about 1 s after the first attempt failed'],
        ['server listening after', `${Date.now() - started} ms`],
      ]);
    } finally {
      await late.stop();
    }
  });
});
