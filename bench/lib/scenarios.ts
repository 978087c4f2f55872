// The scenarios (payloads after docs/benchmark-landscape §6.4). Each one prepares its objects
// through the REST API (not measured), builds request i, and verifies the stored data afterwards.
import type { Check, Req } from './load.js';
import { call, defaultCheck } from './load.js';
import type { Inspector } from './inspect.js';
import type { MlflowAnswer } from './json.js';
import type { ReadIds, ReadSize } from './seed.js';
import {
  LM_MODELS,
  REG_MODELS,
  TRACES,
  lmAcc,
  lmLr,
  regModelName,
  regAliases,
  traceId,
  traceTeam,
} from './seed.js';
import type { SchemaKind } from './systems.js';

/** Where a scenario's data lives: PostgreSQL, SQLite, or MySQL (MariaDB). */
export type Backend = 'pg' | 'sqlite' | 'mysql';

export interface Ctx {
  base: string;
  quick: boolean;
  ids?: ReadIds;
  size: ReadSize;
}

export interface Prepared {
  make(i: number): Req;
  check?: Check;
  /** runs to inspect when the inspector works on a sample (API) */
  sample?: string[];
  verify?(insp: Inspector, okIdx: number[]): Promise<string[]>;
}

export interface Scenario {
  id: string;
  title: string;
  group: 'write' | 'read';
  backend: Backend;
  concurrency: number;
  unit?: { name: string; perReq: number }; // e.g. metrics/s
  durationMs: (quick: boolean) => number;
  maxRequests: (quick: boolean) => number;
  warmup: (quick: boolean) => number; // requests before measuring
  /** The schema kinds whose systems can run it (default: all). */
  schemas?: SchemaKind[];
  /**
   * A page load in chromium instead of API requests (bench/lib/ui-load.ts): the UI route and
   * the text whose appearance ends a load. Only the systems that serve MLflow's UI run it.
   */
  browser?: {
    hash(ids: ReadIds, size: ReadSize): string;
    until(size: ReadSize): string;
    loads: (quick: boolean) => number;
  };
  prepare(ctx: Ctx): Promise<Prepared>;
}

const A = '/api/2.0/mlflow';
let expSeq = 0;
const newExp = async (ctx: Ctx, name: string) =>
  (await call(ctx.base, 'POST', `${A}/experiments/create`, { name: `${name}_${Date.now()}_${expSeq++}` }))
    .experiment_id!;
const newRun = async (ctx: Ctx, exp: string) =>
  (
    await call(ctx.base, 'POST', `${A}/runs/create`, {
      experiment_id: exp,
      start_time: Date.now(),
      tags: [{ key: 'mlflow.user', value: 'bench' }],
    })
  ).run!.info.run_id;
const newRuns = async (ctx: Ctx, exp: string, n: number) => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await newRun(ctx, exp));
  return out;
};
const problem = (cond: boolean, msg: string) => (cond ? [] : [msg]);
const count = <T>(xs: T[], f: (x: T) => boolean) => xs.reduce((n, x) => n + (f(x) ? 1 : 0), 0);

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** Checks metric history / latest consistency; expected = metrics per sampled or all runs. */
async function checkMetrics(
  insp: Inspector,
  exp: string,
  sample: string[],
  expMetrics: number,
  expKeys: number,
) {
  const s = await insp.metricStats(exp, sample);
  return [
    ...problem(s.metrics === expMetrics, `metrics rows ${s.metrics}, expected ${expMetrics}`),
    ...problem(s.keys === expKeys, `distinct (run,key) ${s.keys}, expected ${expKeys}`),
    ...problem(s.latest === expKeys, `latest_metrics rows ${s.latest}, expected ${expKeys}`),
    ...problem(
      s.good === s.keys,
      `${s.keys - s.good} latest_metrics rows differ from the max of the history`,
    ),
  ];
}

const dur = (q: number, f: number) => (quick: boolean) => (quick ? q : f);

