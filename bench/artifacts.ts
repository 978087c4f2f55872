// Artifact benchmarks (issue 12): the mlflow-artifacts service of mlflow-ts and of Python MLflow on
// the local filesystem, side by side with a floor (bench/lib/artifact-floor.mjs: the same bytes over
// a loopback socket through a bare node:http server).
//   A1  upload one large file (1 GiB; --quick: 64 MiB), one PUT streamed from disk
//   A2  download it back (the body streamed, counted and hashed by the client)
//   A3  1,000 files of 10 KiB (--quick: 200): upload at c=8, then download at c=8
//   A4  list a directory of 10,000 files (--quick: 2,000): repeated GETs at c=4
// Every answer is checked: sizes on disk, the download's sha256, the listing's entry count.
// Peak RSS and CPU are the server process tree's.
//   node --import tsx bench/artifacts.ts [--quick] [--systems=mlflow-ts,mlflow,floor]
import { createHash } from 'node:crypto';
import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { freePort, rssSampler, startServer, stopServer, treeCpuMs, type Server } from './lib/proc.js';

const root = resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const only = argv
  .find((a) => a.startsWith('--systems='))
  ?.slice('--systems='.length)
  .split(',');
const python = process.env.MLFLOW_TS_PYTHON ?? join(root, '.venv/bin/python');

const BIG = quick ? 64 * 1024 * 1024 : 1024 * 1024 * 1024;
const SMALL_N = quick ? 200 : 1000;
const SMALL = 10 * 1024;
const LIST_N = quick ? 2000 : 10_000;
const LIST_REQS = quick ? 20 : 60;

interface Target {
  id: string;
  srv: Server;
  /** the directory the server stores artifacts in */
  dest: string;
  put(path: string): string;
  get(path: string): string;
  list(dir: string): string;
}

async function startTarget(id: string, work: string): Promise<Target> {
  const dest = join(work, `${id}-dest`);
  mkdirSync(dest, { recursive: true });
  const port = await freePort();
  const log = join(work, `${id}.log`);
  const common = ['--host', '127.0.0.1', '--port', String(port), '--artifacts-destination', dest];
  const db = `sqlite:///${join(work, `${id}.db`)}`;
  let srv: Server;
  if (id === 'floor') {
    srv = await startServer({
      name: id,
      cmd: process.execPath,
      args: [join(root, 'bench/lib/artifact-floor.mjs'), dest, String(port)],
      port,
      healthPath: '/health',
      logFile: log,
    });
    return {
      id,
      srv,
      dest,
      put: (p) => `${srv.baseUrl}/f/${p}`,
      get: (p) => `${srv.baseUrl}/f/${p}`,
      list: (d) => `${srv.baseUrl}/list?path=${encodeURIComponent(d)}`,
    };
  }
  srv =
    id === 'mlflow-ts'
      ? await startServer({
          name: id,
          cmd: process.execPath,
          args: [
            join(root, 'bin/mlflow-ts.js'),
            'server',
            '--no-python',
            '--backend-store-uri',
            db,
            ...common,
          ],
          env: { MLFLOW_TS_LOG_LEVEL: 'warn' },
          port,
          healthPath: '/health',
          logFile: log,
        })
      : await startServer({
          name: id,
          cmd: python,
          args: ['-m', 'mlflow', 'server', '--backend-store-uri', db, ...common],
          env: { MLFLOW_DISABLE_TELEMETRY: 'true' },
          port,
          healthPath: '/health',
          logFile: log,
          timeoutMs: 180_000,
        });
  const a = `${srv.baseUrl}/api/2.0/mlflow-artifacts/artifacts`;
  return {
    id,
    srv,
    dest,
    put: (p) => `${a}/${p}`,
    get: (p) => `${a}/${p}`,
    list: (d) => `${a}?path=${encodeURIComponent(d)}`,
  };
}

/** A file of `size` bytes (a random MiB repeated) and its sha256. */
function makeBigFile(path: string, size: number): string {
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  for (let left = size; left > 0; left -= block.length) {
    const chunk = left >= block.length ? block : block.subarray(0, left);
    writeSync(fd, chunk);
    hash.update(chunk);
  }
  closeSync(fd);
  return hash.digest('hex');
}

async function timed<T>(
  t: Target,
  fn: () => Promise<T>,
): Promise<{ value: T; ms: number; cpuMs: number; peakMiB: number }> {
  const cpu0 = treeCpuMs(t.srv.pid);
  const rss = rssSampler(t.srv.pid, 50);
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  return { value, ms, cpuMs: treeCpuMs(t.srv.pid) - cpu0, peakMiB: rss.stop() };
}

async function pool<T>(n: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await job(i);
      }
    }),
  );
  return out;
}

async function expectOk(res: Awaited<ReturnType<typeof request>>, what: string): Promise<void> {
  if (res.statusCode !== 200)
    throw new Error(`${what}: HTTP ${res.statusCode} ${(await res.body.text()).slice(0, 200)}`);
  await res.body.dump();
}

interface Row {
  system: string;
  scenario: string;
  value: string;
  seconds: string;
  cpuMs: string;
  peakMiB: string;
  problems: string;
}

