// Read-scenario data set, written straight into MLflow's schema (PostgreSQL) for the systems
// that share it (Python MLflow, mlflow-go, mlflow-ts), or through the REST API (FastTrackML,
// whose schema differs). Deterministic: the same logical content either way.
import pg from 'pg';
import { call } from './load.js';

export interface ReadSize {
  runs: number; // R1/R2: runs in the search experiment
  experiments: number; // R4
  bigParams: number; // R5: params / metrics of the big run (tags = bigParams / 10)
  historyPoints: number; // R6
  bulkRuns: number; // R7
  bulkSteps: number; // R7: points per run
}

export interface ReadIds {
  searchExp: string;
  bigRun: string;
  histRun: string;
  bulkExp: string;
  bulkRuns: string[];
  /** The logged-models experiment (LM1), on systems that have logged models. */
  lmExp?: string;
  /** The traces experiment (T3), on systems that have traces. */
  traceExp?: string;
}

const T0 = 1_700_000_000_000;
export const runUuid = (tag: string, i: number) => tag + i.toString(16).padStart(31, '0');

function runParams(i: number): [string, string][] {
  const out: [string, string][] = [['lr', i % 2 ? '0.1' : '0.01']];
  for (let j = 1; j < 20; j++) out.push([`param_${j}`, `value_${(i * 7 + j) % 101}`]);
  return out;
}
function runMetrics(i: number, n: number): [string, number][] {
  const out: [string, number][] = [['acc', ((i * 7919) % n) / n]];
  for (let j = 1; j < 20; j++) out.push([`metric_${j}`, ((i * 31 + j * 17) % 1000) / 10]);
  return out;
}
function runTags(i: number): [string, string][] {
  return [
    ['mlflow.user', i % 3 ? 'u' : 'v'],
    ['mlflow.runName', `run-${i}`],
    ['mlflow.source.type', 'LOCAL'],
    ['team', `team_${i % 5}`],
    ['note', `seeded run ${i}`],
  ];
}

/** The seeded logged models (LM1): LM_MODELS models with 2 tags, 2 params and a metric at 2 steps. */
export const LM_MODELS = 10_000;
export const lmId = (n: number) => `m-${n.toString(16).padStart(32, '0')}`;
/** The latest `acc` of model n (its step-1 value); step 0 is always lower. */
export const lmAcc = (n: number) => ((n * 7919) % 10_000) / 10_000;
/** `lr` of model n: one model in five has lr = 0.01 (what LM1 filters on). */
export const lmLr = (n: number) => (n % 5 === 0 ? '0.01' : `0.${n % 5}`);

/** The seeded model registry (REG2/REG3): models with 2 tags, 2 versions and 1-2 aliases. */
export const REG_MODELS = 1000;
export const regModelName = (n: number) => `model-${String(n).padStart(4, '0')}`;
/** [alias, version]: champion -> 2 on every model, challenger -> 1 on even ones. */
export const regAliases = (n: number): [string, number][] =>
  n % 2
    ? [['champion', 2]]
    : [
        ['champion', 2],
        ['challenger', 1],
      ];

class Batcher {
  rows: unknown[][] = [];
  constructor(
    private c: pg.Client,
    private table: string,
    private cols: string[],
    private types: string[],
    private size = 20_000,
    private before?: Batcher, // flushed first (foreign keys)
  ) {}
  async add(row: unknown[]) {
    this.rows.push(row);
    if (this.rows.length >= this.size) await this.flush();
  }
  async flush() {
    if (!this.rows.length) return;
    await this.before?.flush();
    const arrays = this.cols.map((_, k) => this.rows.map((r) => r[k]));
    const sel = this.types.map((t, k) => `$${k + 1}::${t}[]`).join(',');
    await this.c.query(
      `INSERT INTO ${this.table}(${this.cols.join(',')}) SELECT * FROM unnest(${sel})`,
      arrays,
    );
    this.rows = [];
  }
}

