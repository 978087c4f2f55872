// The raw-driver floor: the same rows as the write scenarios, written straight from Node with
// `pg` (one-statement CTE per batch, as in the landscape notes §5), better-sqlite3 (WAL,
// synchronous=NORMAL, one connection) or mysql2 (one multi-statement transaction per batch), no
// HTTP. Reported as system "floor".
import mysql from 'mysql2/promise';
import pg from 'pg';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { copySqlite, type PgAdmin } from './db.js';
import type { MysqlAdmin } from './mysql.js';
import { pct } from './load.js';
import { treeCpuMs } from './proc.js';
import type { Scenario } from './scenarios.js';
import type { Row } from './report.js';
import { REG_MODELS, regAliases, regModelName } from './seed.js';
import { pgTraceIngestFloor, seedTraceForFloor, traceAnswer } from './trace-floor.js';

const PG_BATCH = `
WITH v AS (SELECT * FROM unnest($1::text[], $2::float8[], $3::int8[], $4::text[], $5::int8[], $6::bool[])
           AS t(key, value, timestamp, run_uuid, step, is_nan)),
 ins AS (INSERT INTO metrics(key, value, timestamp, run_uuid, step, is_nan) SELECT * FROM v ON CONFLICT DO NOTHING)
INSERT INTO latest_metrics(key, value, timestamp, run_uuid, step, is_nan)
SELECT DISTINCT ON (key) key, value, timestamp, run_uuid, step, is_nan FROM v ORDER BY key, step DESC, timestamp DESC, value DESC
ON CONFLICT (key, run_uuid) DO UPDATE SET value = EXCLUDED.value, timestamp = EXCLUDED.timestamp, step = EXCLUDED.step, is_nan = EXCLUDED.is_nan
WHERE (EXCLUDED.step, EXCLUDED.timestamp, EXCLUDED.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`;

type Metric = [key: string, value: number, ts: number, step: number];

/** Rows of the read floors' queries (BIGINT columns arrive as strings from pg). */
interface IdRow {
  experiment_id: string;
  run_uuid: string;
}
interface RunDbRow {
  run_uuid: string;
  name: string;
  experiment_id: string | number;
  user_id: string;
  status: string;
  start_time: string | number;
  end_time: string | number | null;
  artifact_uri: string;
  lifecycle_stage: string;
}
interface KvDbRow {
  run_uuid: string;
  key: string;
  value: string;
}
interface MetricDbRow extends KvDbRow {
  timestamp: string | number;
  step: string | number;
}
/** The metrics of request i of a scenario (same shapes as bench/lib/scenarios.ts). */
function batchFor(
  kind: string,
  i: number,
  runs: string[],
): { run: string; metrics: Metric[] } | { createRun: true } | undefined {
  const ts = Date.now();
  if (kind.startsWith('W1') || kind.startsWith('S1')) return { createRun: true };
  if (kind.startsWith('W2') || kind.startsWith('S2'))
    return { run: runs[i % runs.length]!, metrics: [['loss', Math.random(), ts, i]] };
  if (kind.startsWith('W3') || kind.startsWith('S3'))
    return {
      run: runs[0]!,
      metrics: Array.from({ length: 10 }, (_, k) => [`metric_${k}`, k + Math.random(), ts, 0] as Metric),
    };
  if (kind.startsWith('W4') || kind.startsWith('S4')) {
    const round = Math.floor(i / runs.length);
    const m: Metric[] = [];
    for (let k = 0; k < 100; k++)
      for (let s = 0; s < 10; s++) m.push([`m_${k}`, Math.random(), ts, round * 10 + s]);
    return { run: runs[i % runs.length]!, metrics: m };
  }
  if (kind.startsWith('W5') || kind.startsWith('S5')) {
    // sorted keys: the floor shows the deadlock-free shape
    return {
      run: runs[0]!,
      metrics: Array.from({ length: 500 }, (_, k) => [`train/key_${k}`, Math.random(), ts, i] as Metric).sort(
        (a, b) => (a[0] < b[0] ? -1 : 1),
      ),
    };
  }
  return undefined;
}

const uuid = () => crypto.randomUUID().replace(/-/g, '');

export async function runFloors(o: {
  admin: PgAdmin;
  pgTemplate: string;
  sqliteTemplate: string;
  work: string;
  quick: boolean;
  scenarios: Scenario[];
  postmasterPid: number;
  /** The MySQL server, its MLflow-schema template database and mysqld's pid (MySQL scenarios). */
  mysql?: { admin: MysqlAdmin; template: string; pid: number };
  log: (...a: unknown[]) => void;
}): Promise<Row[]> {
  const rows: Row[] = [];
  const floorOf = (s: Scenario) =>
    s.id.startsWith('REG1') || s.id.startsWith('T1-') || batchFor(s.id, 0, ['x']);
  for (const sc of o.scenarios.filter((s) => s.group === 'write' && floorOf(s))) {
    const row: Row = {
      scenario: sc.id,
      title: sc.title,
      system: 'floor',
      backend: sc.backend,
      concurrency: sc.concurrency,
      unit: sc.unit,
    };
    try {
      if (sc.id.startsWith('REG1')) await pgModelVersionFloor(o, sc, row);
      else if (sc.id.startsWith('T1-')) {
        await o.admin.create('bench_floor', o.pgTemplate);
        await pgTraceIngestFloor(o, 'bench_floor', sc, row, driveWriteFloor);
      } else if (sc.backend === 'pg') await pgFloor(o, sc, row);
      else if (sc.backend === 'mysql') await mysqlFloor(o, sc, row);
      else sqliteFloor(o, sc, row);
      o.log(
        `  floor ${sc.id}: ${row.rps?.toFixed(1)} req/s p50 ${row.p50?.toFixed(2)} ms, errors ${row.errors}`,
      );
    } catch (e) {
      row.problems = [`floor failed: ${(e as Error).message.slice(0, 200)}`];
      o.log(`  floor ${sc.id} FAILED ${(e as Error).message}`);
    }
    rows.push(row);
  }
  return rows;
}