function writeScenarios(backend: Backend): Scenario[] {
  const sfx = backend === 'sqlite' ? '-sqlite' : backend === 'mysql' ? '-mysql' : '';
  const S = backend === 'sqlite' ? 'S' : 'W';
  const base = { group: 'write' as const, backend, durationMs: dur(2500, 20000), warmup: dur(10, 200) };
  const list: Scenario[] = [
    {
      ...base,
      id: `${S}1-create-run${sfx}`,
      title: 'CreateRun (mlflow-go shape)',
      concurrency: 8,
      maxRequests: dur(5000, 100000),
      async prepare(ctx) {
        const exp = await newExp(ctx, 'w1');
        return {
          make: () => ({
            method: 'POST',
            path: `${A}/runs/create`,
            body: {
              experiment_id: exp,
              start_time: Date.now(),
              tags: [{ key: 'mlflow.user', value: 'bench' }],
            },
          }),
          verify: async (insp, ok) => {
            const n = await insp.runsInExp(exp);
            return problem(n === ok.length, `runs ${n}, expected ${ok.length}`);
          },
        };
      },
    },
    {
      ...base,
      id: `${S}2-log-metric${sfx}`,
      title: backend !== 'sqlite' ? 'log-metric loop, c=1' : 'log-metric, one run per connection, c=8',
      concurrency: backend !== 'sqlite' ? 1 : 8,
      maxRequests: dur(3000, 50000),
      async prepare(ctx) {
        const exp = await newExp(ctx, 'w2');
        const runs = await newRuns(ctx, exp, this.concurrency);
        return {
          sample: runs,
          make: (i) => ({
            method: 'POST',
            path: `${A}/runs/log-metric`,
            body: {
              run_id: runs[i % runs.length],
              key: 'loss',
              value: Math.random(),
              timestamp: Date.now(),
              step: i,
            },
          }),
          verify: (insp, ok) =>
            checkMetrics(insp, exp, runs, ok.length, new Set(ok.map((i) => i % runs.length)).size),
        };
      },
    },
    {
      ...base,
      id: `${S}3-log-batch-10-same-run${sfx}`,
      title: 'LogBatch 10 metrics, same run & keys, c=20',
      concurrency: 20,
      unit: { name: 'metrics/s', perReq: 10 },
      maxRequests: dur(3000, 50000),
      async prepare(ctx) {
        const exp = await newExp(ctx, 'w3');
        const run = await newRun(ctx, exp);
        return {
          sample: [run],
          make: () => {
            const ts = Date.now();
            return {
              method: 'POST',
              path: `${A}/runs/log-batch`,
              body: {
                run_id: run,
                metrics: Array.from({ length: 10 }, (_, k) => ({
                  key: `metric_${k}`,
                  value: k + Math.random(),
                  timestamp: ts,
                  step: 0,
                })),
              },
            };
          },
          verify: (insp, ok) => checkMetrics(insp, exp, [run], ok.length * 10, ok.length ? 10 : 0),
        };
      },
    },
    {
      ...base,
      id: `${S}4-log-batch-1000${sfx}`,
      title: 'LogBatch 1000 metrics (100 keys x 10 steps), distinct runs, c=4',
      concurrency: 4,
      unit: { name: 'metrics/s', perReq: 1000 },
      maxRequests: dur(400, 20000),
      warmup: dur(8, 40),
      async prepare(ctx) {
        const exp = await newExp(ctx, 'w4');
        const runs = await newRuns(ctx, exp, ctx.quick ? 40 : 200);
        return {
          sample: runs.slice(0, 2),
          make: (i) => {
            const run = runs[i % runs.length];
            const round = Math.floor(i / runs.length);
            const ts = Date.now();
            const metrics = [];
            for (let k = 0; k < 100; k++)
              for (let s = 0; s < 10; s++)
                metrics.push({ key: `m_${k}`, value: Math.random(), timestamp: ts, step: round * 10 + s });
            return { method: 'POST', path: `${A}/runs/log-batch`, body: { run_id: run, metrics } };
          },
          verify: async (insp, ok) => {
            const touched = new Set(ok.map((i) => i % runs.length));
            if (insp.exact) return checkMetrics(insp, exp, [], ok.length * 1000, touched.size * 100);
            const sampleOk = count(ok, (i) => i % runs.length < 2);
            return checkMetrics(
              insp,
              exp,
              runs.slice(0, 2),
              sampleOk * 1000,
              [0, 1].filter((r) => touched.has(r)).length * 100,
            );
          },
        };
      },
    },
    {
      ...base,
      id: `${S}5-deadlock-torture${sfx}`,
      title: '500 shuffled keys on one run, c=20 (mlflow-go #81)',
      concurrency: 20,
      unit: { name: 'metrics/s', perReq: 500 },
      maxRequests: dur(300, 5000),
      warmup: dur(0, 0),
      async prepare(ctx) {
        const exp = await newExp(ctx, 'w5');
        const run = await newRun(ctx, exp);
        const keys = Array.from({ length: 500 }, (_, k) => `train/key_${k}`);
        return {
          sample: [run],
          make: (i) => {
            const ts = Date.now();
            return {
              method: 'POST',
              path: `${A}/runs/log-batch`,
              body: {
                run_id: run,
                metrics: shuffle([...keys]).map((key) => ({
                  key,
                  value: Math.random(),
                  timestamp: ts,
                  step: i,
                })),
              },
            };
          },
          verify: (insp, ok) => checkMetrics(insp, exp, [run], ok.length * 500, ok.length ? 500 : 0),
        };
      },
    },
  ];
  if (backend !== 'pg') return list;
  const w6 = { ...base, concurrency: 8, maxRequests: dur(2000, 30000) };
  list.push(
    {
      ...w6,
      id: 'W6a-params-new',
      title: 'LogBatch 100 new params, c=8',
      unit: { name: 'params/s', perReq: 100 },
      async prepare(ctx) {
        const exp = await newExp(ctx, 'w6a');
        const runs = await newRuns(ctx, exp, 50);
        return {
          sample: runs.slice(0, 2),
          make: (i) => ({
            method: 'POST',
            path: `${A}/runs/log-batch`,
            body: {
              run_id: runs[i % runs.length],
              params: Array.from({ length: 100 }, (_, j) => ({ key: `p_${i}_${j}`, value: `v${j}` })),
            },
          }),
          verify: async (insp, ok) => {
            const expected = insp.exact ? ok.length * 100 : count(ok, (i) => i % runs.length < 2) * 100;
            const n = await insp.paramCount(exp, runs.slice(0, 2));
            return problem(n === expected, `params ${n}, expected ${expected}`);
          },
        };
      },
    },
    {
      ...w6,
      id: 'W6b-params-resend',
      title: 'LogBatch the same 100 params again (idempotent), c=8',
      async prepare(ctx) {
        const exp = await newExp(ctx, 'w6b');
        const run = await newRun(ctx, exp);
        const params = Array.from({ length: 100 }, (_, j) => ({
          key: `param_${j}`,
          value: `param_value_${j}`,
        }));
        return {
          sample: [run],
          make: () => ({ method: 'POST', path: `${A}/runs/log-batch`, body: { run_id: run, params } }),
          verify: async (insp) => {
            const n = await insp.paramCount(exp, [run]);
            return problem(n === 100, `params ${n}, expected 100`);
          },
        };
      },
    },
    {
      ...w6,
      id: 'W6c-param-conflict',
      title: 'log-parameter with a changed value (expects 400 INVALID_PARAMETER_VALUE), c=8',
      async prepare(ctx) {
        const exp = await newExp(ctx, 'w6c');
        const run = await newRun(ctx, exp);
        await call(ctx.base, 'POST', `${A}/runs/log-parameter`, { run_id: run, key: 'lr', value: '0.01' });
        return {
          sample: [run],
          make: (i) => ({
            method: 'POST',
            path: `${A}/runs/log-parameter`,
            body: { run_id: run, key: 'lr', value: `0.1_${i}` },
          }),
          check: (status, body, i) => {
            if (status === 400 && /INVALID_PARAMETER_VALUE/.test(body)) return 'expected';
            if (status === 200) return 'accepted a changed param';
            return defaultCheck(status, body, i);
          },
          verify: async (insp) => {
            const v = await insp.param(run, 'lr');
            return problem(v === '0.01', `param lr is ${v}, expected 0.01`);
          },
        };
      },
    },
    {
      ...w6,
      id: 'W6d-tags',
      title: 'LogBatch 100 tags incl. mlflow.runName (overwrites), c=8',
      unit: { name: 'tags/s', perReq: 100 },
      async prepare(ctx) {
        const exp = await newExp(ctx, 'w6d');
        const runs = await newRuns(ctx, exp, 50);
        return {
          sample: runs.slice(0, 3),
          make: (i) => ({
            method: 'POST',
            path: `${A}/runs/log-batch`,
            body: {
              run_id: runs[i % runs.length],
              tags: [
                { key: 'mlflow.runName', value: `name-${i}` },
                ...Array.from({ length: 99 }, (_, j) => ({ key: `tag_${j}`, value: `v${i}` })),
              ],
            },
          }),
          verify: async (insp) => {
            const n = await insp.runNameMismatches(exp, runs.slice(0, 3));
            return problem(n === 0, `${n} runs whose name differs from their mlflow.runName tag`);
          },
        };
      },
    },
  );
  return list;
}