/** Seeds the read data set into an MLflow-schema PostgreSQL database. */
export async function seedMlflowPg(url: string, size: ReadSize): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    const exp = async (name: string): Promise<number> => {
      const r = await c.query(
        `INSERT INTO experiments(name, artifact_location, lifecycle_stage, creation_time, last_update_time)
         VALUES ($1, $2, 'active', $3, $3) RETURNING experiment_id`,
        [name, `/tmp/mlflow-bench-artifacts/${name}`, T0],
      );
      return r.rows[0].experiment_id as number;
    };
    const runs = new Batcher(
      c,
      'runs',
      [
        'run_uuid',
        'name',
        'source_type',
        'source_name',
        'entry_point_name',
        'user_id',
        'status',
        'start_time',
        'end_time',
        'source_version',
        'lifecycle_stage',
        'artifact_uri',
        'experiment_id',
      ],
      [
        'text',
        'text',
        'text',
        'text',
        'text',
        'text',
        'text',
        'int8',
        'int8',
        'text',
        'text',
        'text',
        'int4',
      ],
    );
    const params = new Batcher(
      c,
      'params',
      ['key', 'value', 'run_uuid'],
      ['text', 'text', 'text'],
      20_000,
      runs,
    );
    const tags = new Batcher(c, 'tags', ['key', 'value', 'run_uuid'], ['text', 'text', 'text'], 20_000, runs);
    const metricCols = ['key', 'value', 'timestamp', 'step', 'is_nan', 'run_uuid'];
    const metricTypes = ['text', 'float8', 'int8', 'int8', 'bool', 'text'];
    const metrics = new Batcher(c, 'metrics', metricCols, metricTypes, 50_000, runs);
    const latest = new Batcher(c, 'latest_metrics', metricCols, metricTypes, 20_000, runs);
    const addRun = (id: string, i: number, e: number) =>
      runs.add([
        id,
        `run-${i}`,
        'LOCAL',
        '',
        '',
        'u',
        'FINISHED',
        T0 + i * 1000,
        T0 + i * 1000 + 500,
        '',
        'active',
        `/tmp/mlflow-bench-artifacts/${id}`,
        e,
      ]);

    // R1/R2: the search experiment
    const searchExp = await exp('bench_search');
    for (let i = 0; i < size.runs; i++) {
      const id = runUuid('a', i);
      await addRun(id, i, searchExp);
      for (const [k, v] of runParams(i)) await params.add([k, v, id]);
      for (const [k, v] of runTags(i)) await tags.add([k, v, id]);
      for (const [k, v] of runMetrics(i, size.runs)) {
        await metrics.add([k, v, T0 + i, 0, false, id]);
        await latest.add([k, v, T0 + i, 0, false, id]);
      }
    }
    // R4: experiments with 3 tags
    const etags = new Batcher(
      c,
      'experiment_tags',
      ['key', 'value', 'experiment_id'],
      ['text', 'text', 'int4'],
    );
    for (let i = 0; i < size.experiments; i++) {
      const e = await exp(`exp_${i}`);
      await etags.add(['owner', `user_${i % 7}`, e]);
      await etags.add(['project', `p_${i % 13}`, e]);
      await etags.add(['mlflow.note.content', `experiment number ${i}`, e]);
    }
    // R5: the big run
    const bigExp = await exp('bench_big');
    const bigRun = runUuid('b', 0);
    await addRun(bigRun, 0, bigExp);
    for (let j = 0; j < size.bigParams; j++) {
      await params.add([`param_${j}`, `value_${j}`, bigRun]);
      await metrics.add([`metric_${j}`, j / 3, T0, 0, false, bigRun]);
      await latest.add([`metric_${j}`, j / 3, T0, 0, false, bigRun]);
    }
    for (let j = 0; j < size.bigParams / 10; j++) await tags.add([`tag_${j}`, `tag value ${j}`, bigRun]);
    // R6: one long history
    const histExp = await exp('bench_history');
    const histRun = runUuid('c', 0);
    await addRun(histRun, 0, histExp);
    for (let s = 0; s < size.historyPoints; s++)
      await metrics.add(['loss', 1 / (s + 1), T0 + s, s, false, histRun]);
    const lastH = size.historyPoints - 1;
    await latest.add(['loss', 1 / (lastH + 1), T0 + lastH, lastH, false, histRun]);
    // R7: bulk-interval runs
    const bulkExp = await exp('bench_bulk');
    const bulkRuns: string[] = [];
    for (let r = 0; r < size.bulkRuns; r++) {
      const id = runUuid('d', r);
      bulkRuns.push(id);
      await addRun(id, r, bulkExp);
      for (let s = 0; s < size.bulkSteps; s++)
        await metrics.add(['loss', (r + 1) / (s + 1), T0 + s, s, false, id]);
      const l = size.bulkSteps - 1;
      await latest.add(['loss', (r + 1) / (l + 1), T0 + l, l, false, id]);
    }
    // REG2/REG3: the model registry
    const models = new Batcher(
      c,
      'registered_models',
      ['name', 'creation_time', 'last_updated_time', 'description'],
      ['text', 'int8', 'int8', 'text'],
    );
    const modelTags = new Batcher(
      c,
      'registered_model_tags',
      ['key', 'value', 'name'],
      ['text', 'text', 'text'],
      20_000,
      models,
    );
    const versions = new Batcher(
      c,
      'model_versions',
      [
        'name',
        'version',
        'creation_time',
        'last_updated_time',
        'description',
        'user_id',
        'current_stage',
        'source',
        'run_id',
        'status',
      ],
      ['text', 'int4', 'int8', 'int8', 'text', 'text', 'text', 'text', 'text', 'text'],
      20_000,
      models,
    );
    const aliases = new Batcher(
      c,
      'registered_model_aliases',
      ['alias', 'version', 'name'],
      ['text', 'int4', 'text'],
      20_000,
      versions,
    );
    for (let n = 0; n < REG_MODELS; n++) {
      const name = regModelName(n);
      await models.add([name, T0 + n, T0 + n + 2, `seeded model ${n}`]);
      await modelTags.add(['team', `team_${n % 5}`, name]);
      await modelTags.add(['task', n % 3 ? 'classification' : 'regression', name]);
      for (const v of [1, 2])
        await versions.add([
          name,
          v,
          T0 + n + v,
          T0 + n + v,
          '',
          'u',
          'None',
          `s3://bench-bucket/${name}/${v}`,
          null,
          'READY',
        ]);
      for (const [alias, v] of regAliases(n)) await aliases.add([alias, v, name]);
    }
    await runs.flush();
    await models.flush();
    for (const b of [params, tags, metrics, latest, etags, modelTags, versions, aliases]) await b.flush();
    // LM1: logged models (MLflow 3 schemas only; older ones, e.g. mlflow-go's, have no such table)
    const hasLoggedModels = (await c.query("SELECT to_regclass('logged_models') AS t")).rows[0].t !== null;
    if (hasLoggedModels) await seedLoggedModels(c, await exp('bench_models'), addRun, runs);
    const hasTraces = (await c.query("SELECT to_regclass('trace_info') AS t")).rows[0].t !== null;
    if (hasTraces) await seedTraces(c, await exp('bench_traces'));
    await c.query('COMMIT');
  } finally {
    await c.end();
  }
}

