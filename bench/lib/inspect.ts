// Post-scenario data checks. MLflow-schema systems are checked in SQL over the whole
// experiment; FastTrackML (own schema) through the REST API on a sample of runs.
import mysql from 'mysql2/promise';
import pg from 'pg';
import { sqliteRows } from './db.js';
import { call } from './load.js';
import type { DbRow } from './json.js';

export interface MetricStats {
  metrics: number; // history rows
  keys: number; // distinct (run, key)
  latest: number; // latest_metrics rows
  good: number; // latest rows equal to the max by (step, timestamp, value) of the history
}

export interface VersionStats {
  count: number;
  distinct: number;
  max: number;
  tags: number;
}

export interface Inspector {
  exact: boolean; // whole experiment (SQL) or a sample (API)
  runsInExp(exp: string): Promise<number>;
  metricStats(exp: string, sampleRuns: string[]): Promise<MetricStats>;
  paramCount(exp: string, sampleRuns: string[]): Promise<number>;
  param(run: string, key: string): Promise<string | undefined>;
  /** runs whose `name` differs from their mlflow.runName tag */
  runNameMismatches(exp: string, sampleRuns: string[]): Promise<number>;
  /** versions of a registered model: rows, distinct numbers, highest number, version tags */
  modelVersions(name: string): Promise<VersionStats>;
  close(): Promise<void>;
}

const STATS_SQL = `
WITH m AS (SELECT x.run_uuid, x.key, x.step, x.timestamp, x.value,
             ROW_NUMBER() OVER (PARTITION BY x.run_uuid, x.key ORDER BY x.step DESC, x.timestamp DESC, x.value DESC) AS rn
           FROM metrics x WHERE x.run_uuid IN (SELECT run_uuid FROM runs WHERE experiment_id = ?1))
SELECT (SELECT count(*) FROM m) AS metrics,
       (SELECT count(*) FROM m WHERE rn = 1) AS nkeys,
       (SELECT count(*) FROM latest_metrics WHERE run_uuid IN (SELECT run_uuid FROM runs WHERE experiment_id = ?1)) AS latest,
       (SELECT count(*) FROM m JOIN latest_metrics l ON l.run_uuid = m.run_uuid AND l.key = m.key AND l.step = m.step
          AND l.timestamp = m.timestamp AND l.value = m.value WHERE m.rn = 1) AS good`;

export function sqlInspector(kind: 'pg' | 'sqlite' | 'mysql', target: string): Inspector {
  let client: pg.Client | undefined;
  let my: mysql.Connection | undefined;
  const q = async <T extends object = DbRow>(sql: string, params: unknown[]): Promise<T[]> => {
    if (kind === 'sqlite') return sqliteRows<T>(target, sql.replace(/\?(\d)/g, '?'), expand(sql, params));
    if (kind === 'mysql') {
      my ??= await mysql.createConnection(target);
      return (await my.query(sql.replace(/\?(\d)/g, '?'), expand(sql, params)))[0] as T[];
    }
    if (!client) {
      client = new pg.Client({ connectionString: target });
      await client.connect();
    }
    return (await client.query<T>(sql.replace(/\?(\d)/g, '$$$1'), params)).rows;
  };
  // SQLite's '?' placeholders are positional: repeat parameters as referenced.
  const expand = (sql: string, params: unknown[]) =>
    [...sql.matchAll(/\?(\d)/g)].map((m) => params[Number(m[1]) - 1]);
  const n = (v: unknown) => Number(v);
  // Aggregate queries: always exactly one row.
  const one = async (sql: string, params: unknown[]): Promise<DbRow> => (await q(sql, params))[0] ?? {};
  return {
    exact: true,
    runsInExp: async (exp) =>
      n((await one('SELECT count(*) AS c FROM runs WHERE experiment_id = ?1', [Number(exp)])).c),
    metricStats: async (exp) => {
      const r = await one(STATS_SQL, [Number(exp)]);
      return { metrics: n(r.metrics), keys: n(r.nkeys), latest: n(r.latest), good: n(r.good) };
    },
    paramCount: async (exp) =>
      n(
        (
          await one(
            'SELECT count(*) AS c FROM params WHERE run_uuid IN (SELECT run_uuid FROM runs WHERE experiment_id = ?1)',
            [Number(exp)],
          )
        ).c,
      ),
    param: async (run, key) =>
      (await q<{ value: string }>('SELECT p.value FROM params p WHERE p.run_uuid = ?1 AND p.key = ?2', [run, key]))[0]
        ?.value,
    runNameMismatches: async (exp) =>
      n(
        (
          await one(
            `SELECT count(*) AS c FROM runs r JOIN tags t ON t.run_uuid = r.run_uuid AND t.key = 'mlflow.runName'
                  WHERE r.experiment_id = ?1 AND r.name <> t.value`,
            [Number(exp)],
          )
        ).c,
      ),
    modelVersions: async (name) => {
      const r = await one(
        `SELECT count(*) AS count, count(DISTINCT version) AS d, coalesce(max(version), 0) AS max,
                (SELECT count(*) FROM model_version_tags WHERE name = ?1) AS tags
           FROM model_versions WHERE name = ?1`,
        [name],
      );
      return { count: n(r.count), distinct: n(r.d), max: n(r.max), tags: n(r.tags) };
    },
    close: async () => {
      await client?.end();
      await my?.end();
    },
  };
}