function readScenarios(): Scenario[] {
  const base = {
    group: 'read' as const,
    backend: 'pg' as Backend,
    durationMs: dur(2500, 20000),
    warmup: dur(3, 20),
  };
  const json = (body: string) => JSON.parse(body) as MlflowAnswer;
  return [
    {
      ...base,
      id: 'R1-search-runs-ui',
      title: 'SearchRuns UI page: 100 of N runs, order by start_time, c=4',
      concurrency: 4,
      maxRequests: dur(2000, 50000),
      async prepare(ctx) {
        return {
          make: () => ({
            method: 'POST',
            path: '/ajax-api/2.0/mlflow/runs/search',
            body: {
              experiment_ids: [ctx.ids!.searchExp],
              max_results: 100,
              order_by: ['attributes.start_time DESC'],
              run_view_type: 'ACTIVE_ONLY',
            },
          }),
          check: (s, b, i) => {
            if (s !== 200) return defaultCheck(s, b, i);
            const r = json(b).runs ?? [];
            return r.length === 100 && r[0]?.data.params?.length === 20
              ? 'ok'
              : `wrong page (${r.length} runs)`;
          },
        };
      },
    },
    {
      ...base,
      id: 'R2-search-runs-bulk',
      title:
        "SearchRuns 1000 runs, filter params.lr = '0.01' and metrics.acc > 0.2, order by metrics.acc DESC, c=2",
      concurrency: 2,
      maxRequests: dur(500, 10000),
      async prepare(ctx) {
        const n = ctx.size.runs;
        let matching = 0;
        for (let i = 0; i < n; i++) if (i % 2 === 0 && ((i * 7919) % n) / n > 0.2) matching++;
        const want = Math.min(1000, matching);
        return {
          make: () => ({
            method: 'POST',
            path: `${A}/runs/search`,
            body: {
              experiment_ids: [ctx.ids!.searchExp],
              max_results: 1000,
              filter: "params.lr = '0.01' and metrics.acc > 0.2",
              order_by: ['metrics.acc DESC'],
            },
          }),
          check: (s, b, i) => {
            if (s !== 200) return defaultCheck(s, b, i);
            const runs = json(b).runs ?? [];
            const acc = runs.map((r) => r.data.metrics?.find((m) => m.key === 'acc')?.value ?? NaN);
            const sorted = acc.every((v, k) => k === 0 || acc[k - 1]! >= v);
            return runs.length === want && sorted
              ? 'ok'
              : `wrong result (${runs.length} runs, expected ${want}${sorted ? '' : ', unsorted'})`;
          },
        };
      },
    },
    {
      ...base,
      id: 'R3-search-experiments',
      title: 'SearchExperiments max_results=1000 (experiments with 3 tags), c=4',
      concurrency: 4,
      maxRequests: dur(2000, 50000),
      async prepare(ctx) {
        const want = Math.min(1000, ctx.size.experiments);
        return {
          make: () => ({ method: 'POST', path: `${A}/experiments/search`, body: { max_results: 1000 } }),
          check: (s, b, i) =>
            s !== 200
              ? defaultCheck(s, b, i)
              : (json(b).experiments?.length ?? 0) >= want
                ? 'ok'
                : 'too few experiments',
        };
      },
    },
    {
      ...base,
      id: 'R4-get-run-big',
      title: 'GetRun of a run with 1000 params, 1000 metrics, 100 tags, c=8',
      concurrency: 8,
      maxRequests: dur(2000, 50000),
      async prepare(ctx) {
        return {
          make: () => ({ method: 'GET', path: `${A}/runs/get?run_id=${ctx.ids!.bigRun}` }),
          check: (s, b, i) =>
            s !== 200
              ? defaultCheck(s, b, i)
              : json(b).run?.data.params?.length === ctx.size.bigParams
                ? 'ok'
                : 'wrong params count',
        };
      },
    },
    {
      ...base,
      id: 'R5-metric-history-big',
      title: 'GetMetricHistory of one key with N points, unpaged, c=1 (watch peak RSS)',
      concurrency: 1,
      durationMs: dur(20000, 60000),
      maxRequests: dur(2, 5),
      warmup: dur(0, 0),
      async prepare(ctx) {
        return {
          make: () => ({
            method: 'GET',
            path: `${A}/metrics/get-history?run_id=${ctx.ids!.histRun}&metric_key=loss`,
          }),
          check: (s, b, i) => {
            if (s !== 200) return defaultCheck(s, b, i);
            const n = json(b).metrics?.length ?? 0;
            return n === ctx.size.historyPoints ? 'ok' : `returned ${n} of ${ctx.size.historyPoints} points`;
          },
        };
      },
    },
    {
      ...base,
      id: 'R6-bulk-interval',
      title: 'get-history-bulk-interval, 100 runs x N steps, max_results=320, c=4',
      concurrency: 4,
      maxRequests: dur(40, 2000),
      async prepare(ctx) {
        const q = ctx.ids!.bulkRuns.map((r) => `run_ids=${r}`).join('&');
        return {
          make: () => ({
            method: 'GET',
            path: `/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?${q}&metric_key=loss&max_results=320`,
          }),
          check: (s, b, i) => {
            if (s !== 200) return defaultCheck(s, b, i);
            const m = json(b).metrics ?? [];
            const runs = new Set(m.map((x) => x.run_id)).size;
            return runs === ctx.ids!.bulkRuns.length && m.length <= 320 * runs
              ? 'ok'
              : `wrong result (${m.length} points, ${runs} runs)`;
          },
        };
      },
    },
  ];
}