async function seedLoggedModels(
  c: pg.Client,
  e: number,
  addRun: (id: string, i: number, e: number) => Promise<void>,
  runs: Batcher,
): Promise<void> {
  const run = runUuid('e', 0);
  await addRun(run, 0, e);
  await runs.flush();
  const lm = new Batcher(
    c,
    'logged_models',
    [
      'model_id',
      'experiment_id',
      'name',
      'artifact_location',
      'creation_timestamp_ms',
      'last_updated_timestamp_ms',
      'status',
      'lifecycle_stage',
      'model_type',
      'source_run_id',
    ],
    ['text', 'int4', 'text', 'text', 'int8', 'int8', 'int4', 'text', 'text', 'text'],
  );
  const lmTags = new Batcher(
    c,
    'logged_model_tags',
    ['model_id', 'experiment_id', 'tag_key', 'tag_value'],
    ['text', 'int4', 'text', 'text'],
    20_000,
    lm,
  );
  const lmParams = new Batcher(
    c,
    'logged_model_params',
    ['model_id', 'experiment_id', 'param_key', 'param_value'],
    ['text', 'int4', 'text', 'text'],
    20_000,
    lm,
  );
  const lmMetrics = new Batcher(
    c,
    'logged_model_metrics',
    [
      'model_id',
      'metric_name',
      'metric_timestamp_ms',
      'metric_step',
      'metric_value',
      'experiment_id',
      'run_id',
    ],
    ['text', 'text', 'int8', 'int8', 'float8', 'int4', 'text'],
    20_000,
    lm,
  );
  for (let n = 0; n < LM_MODELS; n++) {
    const id = lmId(n);
    await lm.add([
      id,
      e,
      `model-${n}`,
      `/tmp/mlflow-bench-artifacts/models/${id}`,
      T0 + n,
      T0 + n,
      2,
      'active',
      'sklearn',
      run,
    ]);
    await lmTags.add([id, e, 'team', `team_${n % 5}`]);
    await lmTags.add([id, e, 'stage', n % 2 ? 'dev' : 'prod']);
    await lmParams.add([id, e, 'lr', lmLr(n)]);
    await lmParams.add([id, e, 'depth', String(n % 10)]);
    await lmMetrics.add([id, 'acc', T0 + n, 0, lmAcc(n) / 2, e, run]);
    await lmMetrics.add([id, 'acc', T0 + n + 1, 1, lmAcc(n), e, run]);
  }
  for (const b of [lm, lmTags, lmParams, lmMetrics]) await b.flush();
}