async function runTarget(t: Target, big: string, bigSha: string, work: string): Promise<Row[]> {
  const rows: Row[] = [];
  const mib = BIG / 1024 / 1024;
  const add = (
    scenario: string,
    value: string,
    r: { ms: number; cpuMs: number; peakMiB: number },
    problems: string[],
  ) =>
    rows.push({
      system: t.id,
      scenario,
      value,
      seconds: (r.ms / 1000).toFixed(2),
      cpuMs: r.cpuMs.toFixed(0),
      peakMiB: r.peakMiB.toFixed(0),
      problems: problems.join('; ') || 'none',
    });

  // A1: one large upload, streamed from disk
  const a1 = await timed(t, async () => {
    const res = await request(t.put('big/blob.bin'), {
      method: 'PUT',
      body: createReadStream(big),
      headers: { 'content-length': String(BIG) },
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    await expectOk(res, 'A1 upload');
  });
  const stored = statSync(join(t.dest, 'big/blob.bin')).size;
  add(
    `A1 upload ${mib} MiB`,
    `${(mib / (a1.ms / 1000)).toFixed(0)} MiB/s`,
    a1,
    stored === BIG ? [] : [`stored ${stored} bytes`],
  );

  // A2: download it back
  const a2 = await timed(t, async () => {
    const res = await request(t.get('big/blob.bin'), { headersTimeout: 0, bodyTimeout: 0 });
    if (res.statusCode !== 200) throw new Error(`A2: HTTP ${res.statusCode}`);
    const hash = createHash('sha256');
    let n = 0;
    for await (const chunk of res.body) {
      hash.update(chunk as Buffer);
      n += (chunk as Buffer).length;
    }
    return { n, sha: hash.digest('hex') };
  });
  add(
    `A2 download ${mib} MiB`,
    `${(mib / (a2.ms / 1000)).toFixed(0)} MiB/s`,
    a2,
    a2.value.sha === bigSha ? [] : [`got ${a2.value.n} bytes, sha256 differs`],
  );
  rmSync(join(t.dest, 'big'), { recursive: true, force: true });

  // A3: many small files
  const small = Buffer.alloc(SMALL, 7);
  const up = await timed(t, () =>
    pool(SMALL_N, 8, async (i) => {
      const res = await request(t.put(`small/d${i % 10}/f${i}.bin`), { method: 'PUT', body: small });
      await expectOk(res, `A3 upload ${i}`);
    }),
  );
  add(`A3 upload ${SMALL_N} x 10 KiB, c=8`, `${(SMALL_N / (up.ms / 1000)).toFixed(0)} files/s`, up, []);
  const down = await timed(t, () =>
    pool(SMALL_N, 8, async (i) => {
      const res = await request(t.get(`small/d${i % 10}/f${i}.bin`));
      const body = Buffer.from(await res.body.arrayBuffer());
      return res.statusCode === 200 && body.equals(small);
    }),
  );
  const bad = down.value.filter((ok) => !ok).length;
  add(
    `A3 download ${SMALL_N} x 10 KiB, c=8`,
    `${(SMALL_N / (down.ms / 1000)).toFixed(0)} files/s`,
    down,
    bad ? [`${bad} wrong downloads`] : [],
  );

  // A4: listing a directory of many files (written to the destination directly, unmeasured)
  const listDir = join(t.dest, 'listing');
  mkdirSync(listDir, { recursive: true });
  for (let i = 0; i < LIST_N; i++)
    writeFileSync(join(listDir, `file-${String(i).padStart(5, '0')}.txt`), 'x');
  const lat: number[] = [];
  const a4 = await timed(t, () =>
    pool(LIST_REQS, 4, async () => {
      const t0 = performance.now();
      const res = await request(t.list('listing'));
      const body = (await res.body.json()) as { files?: unknown[] };
      lat.push(performance.now() - t0);
      return res.statusCode === 200 ? (body.files?.length ?? 0) : -1;
    }),
  );
  lat.sort((x, y) => x - y);
  const wrong = a4.value.filter((n) => n !== LIST_N).length;
  add(
    `A4 list ${LIST_N} files, c=4`,
    `${(LIST_REQS / (a4.ms / 1000)).toFixed(1)} req/s (p50 ${lat[Math.floor(lat.length / 2)]!.toFixed(0)} ms)`,
    a4,
    wrong ? [`${wrong} listings without ${LIST_N} entries`] : [],
  );
  void work;
  return rows;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'mlflow-bench-artifacts-'));
  const systems = (only ?? ['mlflow-ts', 'mlflow', 'floor']).filter(Boolean);
  const big = join(work, 'big.bin');
  const bigSha = makeBigFile(big, BIG);
  const rows: Row[] = [];
  try {
    for (const id of systems) {
      const t = await startTarget(id, work);
      try {
        rows.push(...(await runTarget(t, big, bigSha, work)));
      } finally {
        await stopServer(t.srv);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const lines = [
    `Artifact benchmarks (${quick ? 'quick' : 'full'} mode), ${new Date().toISOString()}`,
    '',
    '| Scenario | System | Throughput | Wall s | Server CPU ms | Server peak RSS MiB | Problems |',
    '| --- | --- | --- | ---: | ---: | ---: | --- |',
    ...[...rows]
      .sort((a, b) => a.scenario.localeCompare(b.scenario))
      .map(
        (r) =>
          `| ${r.scenario} | ${r.system} | ${r.value} | ${r.seconds} | ${r.cpuMs} | ${r.peakMiB} | ${r.problems} |`,
      ),
  ];
  const out = lines.join('\n') + '\n';
  const dir = join(
    root,
    'bench/results',
    `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}-artifacts`,
  );
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.md'), out);
  process.stdout.write(out);
  process.exitCode = rows.some((r) => r.problems !== 'none' && r.system !== 'mlflow') ? 1 : 0;
}

await main();
