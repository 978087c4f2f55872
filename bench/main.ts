// Benchmark driver: mlflow-ts side by side with Python MLflow, mlflow-go and FastTrackML on one
// local PostgreSQL (a database per system, recreated from a template before each scenario) and
// SQLite, mlflow-ts and Python MLflow on MySQL (MariaDB), plus the raw-driver floor. Run through bench/run.sh (`npm run bench [-- --quick]`).
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execSync } from 'node:child_process';
import { PgAdmin, createMlflowSchema, copySqlite } from './lib/db.js';
import { MysqlAdmin } from './lib/mysql.js';
import { runLoad, pct, type LoadResult } from './lib/load.js';
import { systems, type SystemDef, type SchemaKind } from './lib/systems.js';
import {
  treeCpuMs,
  treePids,
  rssSampler,
  treeRssMiB,
  stopServer,
  freePort,
  type Server,
} from './lib/proc.js';
import { allScenarios, type Backend, type Scenario, type Ctx } from './lib/scenarios.js';
import { seedMlflowPg, seedViaApi, readIds, type ReadIds, type ReadSize } from './lib/seed.js';
import { findChromium, measureUiLoad } from './lib/ui-load.js';
import { sqlInspector, apiInspector, type Inspector } from './lib/inspect.js';
import { runFloors, runReadFloors, runMysqlReadFloors } from './lib/floor.js';
import { writeReport, type Row, type Footprint } from './lib/report.js';

const args = process.argv.slice(2);
const flag = (n: string) => args.includes(`--${n}`);
const opt = (n: string) => args.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3);
const quick = flag('quick');
const root = resolve(import.meta.dirname, '..');
const work = join(root, 'bench/.work');
const pgBase = opt('pg-url')!;
const pgDir = opt('pg-dir')!;
const only = opt('only')?.split(',');
const wantSystems = opt('systems')?.split(',');
const outDir =
  opt('out') ?? join(root, 'bench/results', new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19));
const noFloor = flag('no-floor');
const mysqlBase = opt('mysql-url');
const mysqlDir = opt('mysql-dir');
/** A results directory whose rows are kept for the scenarios this run does not measure. */
const mergeDir = opt('merge');
mkdirSync(outDir, { recursive: true });
mkdirSync(join(work, 'logs'), { recursive: true });
mkdirSync(join(work, 'sqlite'), { recursive: true });

const size: ReadSize = quick
  ? { runs: 1000, experiments: 300, bigParams: 1000, historyPoints: 100_000, bulkRuns: 100, bulkSteps: 500 }
  : {
      runs: 10_000,
      experiments: 1000,
      bigParams: 1000,
      historyPoints: 1_000_000,
      bulkRuns: 100,
      bulkSteps: 10_000,
    };

const log = (...a: unknown[]) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
const postmasterPid = Number(readFileSync(join(pgDir, 'data/postmaster.pid'), 'utf8').split('\n')[0]);
const admin = new PgAdmin(pgBase);
const myAdmin = mysqlBase ? new MysqlAdmin(mysqlBase) : undefined;
const mysqldPid = mysqlDir ? Number(readFileSync(join(mysqlDir, 'mysqld.pid'), 'utf8').trim()) : 0;
/** The database server process whose CPU a scenario's rows report. */
const dbPid = (b: Backend) => (b === 'pg' ? postmasterPid : b === 'mysql' ? mysqldPid : 0);
const MYSQL_NA = 'not run on MySQL in this suite';
const ready = () => sysAll.filter((s) => !naReason.has(s.id));
const rows: Row[] = [];
const footprints: Footprint[] = [];
const sysAll = systems(root, work).filter((s) => !wantSystems || wantSystems.includes(s.id));
const naReason = new Map<string, string>();
for (const s of sysAll) {
  const why = s.unavailable();
  if (why) naReason.set(s.id, why);
}
const scenarios = allScenarios().filter(
  (s) => (!only || only.some((o) => s.id.startsWith(o))) && (s.backend !== 'mysql' || myAdmin),
);

/** A result row of `sc` on `sys` that was not measured: n/a (with why) or the problems met. */
function rowOf(
  sc: Scenario,
  sys: SystemDef,
  backend: Row['backend'],
  outcome: { na: string | undefined } | { problems: string[] },
): Row {
  return {
    scenario: sc.id,
    title: sc.title,
    system: sys.id,
    backend,
    concurrency: sc.concurrency,
    ...outcome,
  };
}

