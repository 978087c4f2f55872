/**
 * Doubles read back exactly on every dialect: values whose shortest decimal has 16-17
 * significant digits (a metric, the latest-metric row, its history). On MySQL these come back as
 * text; mysql2's own float reader rounds such texts when their digits exceed 2^53 (9.988000000000001
 * read as 9.988), so the pool reads floating-point and DECIMAL columns with parseFloat
 * (stores/dialects/mysql/connection.ts), as PyMySQL's float(text) does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores, type Stores } from '../../src/stores/index.js';
import { backendNames, newBackend, type TestBackend } from '../helpers/store-backends.js';

/** Doubles whose 16-17 significant digits, as an integer, pass 2^53. */
const VALUES = [
  9.988000000000001, 9.373999999999999, -9.876543210987654, 0.9990000000000001, 98765432109876.55,
];

describe.each(backendNames)('doubles read back exactly on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;
  beforeAll(async () => {
    backend = await newBackend(dialect, 'doubles');
    stores = await openStores(backend.uri, { defaultArtifactRoot: '/tmp/a' });
  });
  afterAll(async () => {
    await stores.close();
    await backend.drop();
  });

  it('metric values in getRun and the metric history', async () => {
    const t = stores.tracking;
    const run = await t.createRun({ experimentId: '0', userId: '', startTime: 1, tags: [], runName: 'r' });
    const id = run.info.run_id;
    await t.logBatch(id, {
      metrics: VALUES.map((value, i) => ({ key: `m${i}`, value, timestamp: 5, step: 0 })),
      params: [],
      tags: [],
    });
    const got = await t.getRun(id);
    const byKey = Object.fromEntries((got.data.metrics ?? []).map((m) => [m.key, m.value]));
    expect(VALUES.map((_, i) => byKey[`m${i}`])).toEqual(VALUES);
    for (let i = 0; i < VALUES.length; i++) {
      const { metrics } = await t.getMetricHistory(id, `m${i}`);
      expect(metrics.map((m) => m.value)).toEqual([VALUES[i]]);
    }
  });
});