/**
 * Model registry (issue 11 §4): createModelVersion on one registered model (a write, PostgreSQL),
 * and two reads over the seeded registry (REG_MODELS models with tags, two versions and aliases;
 * bench/lib/seed.ts). Ids share the prefix REG so `--only=REG` selects them.
 */
function registryScenarios(): Scenario[] {
  const json = (body: string) => JSON.parse(body) as MlflowAnswer;
  const read = {
    group: 'read' as const,
    backend: 'pg' as const,
    durationMs: dur(2500, 20000),
    warmup: dur(10, 100),
  };
  const pageSize = 100;
  const searchPath = (token?: string) =>
    `${A}/registered-models/search?max_results=${pageSize}&filter=${encodeURIComponent("name LIKE 'model-%'")}&order_by=${encodeURIComponent('name ASC')}${token ? `&page_token=${encodeURIComponent(token)}` : ''}`;
  return [
    {
      group: 'write',
      backend: 'pg',
      durationMs: dur(2500, 20000),
      // enough for every Python worker to have created a version before the measurement
      warmup: dur(24, 200),
      id: 'REG1-create-model-version',
      title: 'CreateModelVersion on one registered model, c=8',
      concurrency: 8,
      maxRequests: dur(3000, 50000),
      async prepare(ctx) {
        const name = `bench-reg-${Date.now()}-${expSeq++}`;
        await call(ctx.base, 'POST', `${A}/registered-models/create`, { name });
        return {
          make: (i) => ({
            method: 'POST',
            path: `${A}/model-versions/create`,
            body: {
              name,
              source: `s3://bench-bucket/models/${name}/${i}`,
              description: `version from request ${i}`,
              tags: [{ key: 'request', value: String(i) }],
            },
          }),
          check: (s, b, i) => {
            if (s !== 200) return defaultCheck(s, b, i);
            const mv = json(b).model_version;
            return mv?.name === name && Number(mv.version) > 0 && mv.source?.endsWith(`/${i}`)
              ? 'ok'
              : 'wrong model version';
          },
          // every accepted request is exactly one version, numbered 1..n without gaps or repeats
          verify: async (insp, ok) => {
            const v = await insp.modelVersions(name);
            return [
              ...problem(v.count === ok.length, `model versions ${v.count}, expected ${ok.length}`),
              ...problem(v.distinct === v.count, `${v.count - v.distinct} repeated version numbers`),
              ...problem(v.max === v.count, `highest version ${v.max} for ${v.count} versions`),
              ...problem(v.tags === v.count, `version tags ${v.tags}, expected ${v.count}`),
            ];
          },
        };
      },
    },
    {
      ...read,
      id: 'REG2-search-registered-models',
      title: `SearchRegisteredModels, pages of ${pageSize} of ${REG_MODELS} models (tags, aliases), filter name LIKE 'model-%', order by name, c=4`,
      concurrency: 4,
      maxRequests: dur(2000, 50000),
      async prepare(ctx) {
        // The page tokens are each system's own (opaque): walk the pages once, unmeasured.
        const pages = REG_MODELS / pageSize;
        const tokens: (string | undefined)[] = [undefined];
        for (let k = 1; k < pages; k++) {
          const r = await call(ctx.base, 'GET', searchPath(tokens[k - 1]));
          if (!r.next_page_token) throw new Error(`search registered models: no token after page ${k}`);
          tokens.push(r.next_page_token);
        }
        return {
          make: (i) => ({ method: 'GET', path: searchPath(tokens[i % pages]) }),
          check: (s, b, i) => {
            if (s !== 200) return defaultCheck(s, b, i);
            const page = i % pages;
            const models = json(b).registered_models ?? [];
            if (models.length !== pageSize) return `wrong page (${models.length} models)`;
            for (let k = 0; k < pageSize; k++) {
              const m = models[k]!;
              const n = page * pageSize + k;
              if (m.name !== regModelName(n))
                return `page ${page}: model ${k} is ${m.name}, expected ${regModelName(n)}`;
              if (m.tags?.length !== 2) return `${m.name}: ${m.tags?.length ?? 0} tags, expected 2`;
              const want = regAliases(n);
              const got = (m.aliases ?? []).map((a) => `${a.alias}=${a.version}`).sort();
              if (
                got.join() !==
                want
                  .map(([a, v]) => `${a}=${v}`)
                  .sort()
                  .join()
              )
                return `${m.name}: aliases ${got.join()}`;
            }
            return page < pages - 1 === !!json(b).next_page_token ? 'ok' : 'wrong next_page_token';
          },
        };
      },
    },
    byAlias('REG3-get-model-version-by-alias', 8, dur(5000, 100000)),
    // the same lookup one at a time: the latency of a single alias resolution (target p50 <= 2 ms)
    byAlias('REG4-get-model-version-by-alias-c1', 1, dur(2000, 20000)),
  ];
}