export function apiInspector(base: string): Inspector {
  const get = (p: string) => call(base, 'GET', '/api/2.0/mlflow' + p);
  const run = async (id: string) => (await get(`/runs/get?run_id=${id}`)).run!;
  return {
    exact: false,
    runsInExp: async (exp) => {
      let n = 0;
      let token: string | undefined;
      for (let page = 0; page < 1000; page++) {
        const r = await call(base, 'POST', '/api/2.0/mlflow/runs/search', {
          experiment_ids: [exp],
          max_results: 1000,
          page_token: token,
        });
        n += r.runs?.length ?? 0;
        token = r.next_page_token;
        if (!token) break;
      }
      return n;
    },
    metricStats: async (_exp, sample) => {
      const s: MetricStats = { metrics: 0, keys: 0, latest: 0, good: 0 };
      for (const id of sample) {
        const latest = (await run(id)).data.metrics ?? [];
        s.latest += latest.length;
        for (const l of latest) {
          const h =
            (await get(`/metrics/get-history?run_id=${id}&metric_key=${encodeURIComponent(l.key)}`))
              .metrics ?? [];
          s.metrics += h.length;
          if (h.length) s.keys++;
          const best = h.reduce((a, b) =>
            b.step > a.step ||
            (b.step === a.step &&
              (b.timestamp > a.timestamp || (b.timestamp === a.timestamp && b.value > a.value)))
              ? b
              : a,
          );
          if (best.step === l.step && best.timestamp === l.timestamp && best.value === l.value) s.good++;
        }
      }
      return s;
    },
    paramCount: async (_exp, sample) => {
      let n = 0;
      for (const id of sample) n += ((await run(id)).data.params ?? []).length;
      return n;
    },
    param: async (id, key) => ((await run(id)).data.params ?? []).find((p) => p.key === key)?.value,
    runNameMismatches: async (_exp, sample) => {
      let n = 0;
      for (const id of sample) {
        const r = await run(id);
        const tag = (r.data.tags ?? []).find((t) => t.key === 'mlflow.runName')?.value;
        if (tag !== undefined && tag !== r.info.run_name) n++;
      }
      return n;
    },
    modelVersions: async (name) => {
      const versions: number[] = [];
      let tags = 0;
      let token: string | undefined;
      for (let page = 0; page < 1000; page++) {
        const q = `filter=${encodeURIComponent(`name = '${name}'`)}&max_results=10000${token ? `&page_token=${encodeURIComponent(token)}` : ''}`;
        const r = await get(`/model-versions/search?${q}`);
        for (const mv of r.model_versions ?? []) {
          versions.push(Number(mv.version));
          tags += mv.tags?.length ?? 0;
        }
        token = r.next_page_token;
        if (!token) break;
      }
      return {
        count: versions.length,
        distinct: new Set(versions).size,
        max: Math.max(0, ...versions),
        tags,
      };
    },
    close: async () => {},
  };
}