/** The seeded traces (T3): TRACES traces, one a second, with a name, a status and 3 tags. */
export const TRACES = 100_000;
export const traceId = (n: number) => `tr-${n.toString(16).padStart(32, '0')}`;
/** `team` of trace n: one trace in ten has team_3 (what T3 filters on). */
export const traceTeam = (n: number) => `team_${n % 10}`;

async function seedTraces(c: pg.Client, e: number): Promise<void> {
  const infos = new Batcher(
    c,
    'trace_info',
    [
      'request_id',
      'experiment_id',
      'timestamp_ms',
      'execution_time_ms',
      'status',
      'request_preview',
      'response_preview',
      'trace_name',
    ],
    ['text', 'int4', 'int8', 'int8', 'text', 'text', 'text', 'text'],
  );
  const tags = new Batcher(
    c,
    'trace_tags',
    ['key', 'value', 'request_id'],
    ['text', 'text', 'text'],
    30_000,
    infos,
  );
  for (let n = 0; n < TRACES; n++) {
    const id = traceId(n);
    await infos.add([
      id,
      e,
      T0 + n * 1000,
      100 + (n % 900),
      n % 20 ? 'OK' : 'ERROR',
      `{"q": "question ${n}"}`,
      `answer ${n}`,
      `predict_${n % 3}`,
    ]);
    await tags.add(['team', traceTeam(n), id]);
    await tags.add(['env', n % 2 ? 'prod' : 'dev', id]);
    await tags.add(['mlflow.artifactLocation', `/tmp/mlflow-bench-artifacts/traces/${id}`, id]);
  }
  for (const b of [infos, tags]) await b.flush();
}