/** GetModelVersionByAlias over the seeded registry (REG3 at c=8, REG4 one at a time). */
function byAlias(id: string, concurrency: number, maxRequests: (quick: boolean) => number): Scenario {
  const json = (body: string) => JSON.parse(body) as MlflowAnswer;
  const pick = (i: number) => {
    const n = (i * 7919) % REG_MODELS;
    const aliases = regAliases(n);
    return { n, alias: aliases[i % aliases.length]! };
  };
  return {
    group: 'read',
    backend: 'pg',
    durationMs: dur(2500, 20000),
    warmup: dur(10, 100),
    id,
    title: `GetModelVersionByAlias over ${REG_MODELS} models, c=${concurrency}`,
    concurrency,
    maxRequests,
    prepare: () =>
      Promise.resolve({
        make: (i) => {
          const { n, alias } = pick(i);
          return {
            method: 'GET',
            path: `${A}/registered-models/alias?name=${regModelName(n)}&alias=${alias[0]}`,
          };
        },
        check: (s, b, i) => {
          if (s !== 200) return defaultCheck(s, b, i);
          const { n, alias } = pick(i);
          const mv = json(b).model_version;
          return mv?.name === regModelName(n) &&
            mv.version === String(alias[1]) &&
            (mv.aliases ?? []).includes(alias[0]) &&
            mv.source === `s3://bench-bucket/${regModelName(n)}/${alias[1]}`
            ? 'ok'
            : `wrong model version (${mv?.name} v${mv?.version})`;
        },
      }),
  };
}

