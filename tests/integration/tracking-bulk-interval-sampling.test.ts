/**
 * get_metric_history_bulk_interval's one-statement sampling (bucket starts computed from row
 * position and count) against MLflow's formulation run per run: NTILE buckets, first row of each,
 * plus the last row. Random histories with step/timestamp ties, NaNs, step ranges, repeated and
 * unknown run ids, on SQLite and PostgreSQL.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores, type Stores } from '../../src/stores/index.js';
import { backendNames, newBackend, type TestBackend } from '../helpers/store-backends.js';

type Row = { value: number; timestamp: number; step: number; is_nan: boolean | number };

/** MLflow 3.18's _sample_rows_with_window_functions, one run at a time. */
async function reference(
  stores: Stores,
  runIds: string[],
  key: string,
  n: number,
  start?: number,
  end?: number,
): Promise<unknown[]> {
  const db = stores.tracking.db;
  const out: unknown[] = [];
  for (const runId of runIds) {
    const range =
      start !== undefined && end !== undefined ? sql`AND step >= ${start} AND step <= ${end}` : sql``;
    const rows = (
      await sql<Row>`
      SELECT value, timestamp, step, is_nan FROM (
        SELECT value, timestamp, step, is_nan,
               ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY step, timestamp, value, is_nan) AS rn
        FROM (
          SELECT value, timestamp, step, is_nan,
                 NTILE(${n}) OVER (ORDER BY step, timestamp, value, is_nan) AS bucket
          FROM metrics WHERE run_uuid = ${runId} AND metrics.key = ${key} ${range}
        ) bucketed
      ) ranked
      WHERE rn = 1
      ORDER BY step, timestamp, value, is_nan`.execute(db)
    ).rows;
    const last = (
      await sql<Row>`
      SELECT value, timestamp, step, is_nan FROM metrics
      WHERE run_uuid = ${runId} AND metrics.key = ${key} ${range}
      ORDER BY step DESC, timestamp DESC, value DESC, is_nan DESC LIMIT 1`.execute(db)
    ).rows[0];
    const rk = (r: Row) =>
      JSON.stringify([r.step, r.timestamp, r.is_nan ? null : r.value, Boolean(r.is_nan)]);
    if (last && (rows.length === 0 || rk(rows[rows.length - 1]!) !== rk(last))) {
      if (rows.length >= n) rows[rows.length - 1] = last;
      else rows.push(last);
    }
    for (const r of rows)
      out.push({ key, value: r.is_nan ? NaN : r.value, timestamp: r.timestamp, step: r.step, run_id: runId });
  }
  return out;
}

describe.each(backendNames)('bulk-interval sampling on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;
  const runs: string[] = [];
  const sizes = [0, 1, 2, 5, 37, 319, 320, 321, 641, 1000];

  beforeAll(async () => {
    backend = await newBackend(dialect, 'bulkinterval');
    stores = await openStores(backend.uri, { defaultArtifactRoot: '/tmp/a' });
    const t = stores.tracking;
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const size of sizes) {
      const run = (await t.createRun({ experimentId: '0', userId: '', startTime: 0, tags: [], runName: 'r' }))
        .info.run_id;
      runs.push(run);
      const metrics = [];
      const seen = new Set<string>();
      while (metrics.length < size) {
        const step = Math.floor(rand() * size * 0.7);
        const timestamp = Math.floor(rand() * 5);
        const value = rand() < 0.05 ? NaN : Math.floor(rand() * 4) / 2;
        const k = `${step}/${timestamp}/${value}`;
        if (seen.has(k)) continue;
        seen.add(k);
        metrics.push({ key: 'loss', value, timestamp, step });
      }
      for (let i = 0; i < metrics.length; i += 500)
        await t.logBatch(run, { metrics: metrics.slice(i, i + 500), params: [], tags: [] });
      await t.logBatch(run, {
        metrics: [{ key: 'other', value: 1, timestamp: 1, step: 1 }],
        params: [],
        tags: [],
      });
    }
  }, 120_000);
  afterAll(async () => {
    await stores.close();
    await backend.drop();
  });

  it('returns the rows MLflow samples, in request order', async () => {
    const ids = [...runs, runs[3]!, 'no-such-run', runs[0]!, runs[6]!];
    for (const n of [1, 2, 3, 7, 100, 320, 2500]) {
      for (const [start, end] of [
        [undefined, undefined],
        [0, 0],
        [3, 150],
        [-5, 100000],
      ] as const) {
        const got = await stores.tracking.getMetricHistoryBulkInterval(ids, 'loss', n, start, end);
        const want = await reference(stores, ids, 'loss', n, start, end);
        expect(got, `n=${n} range=${start}..${end}`).toEqual(want);
      }
    }
  }, 120_000);
});