// ---------- templates ----------
const tplDb = (k: SchemaKind) => `tpl_${k}`;
const tplFile = (k: SchemaKind) => join(work, 'sqlite', `tpl_${k}.db`);

async function withServer<T>(
  sys: SystemDef,
  uri: string,
  tag: string,
  f: (srv: Server) => Promise<T>,
): Promise<T> {
  const port = await freePort();
  const srv = await sys.start(uri, port, join(work, 'logs', `${sys.id}-${tag}.log`));
  try {
    // Prime every worker process (Python imports lazily on the first requests of each worker).
    await runLoad({
      baseUrl: srv.baseUrl,
      concurrency: 8,
      durationMs: 60_000,
      maxRequests: 48,
      // the registry store too (Python builds it on a worker's first registry request)
      make: (i) =>
        i % 3 === 1
          ? { method: 'POST', path: '/api/2.0/mlflow/experiments/search', body: { max_results: 10 } }
          : i % 3 === 2
            ? { method: 'GET', path: '/api/2.0/mlflow/registered-models/search?max_results=1' }
            : { method: 'GET', path: '/api/2.0/mlflow/experiments/get?experiment_id=0' },
    });
    return await f(srv);
  } finally {
    await stopServer(srv);
  }
}

async function makeTemplates(backends: Set<Backend>) {
  const kinds = new Map<SchemaKind, SystemDef>();
  for (const s of sysAll) if (!naReason.has(s.id) && !kinds.has(s.schema)) kinds.set(s.schema, s);
  // The MLflow 3.18 schema (mlflow-ts and Python MLflow) is always created by venv-mlflow's Python.
  const py = systems(root, work).find((s) => s.id === 'mlflow')!;
  for (const [kind, sys] of kinds) {
    try {
      if (kind === 'fml') {
        if (backends.has('pg')) {
          await admin.create(tplDb(kind));
          await withServer(sys, sys.pgUri(pgBase, tplDb(kind)), 'template', async () => {});
        }
        if (backends.has('sqlite')) {
          rmSync(tplFile(kind), { force: true });
          await withServer(sys, sys.sqliteUri(tplFile(kind)), 'template-sqlite', async () => {});
        }
      } else {
        const python = (kind === 'mlflow' ? py.python : sys.python)!;
        if (backends.has('mysql') && kind === 'mlflow' && myAdmin) {
          await myAdmin.create(tplDb(kind));
          createMlflowSchema(python, py.mysqlUri!(mysqlBase!, tplDb(kind)), join(work, 'artifacts'));
        }
        if (backends.has('pg')) {
          await admin.create(tplDb(kind));
          createMlflowSchema(python, admin.url(tplDb(kind)), join(work, 'artifacts'));
        }
        if (backends.has('sqlite')) {
          rmSync(tplFile(kind), { force: true });
          createMlflowSchema(python, `sqlite:///${tplFile(kind)}`, join(work, 'artifacts'));
        }
      }
      log(`template ${kind} ready`);
    } catch (e) {
      for (const s of sysAll)
        if (s.schema === kind)
          naReason.set(s.id, `schema template failed: ${(e as Error).message.slice(0, 200)}`);
      log(`template ${kind} FAILED`, (e as Error).message.slice(0, 300));
    }
  }
}

