/**
 * logBatch's write path: all or nothing, PK de-duplication of re-sent metrics, latest_metrics kept
 * as MLflow's (step, timestamp, value) maximum, and concurrent batches with shuffled keys on one run
 * (several pools, as several server processes would have) finishing without error or deadlock.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNativeHandlers } from '../../src/services/native.js';
import type { NativeHandlers } from '../../src/services/types.js';
import { openStores, type Stores } from '../../src/stores/index.js';
import { retryStats } from '../../src/stores/tracking/retry.js';
import { backendNames, newBackend, type TestBackend } from '../helpers/store-backends.js';

const ctx = { log: console } as never;

/** Deterministic PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function shuffle<T>(items: T[], rand: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

describe.each(backendNames)('logBatch on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores[];
  let h: NativeHandlers[];
  const call = (rpc: string, req: unknown, i = 0) => h[i]![`MlflowService.${rpc}`]!(req, ctx);

  beforeAll(async () => {
    backend = await newBackend(dialect, 'logbatch');
    stores = [];
    // Several pools on PostgreSQL, as several server processes would have. On SQLite one process
    // has one connection (better-sqlite3 is synchronous: a second in-process connection waiting on
    // the file lock would block the event loop that must commit the first).
    const pools = dialect === 'sqlite' ? 1 : 3;
    for (let i = 0; i < pools; i++)
      stores.push(await openStores(backend.uri, { defaultArtifactRoot: '/tmp/a', poolSize: 8 }));
    h = stores.map((s) => createNativeHandlers(s));
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await backend.drop();
  });

  async function newRun(): Promise<string> {
    const { run } = await call('createRun', { experiment_id: '0', start_time: 1 });
    return run.info.run_id as string;
  }

  async function expectLatestConsistent(runId: string): Promise<number> {
    const db = stores[0]!.tracking.db;
    // The latest row per key, recomputed from the full history with MLflow's ordering.
    const expected = await sql<{
      key: string;
      value: number;
      timestamp: number;
      step: number;
      is_nan: unknown;
    }>`
      SELECT t.key, t.value, t.timestamp, t.step, t.is_nan FROM (
        SELECT m.key, m.value, m.timestamp, m.step, m.is_nan,
               ROW_NUMBER() OVER (PARTITION BY m.key ORDER BY m.step DESC, m.timestamp DESC, m.value DESC) AS rn
        FROM metrics m WHERE m.run_uuid = ${runId}) t
      WHERE t.rn = 1 ORDER BY t.key`.execute(db);
    const actual = await db
      .selectFrom('latest_metrics')
      .select(['key', 'value', 'timestamp', 'step', 'is_nan'])
      .where('run_uuid', '=', runId)
      .orderBy('key')
      .execute();
    const norm = (r: {
      key: string;
      value: number;
      timestamp: number | null;
      step: number;
      is_nan: unknown;
    }) => ({
      ...r,
      is_nan: Boolean(r.is_nan),
    });
    expect(actual.map(norm)).toEqual(expected.rows.map(norm));
    return actual.length;
  }

  it('concurrent batches with shuffled keys on one run: no error, latest metrics consistent', async () => {
    const runId = await newRun();
    const rand = rng(42);
    const keys = Array.from({ length: 120 }, (_, i) => `metric_${i}`);
    const batches = Array.from({ length: 16 }, (_, b) =>
      shuffle(keys, rand)
        .slice(0, 90)
        .flatMap((key) => [
          {
            key,
            value: Math.round(rand() * 1000) / 10,
            timestamp: 1000 + Math.floor(rand() * 50),
            step: Math.floor(rand() * 20),
          },
          // identical rows across batches: concurrent inserts of one PK
          { key, value: 1, timestamp: 7, step: b % 3 },
        ]),
    );
    const retriesBefore = retryStats.retries;
    await Promise.all(
      batches.map((metrics, i) =>
        call(
          'logBatch',
          { run_id: runId, metrics, tags: [{ key: `t${i % 4}`, value: String(i) }] },
          i % stores.length,
        ),
      ),
    );
    expect(await expectLatestConsistent(runId)).toBe(120);
    // Consistent lock order: no transaction had to be redriven after a deadlock.
    expect(retryStats.retries - retriesBefore).toBe(0);
  });

  it('re-sending a stored batch is harmless', async () => {
    const runId = await newRun();
    const batch = {
      run_id: runId,
      metrics: [
        { key: 'a', value: 1, timestamp: 1, step: 0 },
        { key: 'a', value: NaN, timestamp: 1, step: 1 },
        { key: 'b', value: Infinity, timestamp: 2, step: 0 },
      ],
      params: [{ key: 'p', value: 'v' }],
      tags: [{ key: 't', value: 'x' }],
    };
    await call('logBatch', batch);
    await call('logBatch', batch);
    await call('logBatch', { ...batch, metrics: [...batch.metrics, ...batch.metrics] });
    const count = await stores[0]!.tracking.db
      .selectFrom('metrics')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('run_uuid', '=', runId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);
    const { run } = await call('getRun', { run_id: runId });
    const a = run.data.metrics.find((m: { key: string }) => m.key === 'a');
    expect(a.step).toBe(1);
    expect(Number.isNaN(a.value)).toBe(true);
    expect(run.data.metrics.find((m: { key: string }) => m.key === 'b').value).toBe(1.7976931348623157e308);
    await expectLatestConsistent(runId);
  });

  it('is all or nothing: a changed param refuses the whole batch', async () => {
    const runId = await newRun();
    await call('logParam', { run_id: runId, key: 'p', value: '1' });
    await expect(
      call('logBatch', {
        run_id: runId,
        metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }],
        params: [
          { key: 'q', value: 'new' },
          { key: 'p', value: '2' },
        ],
        tags: [{ key: 't', value: 'v' }],
      }),
    ).rejects.toThrow(
      `Changing param values is not allowed. Params were already logged='[{'key': 'p', 'old_value': '1', 'new_value': '2'}]' for run ID='${runId}'.`,
    );
    const { run } = await call('getRun', { run_id: runId });
    expect(run.data).toEqual({
      params: [{ key: 'p', value: '1' }],
      tags: [{ key: 'mlflow.runName', value: run.info.run_name }],
    });
  });

  it('keeps the newest value by step, then timestamp, then value', async () => {
    const runId = await newRun();
    const log = (value: number, timestamp: number, step: number) =>
      call('logMetric', { run_id: runId, key: 'k', value, timestamp, step });
    const latest = async () => (await call('getRun', { run_id: runId })).run.data.metrics[0];
    await log(5, 100, 2);
    await log(9, 999, 1); // older step: ignored
    expect(await latest()).toEqual({ key: 'k', value: 5, timestamp: 100, step: 2 });
    await log(1, 101, 2); // same step, later timestamp
    expect(await latest()).toEqual({ key: 'k', value: 1, timestamp: 101, step: 2 });
    await log(0.5, 101, 2); // same step and timestamp, smaller value: ignored
    expect(await latest()).toEqual({ key: 'k', value: 1, timestamp: 101, step: 2 });
    await log(3, 101, 2);
    expect(await latest()).toEqual({ key: 'k', value: 3, timestamp: 101, step: 2 });
    await expectLatestConsistent(runId);
  });

  it('concurrent writes that fail leave the others whole (SQLite: one commit per group)', async () => {
    const good = await newRun();
    const deleted = await newRun();
    await call('deleteRun', { run_id: deleted });
    const batch = (runId: string, i: number) =>
      call('logBatch', {
        run_id: runId,
        metrics: [
          { key: 'a', value: i, timestamp: 1, step: i },
          { key: 'b', value: i, timestamp: 1, step: i },
        ],
      });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        batch(i % 3 === 0 ? deleted : i % 3 === 1 ? 'nosuchrun' : good, i),
      ),
    );
    results.forEach((r, i) => {
      if (i % 3 === 2) expect(r.status).toBe('fulfilled');
      else expect(r.status).toBe('rejected');
    });
    expect((results[0] as PromiseRejectedResult).reason.message).toBe(
      `The run ${deleted} must be in the 'active' state. Current state is deleted.`,
    );
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('Run with id=nosuchrun not found');
    const db = stores[0]!.tracking.db;
    const count = async (runId: string) =>
      Number(
        (
          await db
            .selectFrom('metrics')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('run_uuid', '=', runId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count(good)).toBe(20);
    expect(await count(deleted)).toBe(0);
    await expectLatestConsistent(good);
  });

  it('takes the newest of a batch per key; NaN is stored as 0 and comes back as NaN', async () => {
    const runId = await newRun();
    await call('logBatch', {
      run_id: runId,
      metrics: [
        { key: 'x', value: 1, timestamp: 5, step: 3 },
        { key: 'x', value: 'NaN', timestamp: 5, step: 4 },
        { key: 'x', value: 7, timestamp: 4, step: 4 },
        { key: 'y', value: 'Infinity', timestamp: 1, step: 0 },
        { key: 'x', value: 1, timestamp: 5, step: 3 },
      ],
    });
    const { run } = await call('getRun', { run_id: runId });
    const byKey = Object.fromEntries(
      (run.data.metrics as { key: string }[]).map((m) => [m.key, m]),
    ) as Record<string, unknown>;
    expect(byKey.x).toEqual({ key: 'x', value: NaN, timestamp: 5, step: 4 });
    expect(byKey.y).toEqual({ key: 'y', value: 1.7976931348623157e308, timestamp: 1, step: 0 });
    await expectLatestConsistent(runId);
  });

  it("create_run follows an experiment's stored artifact location", async () => {
    const { experiment_id } = await call('createExperiment', {
      name: `loc_${Date.now()}`,
      artifact_location: '/tmp/first',
    });
    const first = (await call('createRun', { experiment_id, start_time: 1 })).run;
    expect(first.info.artifact_uri).toBe(`/tmp/first/${first.info.run_id}/artifacts`);
    // Not possible through the API; a shared database could still see it (e.g. an id reused).
    await stores[0]!.tracking.db
      .updateTable('experiments')
      .set({ artifact_location: '/tmp/second' })
      .where('experiment_id', '=', Number(experiment_id))
      .execute();
    const second = (
      await call('createRun', {
        experiment_id,
        start_time: 1,
        tags: [
          { key: 't', value: '1' },
          { key: 'u', value: '2' },
          { key: 't', value: '3' },
        ],
      })
    ).run;
    expect(second.info.artifact_uri).toBe(`/tmp/second/${second.info.run_id}/artifacts`);
    expect(second.data.tags).toEqual([
      { key: 't', value: '3' },
      { key: 'u', value: '2' },
      { key: 'mlflow.runName', value: second.info.run_name },
    ]);
    // A read lists tags as the run_uuid index holds them: insertion order on SQLite and
    // PostgreSQL, key order in InnoDB's secondary index on MySQL (as Python MLflow's get_run there).
    const byKey = (t: { key: string }[]) => (dialect === 'mysql' ? [...t].sort((a, b) => (a.key < b.key ? -1 : 1)) : t);
    expect((await call('getRun', { run_id: second.info.run_id })).run.data.tags).toEqual(byKey(second.data.tags));
    await call('deleteExperiment', { experiment_id });
    await expect(call('createRun', { experiment_id, start_time: 1 })).rejects.toThrow(
      `The experiment ${experiment_id} must be in the 'active' state. Current state is deleted.`,
    );
    await expect(call('createRun', { experiment_id: '987654', start_time: 1 })).rejects.toThrow(
      'No Experiment with id=987654 exists',
    );
  });

  it('log_param: a re-sent value is fine, a changed one refused, concurrent senders agree', async () => {
    const runId = await newRun();
    await call('logParam', { run_id: runId, key: 'lr', value: '0.1' });
    await call('logParam', { run_id: runId, key: 'lr', value: '0.1' });
    await expect(call('logParam', { run_id: runId, key: 'lr', value: '0.2' })).rejects.toThrow(
      `Changing param values is not allowed. Param with key='lr' was already logged with value='0.1' ` +
        `for run ID='${runId}'. Attempted logging new value '0.2'.`,
    );
    // Many writers race for one new key, each with its own value: exactly one wins.
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        call('logParam', { run_id: runId, key: 'race', value: String(i % 4) }, i % stores.length),
      ),
    );
    const { run } = await call('getRun', { run_id: runId });
    const stored = (run.data.params as { key: string; value: string }[]).find((p) => p.key === 'race')!.value;
    results.forEach((r, i) => expect(r.status).toBe(String(i % 4) === stored ? 'fulfilled' : 'rejected'));
    await call('deleteRun', { run_id: runId });
    await expect(call('logParam', { run_id: runId, key: 'x', value: '1' })).rejects.toThrow(
      `The run ${runId} must be in the 'active' state. Current state is deleted.`,
    );
    await expect(call('logParam', { run_id: 'nosuchrun', key: 'x', value: '1' })).rejects.toThrow(
      'Run with id=nosuchrun not found',
    );
  });
});