/**
 * SearchLoggedModels over the seeded logged models (LM_MODELS in one experiment, each with 2 tags,
 * 2 params and an `acc` metric at 2 steps): a param filter and the latest-metric order, the query
 * the UI's model list makes with a filter. Not FastTrackML (no logged models); mlflow-go hands it
 * to its MLflow 3.1 child.
 */
function loggedModelScenarios(): Scenario[] {
  const json = (body: string) =>
    JSON.parse(body) as { models?: { info: { model_id: string; name: string } }[] };
  const matching = Array.from({ length: LM_MODELS }, (_, n) => n).filter((n) => lmLr(n) === '0.01');
  const want = [...matching].sort((a, b) => lmAcc(b) - lmAcc(a) || b - a).slice(0, 100);
  return [
    {
      group: 'read',
      backend: 'pg',
      durationMs: dur(2500, 20000),
      warmup: dur(10, 50),
      schemas: ['mlflow', 'go'],
      id: 'LM1-search-logged-models',
      title: `SearchLoggedModels, a page of 100 of ${LM_MODELS} models: filter params.lr = '0.01', order by metrics.acc DESC, c=4`,
      concurrency: 4,
      maxRequests: dur(500, 20000),
      prepare(ctx) {
        const exp = ctx.ids?.lmExp;
        if (!exp) throw new Error('no logged models seeded on this system');
        return Promise.resolve({
          make: () => ({
            method: 'POST',
            path: `${A}/logged-models/search`,
            body: {
              experiment_ids: [exp],
              filter: "params.lr = '0.01'",
              order_by: [{ field_name: 'metrics.acc', ascending: false }],
              max_results: 100,
            },
          }),
          check: (s, b, i) => {
            if (s !== 200) return defaultCheck(s, b, i);
            const models = json(b).models ?? [];
            if (models.length !== 100) return `wrong page (${models.length} models)`;
            const names = models.map((m) => m.info.name);
            const expected = want.map((n) => `model-${n}`);
            return names.join() === expected.join() ? 'ok' : `wrong order: ${names.slice(0, 3).join()}...`;
          },
        });
      },
    },
  ];
}