// ---------- one measured scenario on one running server ----------
async function measure(
  sc: Scenario,
  sys: SystemDef,
  srv: Server,
  ctx: Ctx,
  insp: () => Inspector,
): Promise<Row> {
  const row: Row = {
    scenario: sc.id,
    title: sc.title,
    system: sys.id,
    backend: sc.backend,
    concurrency: sc.concurrency,
    unit: sc.unit,
  };
  let prep;
  try {
    prep = await sc.prepare(ctx);
  } catch (e) {
    const m = (e as Error).message;
    row.na = /-> (501|404|405)/.test(m) ? `not served: ${m.slice(0, 120)}` : undefined;
    if (!row.na) row.problems = [`setup failed: ${m.slice(0, 200)}`];
    return row;
  }
  const okAll: number[] = [];
  const warm = sc.warmup(quick);
  if (warm > 0) {
    // warm-up requests come first in index order (steps/timestamps keep increasing)
    const w = await runLoad({
      baseUrl: srv.baseUrl,
      concurrency: sc.concurrency,
      durationMs: 30_000,
      maxRequests: warm,
      make: prep.make,
      check: prep.check,
    });
    okAll.push(...w.okIdx);
  }
  const cpu0 = treeCpuMs(srv.pid);
  const pg0 = dbPid(sc.backend) ? treeCpuMs(dbPid(sc.backend)) : 0;
  const rss = rssSampler(srv.pid);
  const r: LoadResult = await runLoad({
    baseUrl: srv.baseUrl,
    concurrency: sc.concurrency,
    durationMs: sc.durationMs(quick),
    maxRequests: sc.maxRequests(quick),
    firstIndex: warm,
    make: prep.make,
    check: prep.check,
  });
  row.peakRssMiB = rss.stop();
  const done = r.ok + r.expected + r.errors;
  row.cpuMsPerReq = (treeCpuMs(srv.pid) - cpu0) / Math.max(1, done);
  if (dbPid(sc.backend)) row.pgCpuMsPerReq = (treeCpuMs(dbPid(sc.backend)) - pg0) / Math.max(1, done);
  okAll.push(...r.okIdx);
  const lat = [...r.lat].sort((a, b) => a - b);
  Object.assign(row, {
    ok: r.ok,
    expected: r.expected,
    errors: r.errors,
    errorKinds: r.errorKinds,
    requests: done,
    rps: ((r.ok + r.expected) / r.elapsedMs) * 1000,
    p50: pct(lat, 50),
    p95: pct(lat, 95),
    p99: pct(lat, 99),
    elapsedMs: r.elapsedMs,
  });
  const kinds = Object.keys(r.errorKinds);
  if (r.ok + r.expected === 0 && kinds.length && kinds.every((k) => /HTTP (501|404|405)/.test(k))) {
    row.na = `not served (${kinds[0]})`;
    return row;
  }
  if (prep.verify && sc.group === 'write') {
    const i = insp();
    try {
      row.problems = await prep.verify(i, okAll);
    } catch (e) {
      row.problems = [`verification failed: ${(e as Error).message.slice(0, 200)}`];
    } finally {
      await i.close();
    }
  }
  return row;
}

function inspectorFor(sys: SystemDef, backend: Backend, target: string, base: string): () => Inspector {
  if (sys.schema === 'fml') return () => apiInspector(base);
  return () => sqlInspector(backend, target);
}

function logRow(r: Row) {
  if (r.na) return log(`  ${r.system}: n/a (${r.na})`);
  const u = r.unit ? ` ${((r.rps ?? 0) * r.unit.perReq).toFixed(0)} ${r.unit.name}` : '';
  log(
    `  ${r.system}: ${r.rps?.toFixed(1)} req/s${u} p50 ${r.p50?.toFixed(1)} p99 ${r.p99?.toFixed(1)} ms, err ${r.errors}, cpu ${r.cpuMsPerReq?.toFixed(2)} ms/req, rss ${r.peakRssMiB?.toFixed(0)} MiB${r.problems?.length ? ' PROBLEMS: ' + r.problems.join('; ') : ''}${r.errors ? ' ' + JSON.stringify(r.errorKinds) : ''}`,
  );
}

async function recordFootprint(sys: SystemDef, srv: Server) {
  if (footprints.some((f) => f.system === sys.id)) {
    footprints.find((f) => f.system === sys.id)!.startMs.push(srv.startMs);
    return;
  }
  await new Promise((r) => setTimeout(r, 1000));
  footprints.push({
    system: sys.id,
    startMs: [srv.startMs],
    idleRssMiB: treeRssMiB(srv.pid),
    processes: treePids(srv.pid).length,
  });
}