/** Finds the ids of the seeded objects through the REST API (works for every system). */
export async function readIds(base: string, size: ReadSize): Promise<ReadIds> {
  const expId = async (name: string) =>
    (await call(base, 'GET', `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${name}`)).experiment!
      .experiment_id;
  const oneRun = async (e: string) =>
    (await call(base, 'POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [e], max_results: 1 }))
      .runs![0]!.info.run_id;
  const searchExp = await expId('bench_search');
  const bigRun = await oneRun(await expId('bench_big'));
  const histRun = await oneRun(await expId('bench_history'));
  const bulkExp = await expId('bench_bulk');
  const r = await call(base, 'POST', '/api/2.0/mlflow/runs/search', {
    experiment_ids: [bulkExp],
    max_results: Math.max(1, size.bulkRuns),
  });
  let lmExp: string | undefined;
  try {
    lmExp = await expId('bench_models');
  } catch {
    lmExp = undefined; // not seeded on this system (no logged models)
  }
  let traceExp: string | undefined;
  try {
    traceExp = await expId('bench_traces');
  } catch {
    traceExp = undefined; // not seeded on this system (no traces)
  }
  return {
    searchExp,
    bigRun,
    histRun,
    bulkExp,
    bulkRuns: (r.runs ?? []).map((x) => x.info.run_id),
    ...(lmExp ? { lmExp } : {}),
    ...(traceExp ? { traceExp } : {}),
  };
}

/** Seeds the same logical content through the MLflow REST API (FastTrackML). */
export async function seedViaApi(base: string, size: ReadSize): Promise<void> {
  const api = (p: string, b: unknown) => call(base, 'POST', '/api/2.0/mlflow' + p, b);
  const exp = async (name: string, tags: { key: string; value: string }[] = []) =>
    (await api('/experiments/create', { name, tags })).experiment_id!;
  const newRun = async (e: string, i: number, tags: { key: string; value: string }[] = []) =>
    (await api('/runs/create', { experiment_id: e, start_time: T0 + i * 1000, run_name: `run-${i}`, tags }))
      .run!.info.run_id;
  const par = async <T>(n: number, width: number, f: (i: number) => Promise<T>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < n) await f(next++);
      }),
    );
  };
  const searchExp = await exp('bench_search');
  await par(size.runs, 8, async (i) => {
    const id = await newRun(searchExp, i);
    await api('/runs/log-batch', {
      run_id: id,
      params: runParams(i).map(([key, value]) => ({ key, value })),
      tags: runTags(i)
        .filter(([k]) => k !== 'mlflow.runName')
        .map(([key, value]) => ({ key, value })),
      metrics: runMetrics(i, size.runs).map(([key, value]) => ({ key, value, timestamp: T0 + i, step: 0 })),
    });
    await api('/runs/update', { run_id: id, status: 'FINISHED', end_time: T0 + i * 1000 + 500 });
  });
  await par(size.experiments, 8, (i) =>
    exp(`exp_${i}`, [
      { key: 'owner', value: `user_${i % 7}` },
      { key: 'project', value: `p_${i % 13}` },
      { key: 'mlflow.note.content', value: `experiment number ${i}` },
    ]),
  );
  const bigRun = await newRun(await exp('bench_big'), 0);
  for (let j = 0; j < size.bigParams; j += 100) {
    const ks = Array.from({ length: Math.min(100, size.bigParams - j) }, (_, k) => j + k);
    await api('/runs/log-batch', {
      run_id: bigRun,
      params: ks.map((k) => ({ key: `param_${k}`, value: `value_${k}` })),
      metrics: ks.map((k) => ({ key: `metric_${k}`, value: k / 3, timestamp: T0, step: 0 })),
      tags: ks
        .filter((k) => k % 10 === 0)
        .map((k) => ({ key: `tag_${k / 10}`, value: `tag value ${k / 10}` })),
    });
  }
  const hist = async (run: string, points: number, scale: number) => {
    const chunks = Math.ceil(points / 1000);
    await par(chunks, 4, async (c) => {
      const metrics = [];
      for (let s = c * 1000; s < Math.min(points, (c + 1) * 1000); s++)
        metrics.push({ key: 'loss', value: scale / (s + 1), timestamp: T0 + s, step: s });
      await api('/runs/log-batch', { run_id: run, metrics });
    });
  };
  await hist(await newRun(await exp('bench_history'), 0), size.historyPoints, 1);
  const bulkExp = await exp('bench_bulk');
  await par(size.bulkRuns, 4, async (r) => hist(await newRun(bulkExp, r), size.bulkSteps, r + 1));
}
