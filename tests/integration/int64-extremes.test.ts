/**
 * int64 extremes a client may send (2^63-1 and -2^63, which JS reads as ±2^63): stored without a
 * database error on both dialects. Values beyond 2^53 are rounded to the nearest double on the way
 * in (docs/parity-differences.md 2.5); PostgreSQL must still accept them as BIGINTs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgInt64Param } from '../../src/stores/dialects/postgres/params.js';
import { openStores, type Stores } from '../../src/stores/index.js';
import { backendNames, newBackend, type TestBackend } from '../helpers/store-backends.js';

describe('pgInt64Param', () => {
  it('spells integers beyond 2^53 exactly, 2^63 as the int64 maximum, leaves the rest alone', () => {
    expect(pgInt64Param(2 ** 63)).toBe('9223372036854775807');
    expect(pgInt64Param(-(2 ** 63))).toBe('-9223372036854775808');
    expect(pgInt64Param(2 ** 62 + 2 ** 10)).toBe('4611686018427388928');
    expect(pgInt64Param(2 ** 53)).toBe(2 ** 53);
    expect(pgInt64Param(1.5e300)).toBe(BigInt(1.5e300).toString());
    for (const v of [0, -1, 0.5, NaN, Infinity, -Infinity, 'x', null]) expect(pgInt64Param(v)).toBe(v);
  });
});

describe.each(backendNames)('int64 extremes on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;
  beforeAll(async () => {
    backend = await newBackend(dialect, 'int64');
    stores = await openStores(backend.uri, { defaultArtifactRoot: '/tmp/a' });
  });
  afterAll(async () => {
    await stores.close();
    await backend.drop();
  });

  it('logs metrics and run times at ±2^63 without a database error', async () => {
    const t = stores.tracking;
    const run = await t.createRun({
      experimentId: '0',
      userId: '',
      startTime: 2 ** 63,
      tags: [],
      runName: 'r',
    });
    const id = run.info.run_id;
    await t.logMetric(id, { key: 'm', value: 1, timestamp: -(2 ** 63), step: 2 ** 63 });
    await t.logBatch(id, {
      metrics: [{ key: 'b', value: 2 ** 63, timestamp: 2 ** 63, step: -(2 ** 63) }],
      params: [],
      tags: [],
    });
    const got = await t.getRun(id);
    expect(got.info.start_time).toBe(2 ** 63);
    const m = Object.fromEntries((got.data.metrics ?? []).map((x) => [x.key, x]));
    expect([m.m?.step, m.m?.timestamp]).toEqual([2 ** 63, -(2 ** 63)]);
    expect([m.b?.step, m.b?.timestamp, m.b?.value]).toEqual([-(2 ** 63), 2 ** 63, 2 ** 63]);
  });
});