async function main() {
  const writes = scenarios.filter((s) => s.group === 'write');
  const reads = scenarios.filter((s) => s.group === 'read');
  await makeTemplates(new Set(scenarios.map((s) => s.backend)));

  // Write scenarios. Full mode: a fresh database (from the template) and a fresh server for every
  // scenario, systems taking turns. Quick mode (or --shared-db): one database and one server per
  // (system, backend) for all its write scenarios (each scenario still uses its own experiment),
  // because a cold start of the Python servers costs tens of seconds on a busy 2-core machine.
  const shared = quick || flag('shared-db');
  const runWrites = async (sys: SystemDef, list: Scenario[], backend: Backend) => {
    const na = naReason.get(sys.id) ?? (backend === 'mysql' && !sys.mysqlUri ? MYSQL_NA : undefined);
    if (na) {
      for (const sc of list) rows.push(rowOf(sc, sys, backend, { na }));
      return;
    }
    let target: string;
    let uri: string;
    if (backend === 'mysql') {
      const db = `bench_${sys.id.replace(/-/g, '_')}`;
      await myAdmin!.create(db, tplDb(sys.schema));
      target = myAdmin!.url(db);
      uri = sys.mysqlUri!(mysqlBase!, db);
    } else if (backend === 'pg') {
      const db = `bench_${sys.id.replace(/-/g, '_')}`;
      await admin.create(db, tplDb(sys.schema));
      target = admin.url(db);
      uri = sys.pgUri(pgBase, db);
    } else {
      target = join(work, 'sqlite', `${sys.id}.db`);
      copySqlite(tplFile(sys.schema), target);
      uri = sys.sqliteUri(target);
    }
    try {
      await withServer(sys, uri, `${backend}-${list[0]!.id}`, async (srv) => {
        if (backend === 'pg') await recordFootprint(sys, srv);
        for (const sc of list) {
          log(`${sc.id} on ${sys.id}: ${sc.title}`);
          const row = await measure(
            sc,
            sys,
            srv,
            { base: srv.baseUrl, quick, size },
            inspectorFor(sys, backend, target, srv.baseUrl),
          );
          rows.push(row);
          logRow(row);
        }
      });
    } catch (e) {
      for (const sc of list) {
        if (rows.some((r) => r.scenario === sc.id && r.system === sys.id)) continue;
        const row: Row = {
          scenario: sc.id,
          title: sc.title,
          system: sys.id,
          backend,
          concurrency: sc.concurrency,
          problems: [`server failed: ${(e as Error).message.slice(0, 200)}`],
        };
        rows.push(row);
        logRow(row);
      }
    }
  };
  // The floor of a scenario runs right after the systems (disk and CPU contention on a shared
  // machine drift over minutes, so far-apart measurements would not compare).
  const floors = async (list: Scenario[]) => {
    if (noFloor) return;
    rows.push(
      ...(await runFloors({
        admin,
        pgTemplate: tplDb('mlflow'),
        sqliteTemplate: tplFile('mlflow'),
        work,
        quick,
        scenarios: list,
        postmasterPid,
        mysql: myAdmin ? { admin: myAdmin, template: tplDb('mlflow'), pid: mysqldPid } : undefined,
        log,
      })),
    );
  };
  for (const backend of ['pg', 'sqlite', 'mysql'] as const) {
    const list = writes.filter((s) => s.backend === backend);
    if (!list.length) continue;
    if (shared) {
      for (const sys of sysAll) await runWrites(sys, list, backend);
      await floors(list);
    } else
      for (const sc of list) {
        for (const sys of sysAll) await runWrites(sys, [sc], backend);
        await floors([sc]);
      }
  }

  const mysqlReads = reads.filter((s) => s.backend === 'mysql');
  if (mysqlReads.length) await runMysqlReads(mysqlReads);
  const pgReads = reads.filter((s) => s.backend === 'pg');
  if (pgReads.length) await runPgReads(pgReads);

  if (!noFloor && pgReads.length && (await admin.exists('read_mlflow'))) {
    log('raw-driver floors (reads)');
    try {
      rows.push(...(await runReadFloors({ admin, db: 'read_mlflow', quick, scenarios, postmasterPid, log })));
    } catch (e) {
      log(`read floors failed: ${(e as Error).message}`);
    }
  }
  if (!noFloor && mysqlReads.length && (await myAdmin!.exists('read_mlflow'))) {
    log('raw-driver floors (MySQL reads)');
    try {
      rows.push(
        ...(await runMysqlReadFloors({
          admin: myAdmin!,
          db: 'read_mlflow',
          quick,
          scenarios,
          pid: mysqldPid,
          log,
        })),
      );
    } catch (e) {
      log(`MySQL read floors failed: ${(e as Error).message}`);
    }
  }
  // The peers that have no MySQL run get an n/a row with the reason whichever --systems ran.
  for (const sc of scenarios.filter((s) => s.backend === 'mysql'))
    for (const sys of systems(root, work).filter((s) => !s.mysqlUri))
      if (!rows.some((r) => r.scenario === sc.id && r.system === sys.id))
        rows.push(rowOf(sc, sys, 'mysql', { na: MYSQL_NA }));

  // Rows of an earlier run for the scenarios not measured now (e.g. the MySQL rows added to a full
  // PostgreSQL/SQLite run).
  if (mergeDir) {
    const earlier = JSON.parse(readFileSync(join(mergeDir, 'results.json'), 'utf8')) as {
      rows: Row[];
      footprints: Footprint[];
    };
    const measured = new Set(rows.map((r) => r.scenario));
    rows.unshift(...earlier.rows.filter((r) => !measured.has(r.scenario)));
    for (const fp of earlier.footprints)
      if (!footprints.some((x) => x.system === fp.system)) footprints.push(fp);
  }

  const machine = describeMachine();
  const failed = writeReport({
    outDir,
    rows,
    footprints,
    quick,
    machine,
    size,
    docsPath: flag('no-docs') ? undefined : join(root, 'docs/benchmarks.md'),
  });
  log(`results in ${outDir}`);
  if (failed.length) {
    log(`FAILED (errors or wrong data on mlflow-ts / floor):\n  ${failed.join('\n  ')}`);
    process.exit(1);
  }
}