/**
 * U1: an experiment's runs table (the seeded search experiment: 10,000 runs in the full data set)
 * loaded in chromium until its newest run is shown, mlflow-ts standalone (UI files, API and
 * GraphQL all native) against Python MLflow.
 */
function uiLoadScenario(): Scenario {
  return {
    group: 'read',
    backend: 'pg',
    durationMs: () => 0,
    warmup: () => 0,
    maxRequests: () => 0,
    schemas: ['mlflow'],
    id: 'U1-ui-runs-table',
    title:
      "UI load: an experiment's runs table (the read data set's search experiment) until its newest run shows, chromium, a fresh context per load",
    concurrency: 1,
    prepare: () => Promise.reject(new Error('a browser scenario')),
    browser: {
      hash: (ids) => `/experiments/${ids.searchExp}/runs`,
      until: (size) => `run-${size.runs - 1}`,
      loads: (quick) => (quick ? 3 : 7),
    },
  };
}

/** OTLP JSON of one trace's spans: a root (span 0) and children, leaves with token usage. */
export function otlpTrace(traceHex: string, from: number, to: number, t0Ns: bigint): string {
  const spans = [];
  for (let n = from; n < to; n++) {
    const attributes = [
      { key: 'mlflow.spanType', value: { stringValue: n === 0 ? '"AGENT"' : '"LLM"' } },
      { key: 'mlflow.spanInputs', value: { stringValue: `{"question": "q${n}", "k": ${n}}` } },
      { key: 'mlflow.spanOutputs', value: { stringValue: `"answer ${n}"` } },
    ];
    if (n > 0) {
      attributes.push({
        key: 'mlflow.chat.tokenUsage',
        value: { stringValue: '{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}' },
      });
    }
    spans.push({
      traceId: traceHex,
      spanId: (n + 1).toString(16).padStart(16, '0'),
      ...(n > 0 ? { parentSpanId: '0000000000000001' } : {}),
      name: n === 0 ? 'agent' : `call-${n}`,
      kind: 1,
      startTimeUnixNano: String(t0Ns + BigInt(n) * 1000n),
      endTimeUnixNano: String(t0Ns + BigInt(n) * 1000n + 900n),
      attributes,
      status: { code: 1 },
    });
  }
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });
}

/**
 * Traces (MLflow 3's GenAI tracing; mlflow-ts and Python MLflow only): OTLP ingest of 100-span
 * batches, each a new trace whose 99 leaves carry token usage (the totals are checked on a
 * sample), and getTrace of one 1,000-span trace.
 */