async function pgFloor(o: Parameters<typeof runFloors>[0], sc: Scenario, row: Row) {
  const db = 'bench_floor';
  await o.admin.create(db, o.pgTemplate);
  const conns = await o.admin.connectAll(db, sc.concurrency);
  try {
    const c0 = conns[0]!;
    const exp = (
      await c0.query(
        `INSERT INTO experiments(name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES ('floor', '/tmp/a', 'active', 0, 0) RETURNING experiment_id`,
      )
    ).rows[0].experiment_id;
    const runs: string[] = [];
    const insertRun = async (c: pg.Client) => {
      const id = uuid();
      await c.query(
        `WITH r AS (INSERT INTO runs(run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
                    VALUES ($1, $2, 'UNKNOWN', '', '', 'bench', 'RUNNING', $3, '', 'active', $4, $5))
         INSERT INTO tags(key, value, run_uuid) VALUES ('mlflow.user', 'bench', $1), ('mlflow.runName', $2, $1)`,
        [id, `run-${id.slice(0, 6)}`, Date.now(), `/tmp/a/${id}`, exp],
      );
      return id;
    };
    const nRuns = sc.id.startsWith('W4') ? (o.quick ? 40 : 200) : sc.concurrency;
    for (let i = 0; i < nRuns; i++) runs.push(await insertRun(c0));
    Object.assign(
      row,
      await driveWriteFloor(sc, o.quick, o.postmasterPid, conns, async (c, i) => {
        const b = batchFor(sc.id, i, runs)!;
        if ('createRun' in b) return void (await insertRun(c));
        const m = b.metrics;
        await c.query(PG_BATCH, [
          m.map((x) => x[0]),
          m.map((x) => x[1]),
          m.map((x) => x[2]),
          m.map(() => b.run),
          m.map((x) => x[3]),
          m.map(() => false),
        ]);
      }),
    );
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
}

/**
 * Times one write floor: the connections share the scenario's request budget and duration, each
 * running `step(conn, i)` for its next request index; a failed step counts as an error (after
 * `onError`). DB CPU is `dbPid`'s process tree.
 */
async function driveWriteFloor<C>(
  sc: Scenario,
  quick: boolean,
  dbPid: number,
  conns: C[],
  step: (c: C, i: number) => Promise<void>,
  onError?: (c: C) => Promise<void>,
): Promise<Partial<Row>> {
  const lat: number[] = [];
  let next = 0;
  let errors = 0;
  const t0 = performance.now();
  const deadline = t0 + sc.durationMs(quick);
  const max = sc.maxRequests(quick);
  const db0 = treeCpuMs(dbPid);
  await Promise.all(
    conns.map(async (c) => {
      while (next < max && performance.now() < deadline) {
        const i = next++;
        const ts = performance.now();
        try {
          await step(c, i);
        } catch {
          errors++;
          await onError?.(c);
        }
        lat.push(performance.now() - ts);
      }
    }),
  );
  const el = performance.now() - t0;
  lat.sort((a, b) => a - b);
  return {
    requests: lat.length,
    ok: lat.length - errors,
    errors,
    expected: 0,
    rps: (lat.length / el) * 1000,
    p50: pct(lat, 50),
    p95: pct(lat, 95),
    p99: pct(lat, 99),
    pgCpuMsPerReq: (treeCpuMs(dbPid) - db0) / Math.max(1, lat.length),
    elapsedMs: el,
  };
}

/**
 * MySQL: each request is one round trip, a multi-statement transaction: the metric rows (INSERT
 * IGNORE, primary-key duplicates skipped) and the newest row per key upserted into latest_metrics
 * only where newer (the condition evaluated once, before any column changes); create-run inserts
 * the run and its two tags.
 */
async function mysqlFloor(o: Parameters<typeof runFloors>[0], sc: Scenario, row: Row) {
  if (!o.mysql) throw new Error('no MySQL server given');
  const { admin, template, pid } = o.mysql;
  const db = 'bench_floor';
  await admin.create(db, template);
  const conns = await Promise.all(
    Array.from({ length: sc.concurrency }, () =>
      mysql.createConnection({
        host: admin.host,
        port: admin.port,
        user: admin.user,
        database: db,
        multipleStatements: true,
      }),
    ),
  );
  try {
    const c0 = conns[0]!;
    await c0.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    for (const c of conns) await c.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    const [res] = await c0.query(
      `INSERT INTO experiments(name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace) VALUES ('floor', '/tmp/a', 'active', 0, 0, 'default')`,
    );
    const exp = (res as { insertId: number }).insertId;
    const insertRun = async (c: mysql.Connection) => {
      const id = uuid();
      const name = `run-${id.slice(0, 6)}`;
      await c.query(
        `START TRANSACTION;
         INSERT INTO runs(run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
           VALUES (?, ?, 'UNKNOWN', '', '', 'bench', 'RUNNING', ?, '', 'active', ?, ?);
         INSERT INTO tags(\`key\`, value, run_uuid) VALUES ('mlflow.user', 'bench', ?), ('mlflow.runName', ?, ?);
         COMMIT`,
        [id, name, Date.now(), `/tmp/a/${id}`, exp, id, name, id],
      );
      return id;
    };
    const runs: string[] = [];
    const nRuns = sc.id.startsWith('W4') ? (o.quick ? 40 : 200) : sc.concurrency;
    for (let i = 0; i < nRuns; i++) runs.push(await insertRun(c0));
    const logBatch = async (c: mysql.Connection, run: string, m: Metric[]) => {
      const newest = new Map<string, Metric>();
      for (const x of m) {
        const cur = newest.get(x[0]);
        if (
          !cur ||
          x[3] > cur[3] ||
          (x[3] === cur[3] && (x[2] > cur[2] || (x[2] === cur[2] && x[1] > cur[1])))
        )
          newest.set(x[0], x);
      }
      const latest = [...newest.values()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const rowsOf = (xs: Metric[]) => xs.map((x) => [x[0], x[1], x[2], run, x[3], 0]);
      await c.query(
        `START TRANSACTION;
         INSERT IGNORE INTO metrics(\`key\`, value, timestamp, run_uuid, step, is_nan) VALUES ?;
         INSERT INTO latest_metrics(\`key\`, value, timestamp, run_uuid, step, is_nan) VALUES ?
           ON DUPLICATE KEY UPDATE
             value = IF(@newer := (VALUES(step) > step OR (VALUES(step) = step AND (VALUES(timestamp) > timestamp
               OR (VALUES(timestamp) = timestamp AND VALUES(value) > value)))), VALUES(value), value),
             timestamp = IF(@newer, VALUES(timestamp), timestamp), step = IF(@newer, VALUES(step), step),
             is_nan = IF(@newer, VALUES(is_nan), is_nan);
         COMMIT`,
        [rowsOf(m), rowsOf(latest)],
      );
    };
    Object.assign(
      row,
      await driveWriteFloor(
        sc,
        o.quick,
        pid,
        conns,
        async (c, i) => {
          const b = batchFor(sc.id, i, runs)!;
          if ('createRun' in b) await insertRun(c);
          else await logBatch(c, b.run, b.metrics);
        },
        (c) =>
          c.query('ROLLBACK').then(
            () => undefined,
            () => undefined,
          ),
      ),
    );
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
}

/**
 * CreateModelVersion without HTTP: lock the registered model (its last_updated_time), number the
 * new version max + 1 after the lock (a fresh READ COMMITTED snapshot), insert it with its tag.
 */
async function pgModelVersionFloor(o: Parameters<typeof runFloors>[0], sc: Scenario, row: Row) {
  const db = 'bench_floor';
  await o.admin.create(db, o.pgTemplate);
  const name = 'floor-model';
  await o.admin.q(
    `INSERT INTO registered_models(name, creation_time, last_updated_time) VALUES ($1, $2, $2)`,
    [name, Date.now()],
    db,
  );
  const conns = await o.admin.connectAll(db, sc.concurrency);
  const create = async (c: pg.Client, i: number) => {
    const now = Date.now();
    await c.query('BEGIN');
    try {
      await c.query('UPDATE registered_models SET last_updated_time = $2::int8 WHERE name = $1::text', [
        name,
        now,
      ]);
      await c.query(
        `WITH v AS (INSERT INTO model_versions(name, version, creation_time, last_updated_time, description, user_id, current_stage, source, status, storage_location)
                    SELECT $1::text, coalesce(max(version), 0) + 1, $2::int8, $2::int8, $3::text, NULL, 'None', $4::text, 'READY', $4::text
                      FROM model_versions WHERE name = $1::text
                    RETURNING version)
         INSERT INTO model_version_tags(key, value, name, version) SELECT 'request', $5::text, $1::text, version FROM v`,
        [name, now, `version from request ${i}`, `s3://bench-bucket/models/${name}/${i}`, String(i)],
      );
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK');
      throw e;
    }
  };
  try {
    const lat: number[] = [];
    let next = 0;
    let errors = 0;
    const errorKinds: Record<string, number> = {};
    const t0 = performance.now();
    const deadline = t0 + sc.durationMs(o.quick);
    const max = sc.maxRequests(o.quick);
    const pg0 = treeCpuMs(o.postmasterPid);
    await Promise.all(
      conns.map(async (c) => {
        while (next < max && performance.now() < deadline) {
          const i = next++;
          const ts = performance.now();
          try {
            await create(c, i);
          } catch (e) {
            errors++;
            const k = `pg error ${(e as Error).message.slice(0, 80)}`;
            errorKinds[k] = (errorKinds[k] ?? 0) + 1;
          }
          lat.push(performance.now() - ts);
        }
      }),
    );
    const el = performance.now() - t0;
    lat.sort((a, b) => a - b);
    const ok = lat.length - errors;
    const [v] = await o.admin.q<{ n: string; m: number | null }>(
      'SELECT count(*) AS n, max(version) AS m FROM model_versions WHERE name = $1',
      [name],
      db,
    );
    if (Number(v!.n) !== ok || (v!.m ?? 0) !== ok)
      row.problems = [`model versions ${v!.n} (highest ${v!.m}), expected ${ok}`];
    Object.assign(row, {
      requests: lat.length,
      ok,
      errors,
      errorKinds,
      expected: 0,
      rps: (ok / el) * 1000,
      p50: pct(lat, 50),
      p95: pct(lat, 95),
      p99: pct(lat, 99),
      pgCpuMsPerReq: (treeCpuMs(o.postmasterPid) - pg0) / Math.max(1, lat.length),
      elapsedMs: el,
    });
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
}

function sqliteFloor(o: Parameters<typeof runFloors>[0], sc: Scenario, row: Row) {
  const file = join(o.work, 'sqlite', 'floor.db');
  copySqlite(o.sqliteTemplate, file);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 20000');
    const exp = Number(
      db
        .prepare(
          `INSERT INTO experiments(name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES ('floor', '/tmp/a', 'active', 0, 0)`,
        )
        .run().lastInsertRowid,
    );
    const runIns =
      db.prepare(`INSERT INTO runs(run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
                               VALUES (?, ?, 'UNKNOWN', '', '', 'bench', 'RUNNING', ?, '', 'active', ?, ?)`);
    const tagIns = db.prepare(`INSERT INTO tags(key, value, run_uuid) VALUES (?, ?, ?)`);
    const insertRun = db.transaction(() => {
      const id = uuid();
      runIns.run(id, `run-${id.slice(0, 6)}`, Date.now(), `/tmp/a/${id}`, exp);
      tagIns.run('mlflow.user', 'bench', id);
      tagIns.run('mlflow.runName', `run-${id.slice(0, 6)}`, id);
      return id;
    });
    const mIns = db.prepare(
      `INSERT OR IGNORE INTO metrics(key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)`,
    );
    const lUp =
      db.prepare(`INSERT INTO latest_metrics(key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)
      ON CONFLICT(key, run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
      WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`);
    const logBatch = db.transaction((run: string, m: Metric[]) => {
      for (const x of m) mIns.run(x[0], x[1], x[2], run, x[3]);
      for (const x of m) lUp.run(x[0], x[1], x[2], run, x[3]);
    });
    const nRuns = sc.id.startsWith('S4') ? (o.quick ? 40 : 200) : sc.concurrency;
    const runs = Array.from({ length: nRuns }, () => insertRun() as string);
    const lat: number[] = [];
    const t0 = performance.now();
    const deadline = t0 + sc.durationMs(o.quick);
    const max = sc.maxRequests(o.quick);
    for (let i = 0; i < max && performance.now() < deadline; i++) {
      const b = batchFor(sc.id, i, runs)!;
      const ts = performance.now();
      if ('createRun' in b) insertRun();
      else logBatch(b.run, b.metrics);
      lat.push(performance.now() - ts);
    }
    const el = performance.now() - t0;
    lat.sort((a, b) => a - b);
    Object.assign(row, {
      requests: lat.length,
      ok: lat.length,
      errors: 0,
      expected: 0,
      rps: (lat.length / el) * 1000,
      p50: pct(lat, 50),
      p95: pct(lat, 95),
      p99: pct(lat, 99),
      elapsedMs: el,
    });
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Read floors: the same answers as R1-R6 computed with plain queries on the seeded MLflow-schema
// database and serialized with JSON.stringify, through a pg.Pool of the scenario's concurrency.

const runJson = (r: RunDbRow, params: KvDbRow[], metrics: MetricDbRow[], tags: KvDbRow[]) => ({
  info: {
    run_id: r.run_uuid,
    run_uuid: r.run_uuid,
    run_name: r.name,
    experiment_id: String(r.experiment_id),
    user_id: r.user_id,
    status: r.status,
    start_time: Number(r.start_time),
    end_time: Number(r.end_time),
    artifact_uri: r.artifact_uri,
    lifecycle_stage: r.lifecycle_stage,
  },
  data: {
    metrics: metrics.map((m) => ({
      key: m.key,
      value: m.value,
      timestamp: Number(m.timestamp),
      step: Number(m.step),
    })),
    params: params.map((p) => ({ key: p.key, value: p.value })),
    tags: tags.map((t) => ({ key: t.key, value: t.value })),
  },
  inputs: {},
  outputs: {},
});

async function runsPage(c: pg.Pool, runs: RunDbRow[]): Promise<string> {
  const ids = runs.map((r) => r.run_uuid);
  const [p, m, t] = await Promise.all([
    c.query<KvDbRow>('SELECT run_uuid, key, value FROM params WHERE run_uuid = ANY($1)', [ids]),
    c.query<MetricDbRow>(
      'SELECT run_uuid, key, value, timestamp, step FROM latest_metrics WHERE run_uuid = ANY($1)',
      [ids],
    ),
    c.query<KvDbRow>('SELECT run_uuid, key, value FROM tags WHERE run_uuid = ANY($1)', [ids]),
  ]);
  return pageJson(runs, p.rows, m.rows, t.rows);
}

/** The SearchRuns answer of `runs` from their params, latest metrics and tags (any order). */
function pageJson(runs: RunDbRow[], p: KvDbRow[], m: MetricDbRow[], t: KvDbRow[]): string {
  const group = <R extends { run_uuid: string }>(rows: R[]) => {
    const g = new Map<string, R[]>();
    for (const r of rows) (g.get(r.run_uuid) ?? g.set(r.run_uuid, []).get(r.run_uuid)!).push(r);
    return g;
  };
  const gp = group(p),
    gm = group(m),
    gt = group(t);
  return JSON.stringify({
    runs: runs.map((r) =>
      runJson(r, gp.get(r.run_uuid) ?? [], gm.get(r.run_uuid) ?? [], gt.get(r.run_uuid) ?? []),
    ),
  });
}

const RUN_COLS =
  'r.run_uuid, r.name, r.experiment_id, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage';

export async function runReadFloors(o: {
  admin: PgAdmin;
  db: string;
  quick: boolean;
  scenarios: Scenario[];
  postmasterPid: number;
  log: (...a: unknown[]) => void;
}): Promise<Row[]> {
  const rows: Row[] = [];
  // Each lookup names an object the seed created: exactly one row.
  const one = async (sql: string, p: unknown[] = []) => (await o.admin.q<IdRow>(sql, p, o.db))[0]!;
  const expId = async (n: string) =>
    (await one('SELECT experiment_id FROM experiments WHERE name = $1', [n])).experiment_id;
  const searchExp = await expId('bench_search');
  const bigRun = (await one('SELECT run_uuid FROM runs WHERE experiment_id = $1', [await expId('bench_big')]))
    .run_uuid;
  const histRun = (
    await one('SELECT run_uuid FROM runs WHERE experiment_id = $1', [await expId('bench_history')])
  ).run_uuid;
  const bulkRuns = (
    await o.admin.q<IdRow>(
      'SELECT run_uuid FROM runs WHERE experiment_id = $1',
      [await expId('bench_bulk')],
      o.db,
    )
  ).map((r) => r.run_uuid);
  const impl: Record<string, (c: pg.Pool, i: number) => Promise<string>> = {
    R1: async (c) =>
      runsPage(
        c,
        (
          await c.query(
            `SELECT ${RUN_COLS} FROM runs r WHERE r.experiment_id = $1 AND r.lifecycle_stage = 'active' ORDER BY r.start_time DESC, r.run_uuid LIMIT 100`,
            [searchExp],
          )
        ).rows,
      ),
    R2: async (c) =>
      runsPage(
        c,
        (
          await c.query(
            `SELECT ${RUN_COLS} FROM runs r JOIN params p ON p.run_uuid = r.run_uuid AND p.key = 'lr' AND p.value = '0.01'
       JOIN latest_metrics m ON m.run_uuid = r.run_uuid AND m.key = 'acc' AND m.value > 0.2
       WHERE r.experiment_id = $1 AND r.lifecycle_stage = 'active' ORDER BY m.value DESC, r.start_time DESC, r.run_uuid LIMIT 1000`,
            [searchExp],
          )
        ).rows,
      ),
    R3: async (c) => {
      const e = (
        await c.query(
          `SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time FROM experiments WHERE lifecycle_stage = 'active' ORDER BY creation_time DESC, experiment_id LIMIT 1000`,
        )
      ).rows;
      const t = (
        await c.query('SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id = ANY($1)', [
          e.map((x) => x.experiment_id),
        ])
      ).rows;
      return JSON.stringify({
        experiments: e.map((x) => ({
          ...x,
          experiment_id: String(x.experiment_id),
          tags: t
            .filter((y) => y.experiment_id === x.experiment_id)
            .map((y) => ({ key: y.key, value: y.value })),
        })),
      });
    },
    R4: async (c) => {
      const r = (await c.query(`SELECT ${RUN_COLS} FROM runs r WHERE r.run_uuid = $1`, [bigRun])).rows;
      return JSON.stringify({ run: JSON.parse(await runsPage(c, r)).runs[0] });
    },
    R5: async (c) => {
      const m = (
        await c.query(
          `SELECT key, value, timestamp, step FROM metrics WHERE run_uuid = $1 AND key = 'loss' ORDER BY timestamp, step, value`,
          [histRun],
        )
      ).rows;
      return JSON.stringify({
        metrics: m.map((x) => ({
          key: x.key,
          value: x.value,
          timestamp: Number(x.timestamp),
          step: Number(x.step),
        })),
      });
    },
    R6: async (c) => {
      const m = (
        await c.query(
          `SELECT DISTINCT ON (run_uuid, b) run_uuid, key, value, timestamp, step FROM (
           SELECT run_uuid, key, value, timestamp, step, ntile(320) OVER (PARTITION BY run_uuid ORDER BY step) AS b
           FROM metrics WHERE run_uuid = ANY($1) AND key = 'loss') s ORDER BY run_uuid, b, step`,
          [bulkRuns],
        )
      ).rows;
      return JSON.stringify({
        metrics: m.map((x) => ({
          key: x.key,
          value: x.value,
          timestamp: Number(x.timestamp),
          step: Number(x.step),
          run_id: x.run_uuid,
        })),
      });
    },
  };
  Object.assign(impl, registryReadFloors());
  const lmExp = (
    await o.admin.q<IdRow>('SELECT experiment_id FROM experiments WHERE name = $1', ['bench_models'], o.db)
  )[0]?.experiment_id;
  if (lmExp !== undefined) impl.LM1 = (c) => loggedModelsPage(c, lmExp);
  const traceExp = (
    await o.admin.q<IdRow>('SELECT experiment_id FROM experiments WHERE name = $1', ['bench_traces'], o.db)
  )[0]?.experiment_id;
  if (traceExp !== undefined) impl.T3 = (c) => tracesPage(c, traceExp);
  if (o.scenarios.some((s) => s.id.startsWith('T2-'))) {
    // T2's trace is written by each system in its own copy; the floor writes its own here
    const pool = new pg.Pool({ connectionString: o.admin.url(o.db), max: 1 });
    const id = await seedTraceForFloor(pool).finally(() => pool.end());
    impl.T2 = (c) => traceAnswer(c, id);
  }
  for (const sc of o.scenarios.filter((s) => s.group === 'read' && s.backend === 'pg')) {
    const f = impl[sc.id.split('-')[0]!];
    if (!f) continue;
    const pool = new pg.Pool({ connectionString: o.admin.url(o.db), max: sc.concurrency });
    try {
      rows.push(await driveReadFloor(sc, o.quick, o.postmasterPid, (i) => f(pool, i), o.log));
    } finally {
      await pool.end();
    }
  }
  return rows;
}

/**
 * Times one read floor: `f(i)` builds request i's answer; `sc.concurrency` loops share the
 * scenario's request budget and duration. Client CPU is this process's; DB CPU is `dbPid`'s tree.
 */
async function driveReadFloor(
  sc: Scenario,
  quick: boolean,
  dbPid: number,
  f: (i: number) => Promise<string>,
  log: (...a: unknown[]) => void,
): Promise<Row> {
  const row: Row = {
    scenario: sc.id,
    title: sc.title,
    system: 'floor',
    backend: sc.backend,
    concurrency: sc.concurrency,
  };
  try {
    for (let w = 0; w < Math.min(3, sc.warmup(quick)); w++) await f(w);
    const lat: number[] = [];
    let next = 0;
    const max = sc.maxRequests(quick);
    const t0 = performance.now();
    const deadline = t0 + sc.durationMs(quick);
    const db0 = treeCpuMs(dbPid);
    const cpu0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: sc.concurrency }, async () => {
        while (next < max && performance.now() < deadline) {
          const i = next++;
          const ts = performance.now();
          await f(i);
          lat.push(performance.now() - ts);
        }
      }),
    );
    const el = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    lat.sort((a, b) => a - b);
    Object.assign(row, {
      requests: lat.length,
      ok: lat.length,
      errors: 0,
      expected: 0,
      rps: (lat.length / el) * 1000,
      p50: pct(lat, 50),
      p95: pct(lat, 95),
      p99: pct(lat, 99),
      elapsedMs: el,
      cpuMsPerReq: (cpu.user + cpu.system) / 1000 / Math.max(1, lat.length),
      pgCpuMsPerReq: (treeCpuMs(dbPid) - db0) / Math.max(1, lat.length),
    });
    log(`  floor ${sc.id}: ${row.rps?.toFixed(1)} req/s p50 ${row.p50?.toFixed(2)} ms`);
  } catch (e) {
    row.problems = [`floor failed: ${(e as Error).message.slice(0, 200)}`];
    log(`  floor ${sc.id} FAILED ${(e as Error).message}`);
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// MySQL read floors (R1/R2 -mysql): the same pages as on PostgreSQL from the MariaDB copy of the
// read data set, through a mysql2 pool of the scenario's concurrency (`key` is reserved there).

async function mysqlRunsPage(c: mysql.Pool, runs: RunDbRow[]): Promise<string> {
  if (!runs.length) return JSON.stringify({ runs: [] });
  const ids = runs.map((r) => r.run_uuid);
  const q = async <R>(sql: string) => (await c.query(sql, [ids]))[0] as R[];
  const [p, m, t] = await Promise.all([
    q<KvDbRow>('SELECT run_uuid, `key`, value FROM params WHERE run_uuid IN (?)'),
    q<MetricDbRow>(
      'SELECT run_uuid, `key`, value, timestamp, step FROM latest_metrics WHERE run_uuid IN (?)',
    ),
    q<KvDbRow>('SELECT run_uuid, `key`, value FROM tags WHERE run_uuid IN (?)'),
  ]);
  return pageJson(runs, p, m, t);
}

export async function runMysqlReadFloors(o: {
  admin: MysqlAdmin;
  db: string;
  quick: boolean;
  scenarios: Scenario[];
  /** mysqld's pid (its CPU is the rows' DB CPU). */
  pid: number;
  log: (...a: unknown[]) => void;
}): Promise<Row[]> {
  const rows: Row[] = [];
  const exp = (
    await o.admin.q<IdRow>('SELECT experiment_id FROM experiments WHERE name = ?', ['bench_search'], o.db)
  )[0]?.experiment_id;
  if (exp === undefined) throw new Error(`no bench_search experiment in ${o.db}`);
  const impl: Record<string, (c: mysql.Pool) => Promise<string>> = {
    R1: async (c) =>
      mysqlRunsPage(
        c,
        (
          await c.query(
            `SELECT ${RUN_COLS} FROM runs r WHERE r.experiment_id = ? AND r.lifecycle_stage = 'active' ORDER BY r.start_time DESC, r.run_uuid LIMIT 100`,
            [exp],
          )
        )[0] as RunDbRow[],
      ),
    R2: async (c) =>
      mysqlRunsPage(
        c,
        (
          await c.query(
            `SELECT ${RUN_COLS} FROM runs r JOIN params p ON p.run_uuid = r.run_uuid AND p.\`key\` = 'lr' AND p.value = '0.01'
       JOIN latest_metrics m ON m.run_uuid = r.run_uuid AND m.\`key\` = 'acc' AND m.value > 0.2
       WHERE r.experiment_id = ? AND r.lifecycle_stage = 'active' ORDER BY m.value DESC, r.start_time DESC, r.run_uuid LIMIT 1000`,
            [exp],
          )
        )[0] as RunDbRow[],
      ),
  };
  for (const sc of o.scenarios.filter((s) => s.group === 'read' && s.backend === 'mysql')) {
    const f = impl[sc.id.split('-')[0]!];
    if (!f) continue;
    const pool = mysql.createPool({
      host: o.admin.host,
      port: o.admin.port,
      user: o.admin.user,
      database: o.db,
      connectionLimit: sc.concurrency,
    });
    try {
      rows.push(await driveReadFloor(sc, o.quick, o.pid, () => f(pool), o.log));
    } finally {
      await pool.end();
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Logged-model read floor (LM1): the page with plain queries (the latest metric by DISTINCT ON).

async function loggedModelsPage(c: pg.Pool, exp: number | string): Promise<string> {
  const page = (
    await c.query(
      `SELECT m.* FROM logged_models m
         JOIN logged_model_params p ON p.model_id = m.model_id AND p.param_key = 'lr' AND p.param_value = '0.01'
         LEFT JOIN (SELECT DISTINCT ON (model_id) model_id, metric_value FROM logged_model_metrics
                     WHERE metric_name = 'acc'
                     ORDER BY model_id, metric_step DESC, metric_timestamp_ms DESC, metric_value DESC) a
           ON a.model_id = m.model_id
        WHERE m.experiment_id = $1 AND m.lifecycle_stage <> 'deleted'
        ORDER BY a.metric_value DESC NULLS LAST, m.creation_timestamp_ms DESC, m.model_id LIMIT 101`,
      [exp],
    )
  ).rows as Record<string, unknown>[];
  const ids = page.slice(0, 100).map((m) => m.model_id as string);
  const [t, p, mt] = await Promise.all([
    c.query('SELECT model_id, tag_key, tag_value FROM logged_model_tags WHERE model_id = ANY($1)', [ids]),
    c.query('SELECT model_id, param_key, param_value FROM logged_model_params WHERE model_id = ANY($1)', [
      ids,
    ]),
    c.query(
      'SELECT model_id, metric_name, metric_value, metric_timestamp_ms, metric_step, run_id FROM logged_model_metrics WHERE model_id = ANY($1)',
      [ids],
    ),
  ]);
  return JSON.stringify({
    models: page.slice(0, 100).map((m) => ({
      info: {
        model_id: m.model_id,
        experiment_id: String(m.experiment_id),
        name: m.name,
        creation_timestamp_ms: Number(m.creation_timestamp_ms),
        last_updated_timestamp_ms: Number(m.last_updated_timestamp_ms),
        artifact_uri: m.artifact_location,
        status: 'LOGGED_MODEL_READY',
        model_type: m.model_type,
        source_run_id: m.source_run_id,
        tags: t.rows
          .filter((x) => x.model_id === m.model_id)
          .map((x) => ({ key: x.tag_key, value: x.tag_value })),
      },
      data: {
        params: p.rows
          .filter((x) => x.model_id === m.model_id)
          .map((x) => ({ key: x.param_key, value: x.param_value })),
        metrics: mt.rows
          .filter((x) => x.model_id === m.model_id)
          .map((x) => ({
            key: x.metric_name,
            value: x.metric_value,
            timestamp: Number(x.metric_timestamp_ms),
            step: Number(x.metric_step),
            run_id: x.run_id,
            model_id: x.model_id,
          })),
      },
    })),
    next_page_token: 'x',
  });
}

// ---------------------------------------------------------------------------------------------
// Trace search read floor (T3): the page of trace infos with plain queries (the tag filter as an
// EXISTS, the page's tags, metadata and assessments by id).

async function tracesPage(c: pg.Pool, exp: number | string): Promise<string> {
  const page = (
    await c.query(
      `SELECT t.* FROM trace_info t
        WHERE t.experiment_id = $1
          AND EXISTS (SELECT 1 FROM trace_tags g WHERE g.request_id = t.request_id AND g.key = 'team' AND g.value = 'team_3')
        ORDER BY t.timestamp_ms DESC, t.request_id LIMIT 101`,
      [exp],
    )
  ).rows as Record<string, unknown>[];
  const ids = page.slice(0, 100).map((t) => t.request_id as string);
  const [tags, meta, assessments] = await Promise.all([
    c.query('SELECT request_id, key, value FROM trace_tags WHERE request_id = ANY($1)', [ids]),
    c.query('SELECT request_id, key, value FROM trace_request_metadata WHERE request_id = ANY($1)', [ids]),
    c.query('SELECT * FROM assessments WHERE trace_id = ANY($1)', [ids]),
  ]);
  return JSON.stringify({
    traces: page.slice(0, 100).map((t) => ({
      trace_id: t.request_id,
      trace_location: {
        type: 'MLFLOW_EXPERIMENT',
        mlflow_experiment: { experiment_id: String(t.experiment_id) },
      },
      request_time: new Date(Number(t.timestamp_ms)).toISOString(),
      execution_duration: `${Number(t.execution_time_ms) / 1000}s`,
      state: t.status,
      request_preview: t.request_preview,
      response_preview: t.response_preview,
      trace_metadata: Object.fromEntries(
        meta.rows.filter((m) => m.request_id === t.request_id).map((m) => [m.key, m.value]),
      ),
      tags: {
        ...Object.fromEntries(
          tags.rows.filter((g) => g.request_id === t.request_id).map((g) => [g.key, g.value]),
        ),
        'mlflow.traceName': t.trace_name,
      },
      assessments: assessments.rows.filter((a) => a.trace_id === t.request_id),
    })),
    next_page_token: 'x',
  });
}

// ---------------------------------------------------------------------------------------------
// Registry read floors (REG2, REG3): the seeded registry read with plain queries.

interface ModelDbRow {
  name: string;
  creation_time: string;
  last_updated_time: string;
  description: string | null;
}
interface VersionDbRow extends ModelDbRow {
  version: number;
  user_id: string | null;
  current_stage: string;
  source: string | null;
  run_id: string | null;
  status: string;
}
interface NamedKvDbRow {
  name: string;
  key: string;
  value: string;
}
interface AliasDbRow {
  name: string;
  alias: string;
  version: number;
}

const versionJson = (v: VersionDbRow, aliases: string[], tags: NamedKvDbRow[] = []) => ({
  name: v.name,
  version: String(v.version),
  creation_timestamp: Number(v.creation_time),
  last_updated_timestamp: Number(v.last_updated_time),
  user_id: v.user_id ?? undefined,
  current_stage: v.current_stage,
  description: v.description ?? '',
  source: v.source ?? undefined,
  run_id: v.run_id ?? undefined,
  status: v.status,
  tags: tags.map((t) => ({ key: t.key, value: t.value })),
  aliases,
});

const VERSION_COLS =
  'v.name, v.version, v.creation_time, v.last_updated_time, v.description, v.user_id, v.current_stage, v.source, v.run_id, v.status';

function registryReadFloors(): Record<string, (c: pg.Pool, i: number) => Promise<string>> {
  const pageSize = 100;
  const pages = REG_MODELS / pageSize;
  // the version an alias points to, with its tags and all its aliases
  const alias = async (c: pg.Pool, i: number) => {
    const n = (i * 7919) % REG_MODELS;
    const as = regAliases(n);
    const al = as[i % as.length]![0];
    const name = regModelName(n);
    const v = (
      await c.query<VersionDbRow>(
        `SELECT ${VERSION_COLS} FROM registered_model_aliases a
             JOIN model_versions v ON v.name = a.name AND v.version = a.version
            WHERE a.name = $1 AND a.alias = $2`,
        [name, al],
      )
    ).rows[0];
    if (!v) throw new Error(`no version for ${name}@${al}`);
    const [t, a] = await Promise.all([
      c.query<NamedKvDbRow>(
        'SELECT name, key, value FROM model_version_tags WHERE name = $1 AND version = $2',
        [name, v.version],
      ),
      c.query<AliasDbRow>(
        'SELECT name, alias, version FROM registered_model_aliases WHERE name = $1 AND version = $2',
        [name, v.version],
      ),
    ]);
    return JSON.stringify({
      model_version: versionJson(
        v,
        a.rows.map((x) => x.alias),
        t.rows,
      ),
    });
  };
  return {
    // a page of models with their tags, aliases and latest version per stage
    REG2: async (c, i) => {
      const models = (
        await c.query<ModelDbRow>(
          `SELECT name, creation_time, last_updated_time, description FROM registered_models
            WHERE name LIKE 'model-%' ORDER BY name LIMIT $1 OFFSET $2`,
          [pageSize, (i % pages) * pageSize],
        )
      ).rows;
      if (models.length !== pageSize) throw new Error(`page of ${models.length} models`);
      const names = models.map((m) => m.name);
      const [t, a, l] = await Promise.all([
        c.query<NamedKvDbRow>('SELECT name, key, value FROM registered_model_tags WHERE name = ANY($1)', [
          names,
        ]),
        c.query<AliasDbRow>(
          'SELECT name, alias, version FROM registered_model_aliases WHERE name = ANY($1)',
          [names],
        ),
        c.query<VersionDbRow>(
          `SELECT DISTINCT ON (v.name, v.current_stage) ${VERSION_COLS} FROM model_versions v
            WHERE v.name = ANY($1) AND v.current_stage <> 'Deleted_Internal'
            ORDER BY v.name, v.current_stage, v.version DESC`,
          [names],
        ),
      ]);
      return JSON.stringify({
        registered_models: models.map((m) => ({
          name: m.name,
          creation_timestamp: Number(m.creation_time),
          last_updated_timestamp: Number(m.last_updated_time),
          description: m.description ?? '',
          latest_versions: l.rows.filter((v) => v.name === m.name).map((v) => versionJson(v, [])),
          tags: t.rows.filter((x) => x.name === m.name).map((x) => ({ key: x.key, value: x.value })),
          aliases: a.rows
            .filter((x) => x.name === m.name)
            .map((x) => ({ alias: x.alias, version: String(x.version) })),
        })),
        next_page_token: 'x',
      });
    },
    REG3: alias,
    REG4: alias,
  };
}