/** A browser scenario (U1): median and p95 of the page loads; req/s is loads per second. */
async function measureBrowser(sc: Scenario, sys: SystemDef, srv: Server, ids: ReadIds): Promise<Row> {
  const b = sc.browser!;
  if (sys.id !== 'mlflow-ts' && sys.id !== 'mlflow')
    return rowOf(sc, sys, sc.backend, { na: 'not measured for this server (its UI differs)' });
  const chromiumPath = findChromium(root);
  if (!chromiumPath) return rowOf(sc, sys, sc.backend, { problems: ['chromium could not be installed'] });
  try {
    const r = await measureUiLoad(
      chromiumPath,
      srv.baseUrl,
      b.hash(ids, size),
      b.until(size),
      b.loads(quick),
    );
    const s = [...r.samplesMs].sort((x, y) => x - y);
    const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
    const row: Row = {
      scenario: sc.id,
      title: sc.title,
      system: sys.id,
      backend: sc.backend,
      concurrency: 1,
      requests: s.length,
      ok: s.length,
      errors: r.failures.length,
      rps: 1000 / at(0.5),
      p50: at(0.5),
      p95: at(0.95),
      p99: s[s.length - 1],
    };
    if (r.failures.length) row.problems = r.failures.slice(0, 5);
    return row;
  } catch (e) {
    return rowOf(sc, sys, sc.backend, {
      problems: [`page load failed: ${(e as Error).message.slice(0, 200)}`],
    });
  }
}

/** The read scenarios `list` on one running server (their ids looked up through its API). */
async function measureReads(sys: SystemDef, srv: Server, list: Scenario[], backend: Backend) {
  let ids;
  try {
    ids = await readIds(srv.baseUrl, size);
  } catch (e) {
    for (const sc of list)
      rows.push(
        rowOf(sc, sys, backend, { problems: [`ids lookup failed: ${(e as Error).message.slice(0, 150)}`] }),
      );
    return;
  }
  for (const sc of list) {
    if (sc.schemas && !sc.schemas.includes(sys.schema)) {
      rows.push(rowOf(sc, sys, backend, { na: 'not supported by this server (no logged models)' }));
      continue;
    }
    log(`${sc.id} on ${sys.id}`);
    if (sc.browser) {
      const row = await measureBrowser(sc, sys, srv, ids);
      rows.push(row);
      logRow(row);
      continue;
    }
    const row = await measure(sc, sys, srv, { base: srv.baseUrl, quick, size, ids }, () =>
      apiInspector(srv.baseUrl),
    );
    rows.push(row);
    logRow(row);
  }
}

/**
 * R1/R2 on MySQL: the read data set is written once through mlflow-ts's API into a MariaDB
 * database (MySQL has no template databases to copy a SQL-seeded one from quickly), and each
 * system then reads its own copy.
 */
