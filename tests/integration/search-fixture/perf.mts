// Manual timing of searchRuns on PostgreSQL (10k runs x 10 metrics/params/tags):
//   npx tsx tests/integration/search-fixture/perf.mts [postgresql://server]

import pg from 'pg';
import { openStores } from '../../../src/stores/index.js';
import { searchRuns } from '../../../src/services/tracking/search-runs.js';
import { loadPerfRuns } from './perf-data.js';
const server = process.argv[2] ?? 'postgresql://postgres@127.0.0.1:35873';
const name = 'h4_perf';
const admin = new pg.Client({ connectionString: server + '/postgres' });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${name}`);
await admin.end();
const stores = await openStores(`${server}/${name}`, { defaultArtifactRoot: '/tmp/h4/art' });
const d = stores.dialect;
const t0 = Date.now();
await loadPerfRuns(d, 0, 10000, 10);
console.log('load ms', Date.now() - t0);
await (await import('kysely')).sql`ANALYZE`.execute(d.db);
async function time(label: string, req: Parameters<typeof searchRuns>[1]) {
  const ts: number[] = [];
  let n = 0;
  for (let i = 0; i < 12; i++) {
    const s = performance.now();
    const r = await searchRuns(d, req);
    ts.push(performance.now() - s);
    n = r.runs.length;
  }
  ts.sort((a, b) => a - b);
  console.log(label, 'n', n, 'median ms', ts[6]!.toFixed(1), 'min', ts[0]!.toFixed(1));
}
await time('1000 runs default', { experiment_ids: ['0'], max_results: 1000 });
await time('100 of 10k default', { experiment_ids: ['0'], max_results: 100 });
await time('100 of 10k order metric', {
  experiment_ids: ['0'],
  max_results: 100,
  order_by: ['metrics.m3 DESC'],
});
await time('100 of 10k filter metric+param', {
  experiment_ids: ['0'],
  max_results: 100,
  filter: "metrics.m1 > 500 AND params.p2 = '3'",
});
await time('1000 filter tag like', {
  experiment_ids: ['0'],
  max_results: 1000,
  filter: "tags.t1 LIKE 'v1%'",
});
await stores.close();