function traceScenarios(): Scenario[] {
  const traceHex = (tag: number, i: number) =>
    (
      tag.toString(16).padStart(8, '0') +
      Date.now().toString(16).padStart(12, '0') +
      i.toString(16).padStart(12, '0')
    ).slice(0, 32);
  const getTrace = (base: string, id: string) =>
    call(base, 'GET', `/api/3.0/mlflow/traces/get?trace_id=${id}&allow_partial=true`) as Promise<{
      trace?: { trace_info?: { trace_metadata?: Record<string, string> }; spans?: unknown[] };
    }>;
  return [
    {
      group: 'write',
      backend: 'pg',
      durationMs: dur(3000, 20000),
      warmup: dur(5, 40),
      schemas: ['mlflow'],
      id: 'T1-otlp-ingest-100',
      title: 'OTLP ingest (POST /v1/traces, JSON), one 100-span trace per request, c=8',
      concurrency: 8,
      unit: { name: 'spans/s', perReq: 100 },
      maxRequests: dur(300, 20000),
      async prepare(ctx) {
        const exp = await newExp(ctx, 'bench_otlp');
        const tag = Math.floor(Math.random() * 0xffffff);
        const ids = new Map<number, string>();
        return {
          make: (i) => {
            const hex = traceHex(tag, i);
            ids.set(i, 'tr-' + hex);
            return {
              method: 'POST',
              path: '/v1/traces',
              body: otlpTrace(hex, 0, 100, 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n),
              headers: { 'x-mlflow-experiment-id': exp },
            };
          },
          check: (s, b, i) => (s === 200 ? 'ok' : defaultCheck(s, b, i)),
          async verify(_insp, okIdx) {
            const problems: string[] = [];
            for (const i of shuffle([...okIdx]).slice(0, 20)) {
              const t = await getTrace(ctx.base, ids.get(i)!);
              const usage = t.trace?.trace_info?.trace_metadata?.['mlflow.trace.tokenUsage'];
              if ((t.trace?.spans ?? []).length !== 100)
                problems.push(`trace ${i}: ${t.trace?.spans?.length} spans`);
              else if (usage !== '{"input_tokens": 990, "output_tokens": 495, "total_tokens": 1485}')
                problems.push(`trace ${i}: usage ${usage}`);
            }
            return problems;
          },
        };
      },
    },
    {
      group: 'read',
      backend: 'pg',
      durationMs: dur(2500, 20000),
      warmup: dur(10, 50),
      schemas: ['mlflow'],
      id: 'T3-search-traces-tag-filter',
      title: `searchTracesV3, a page of 100 of ${TRACES.toLocaleString('en-US')} traces with a tag filter (tags.team = 'team_3', newest first), c=4`,
      concurrency: 4,
      maxRequests: dur(500, 20000),
      prepare(ctx) {
        const exp = ctx.ids?.traceExp;
        if (!exp) throw new Error('no traces seeded on this system');
        const want = Array.from({ length: TRACES }, (_, n) => TRACES - 1 - n)
          .filter((n) => traceTeam(n) === 'team_3')
          .slice(0, 100)
          .map(traceId);
        return Promise.resolve({
          make: () => ({
            method: 'POST',
            path: '/api/3.0/mlflow/traces/search',
            body: {
              locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } }],
              filter: "tags.team = 'team_3'",
              max_results: 100,
            },
          }),
          check: (s, b, i) => {
            if (s !== 200) return defaultCheck(s, b, i);
            const got = ((JSON.parse(b) as { traces?: { trace_id: string }[] }).traces ?? []).map(
              (t) => t.trace_id,
            );
            return got.join() === want.join()
              ? 'ok'
              : `wrong page: ${got.length} traces, ${got.slice(0, 2).join()}...`;
          },
        });
      },
    },
    {
      group: 'read',
      backend: 'pg',
      durationMs: dur(2500, 20000),
      warmup: dur(3, 20),
      schemas: ['mlflow'],
      id: 'T2-get-trace-1000',
      title: 'getTrace of a 1,000-span trace (spans in the database), c=4',
      concurrency: 4,
      maxRequests: dur(100, 5000),
      async prepare(ctx) {
        const exp = await newExp(ctx, 'bench_trace_read');
        const hex = traceHex(0xabc, 1);
        const { request } = await import('undici');
        for (let from = 0; from < 1000; from += 100) {
          const r = await request(ctx.base + '/v1/traces', {
            method: 'POST',
            body: otlpTrace(hex, from, from + 100, 1_700_000_000_000_000_000n),
            headers: { 'content-type': 'application/json', 'x-mlflow-experiment-id': exp },
          });
          await r.body.text();
          if (r.statusCode !== 200) throw new Error(`OTLP setup batch answered ${r.statusCode}`);
        }
        return {
          make: () => ({ method: 'GET', path: `/api/3.0/mlflow/traces/get?trace_id=tr-${hex}` }),
          check: (s, b, i) => {
            if (s !== 200) return defaultCheck(s, b, i);
            const n = (JSON.parse(b) as { trace?: { spans?: unknown[] } }).trace?.spans?.length;
            return n === 1000 ? 'ok' : `wrong trace (${n} spans)`;
          },
        };
      },
    },
  ];
}

export function allScenarios(): Scenario[] {
  return [
    ...writeScenarios('pg'),
    ...writeScenarios('sqlite'),
    ...writeScenarios('mysql'),
    ...readScenarios(),
    // R1/R2 on MySQL: the same requests on a MariaDB copy of the read data set (mlflow-ts and
    // Python MLflow only).
    ...readScenarios()
      .filter((sc) => sc.id.startsWith('R1-') || sc.id.startsWith('R2-'))
      .map((sc): Scenario => ({ ...sc, id: `${sc.id}-mysql`, backend: 'mysql', schemas: ['mlflow'] })),
    ...registryScenarios(),
    ...loggedModelScenarios(),
    ...traceScenarios(),
    uiLoadScenario(),
  ];
}