async function runMysqlReads(list: Scenario[]) {
  const ts = sysAll.find((s) => s.id === 'mlflow-ts' && !naReason.has(s.id));
  for (const sys of sysAll.filter((s) => naReason.has(s.id) || !s.mysqlUri))
    for (const sc of list) rows.push(rowOf(sc, sys, 'mysql', { na: naReason.get(sys.id) ?? MYSQL_NA }));
  if (!ts) return;
  const t0 = Date.now();
  try {
    await myAdmin!.create('read_mlflow', tplDb('mlflow'));
    await withServer(ts, ts.mysqlUri!(mysqlBase!, 'read_mlflow'), 'seed-mysql', (srv) =>
      seedViaApi(srv.baseUrl, size),
    );
    await myAdmin!.analyze('read_mlflow');
    log(`  MySQL read data set seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } catch (e) {
    for (const sys of sysAll.filter((s) => s.mysqlUri && !naReason.has(s.id)))
      for (const sc of list)
        rows.push(
          rowOf(sc, sys, 'mysql', { problems: [`read seed failed: ${(e as Error).message.slice(0, 200)}`] }),
        );
    return;
  }
  for (const sys of sysAll.filter((s) => s.mysqlUri && !naReason.has(s.id))) {
    const db = `bench_${sys.id.replace(/-/g, '_')}`;
    await myAdmin!.create(db, 'read_mlflow');
    try {
      await withServer(sys, sys.mysqlUri!(mysqlBase!, db), 'reads-mysql', (srv) =>
        measureReads(sys, srv, list, 'mysql'),
      );
    } catch (e) {
      for (const sc of list)
        if (!rows.some((r) => r.scenario === sc.id && r.system === sys.id))
          rows.push(
            rowOf(sc, sys, 'mysql', { problems: [`server failed: ${(e as Error).message.slice(0, 200)}`] }),
          );
    }
  }
}

async function runPgReads(reads: Scenario[]) {
  {
    log(`seeding the read data set (${JSON.stringify(size)})`);
    const t0 = Date.now();
    for (const kind of new Set(ready().map((s) => s.schema))) {
      const sys = ready().find((s) => s.schema === kind)!;
      try {
        await admin.create(`read_${kind}`, tplDb(kind));
        if (kind === 'fml')
          await withServer(sys, sys.pgUri(pgBase, `read_${kind}`), 'seed', (srv) =>
            seedViaApi(srv.baseUrl, size),
          );
        else await seedMlflowPg(admin.url(`read_${kind}`), size);
        await admin.vacuumAnalyze(`read_${kind}`);
        log(`  read_${kind} seeded`);
      } catch (e) {
        for (const s of sysAll)
          if (s.schema === kind)
            naReason.set(s.id, `read seed failed: ${(e as Error).message.slice(0, 200)}`);
        log(`  read_${kind} FAILED: ${(e as Error).message.slice(0, 300)}`);
      }
    }
    log(`  seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    for (const sys of sysAll) {
      if (naReason.has(sys.id)) {
        for (const sc of reads) rows.push(rowOf(sc, sys, 'pg', { na: naReason.get(sys.id) }));
        continue;
      }
      const db = `bench_${sys.id.replace(/-/g, '_')}`;
      await admin.create(db, `read_${sys.schema}`);
      try {
        await withServer(sys, sys.pgUri(pgBase, db), 'reads', (srv) => measureReads(sys, srv, reads, 'pg'));
      } catch (e) {
        for (const sc of reads)
          rows.push(
            rowOf(sc, sys, 'pg', { problems: [`server failed: ${(e as Error).message.slice(0, 200)}`] }),
          );
      }
    }
  }
}

function describeMachine(): Record<string, string> {
  const sh = (c: string) => {
    try {
      return execSync(c, { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  };
  return {
    nproc: sh('nproc'),
    cpu: sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").trim(),
    memory: sh("free -h | awk '/Mem:/ {print $2}'"),
    kernel: sh('uname -r'),
    'load average at the end (1/5/15 min)': sh("cut -d' ' -f1-3 /proc/loadavg"),
    node: process.version,
    postgres: sh(`psql "${pgBase}/postgres" -Atc 'SHOW server_version'`),
    pgSettings: sh(
      `psql "${pgBase}/postgres" -Atc "SELECT string_agg(name || '=' || setting, ', ') FROM pg_settings WHERE name IN ('fsync','synchronous_commit','shared_buffers','max_connections','wal_level')"`,
    ),
    mysql: mysqlBase
      ? sh(
          `mariadb --no-defaults -h ${myAdmin!.host} -P ${myAdmin!.port} -u ${myAdmin!.user} -N -e 'SELECT VERSION()'`,
        )
      : '-',
    sqlite: sh(
      `node -e "console.log(require('better-sqlite3')(':memory:').prepare('select sqlite_version() v').get().v)"`,
    ),
  };
}
main().catch((e) => {
  console.error(e);
  process.exit(2);
});
