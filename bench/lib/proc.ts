// Process helpers: spawn a server, wait for it to be healthy, and measure a process tree
// (CPU time from /proc/<pid>/stat, resident memory from /proc/<pid>/status) on Linux.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, openSync } from 'node:fs';
import { request } from 'undici';

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux x86-64

interface Stat {
  pid: number;
  ppid: number;
  comm: string;
  cpuTicks: number; // utime + stime
  childTicks: number; // cutime + cstime: reaped children's CPU (accounted to their parent)
}

function readStat(pid: number): Stat | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const f = s.slice(close + 2).split(' ');
    // fields after comm: state(0) ppid(1) ... utime(11) stime(12)
    return {
      pid,
      ppid: Number(f[1]),
      comm,
      cpuTicks: Number(f[11]) + Number(f[12]),
      childTicks: Number(f[13]) + Number(f[14]),
    };
  } catch {
    return undefined;
  }
}

function allStats(): Stat[] {
  const out: Stat[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = readStat(Number(d));
    if (st) out.push(st);
  }
  return out;
}

/** The pid and all its descendants. */
export function treePids(root: number): number[] {
  const stats = allStats();
  const kids = new Map<number, number[]>();
  for (const s of stats) {
    const list = kids.get(s.ppid) ?? [];
    list.push(s.pid);
    kids.set(s.ppid, list);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop()!;
    if (!stats.some((s) => s.pid === p)) continue;
    out.push(p);
    todo.push(...(kids.get(p) ?? []));
  }
  return out;
}

/**
 * CPU milliseconds used so far by the tree: own time of every live process plus the time of
 * reaped children (cutime/cstime of their parent), so that exited workers or PostgreSQL back-ends
 * (closed connections) keep counting.
 */
export function treeCpuMs(root: number): number {
  let ticks = 0;
  for (const p of treePids(root)) {
    const st = readStat(p);
    if (st) ticks += st.cpuTicks + st.childTicks;
  }
  return (ticks * 1000) / CLK_TCK;
}

function statusKb(pid: number, field: string): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resident set size of the whole tree, in MiB. */
export function treeRssMiB(root: number): number {
  let kb = 0;
  for (const p of treePids(root)) kb += statusKb(p, 'VmRSS');
  return kb / 1024;
}

/** Samples the tree RSS every `everyMs` until stopped; returns the peak (MiB). */
export function rssSampler(root: number, everyMs = 100): { stop: () => number } {
  let peak = treeRssMiB(root);
  const t = setInterval(() => {
    peak = Math.max(peak, treeRssMiB(root));
  }, everyMs);
  return {
    stop: () => {
      clearInterval(t);
      peak = Math.max(peak, treeRssMiB(root));
      return peak;
    },
  };
}

export interface Server {
  name: string;
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  startMs: number; // spawn to first healthy response
  logFile: string;
}

export async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const r = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
      await r.body.dump();
      if (r.statusCode === 200) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

export async function startServer(opts: {
  name: string;
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  port: number;
  healthPath: string;
  logFile: string;
  timeoutMs?: number;
}): Promise<Server> {
  const fd = openSync(opts.logFile, 'a');
  const t0 = performance.now();
  const child = spawn(opts.cmd, opts.args, {
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
    stdio: ['ignore', fd, fd],
    detached: true, // own process group, so that stop() can end the whole tree
  });
  const baseUrl = `http://127.0.0.1:${opts.port}`;
  const ok = await waitHealthy(baseUrl + opts.healthPath, child, opts.timeoutMs ?? 90_000);
  const startMs = performance.now() - t0;
  const srv: Server = { name: opts.name, child, pid: child.pid!, baseUrl, startMs, logFile: opts.logFile };
  if (!ok) {
    await stopServer(srv);
    throw new Error(`${opts.name} did not become healthy (see ${opts.logFile})`);
  }
  return srv;
}

export async function stopServer(srv: Server): Promise<void> {
  const pids = treePids(srv.pid);
  try {
    process.kill(-srv.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
  const t0 = Date.now();
  while (Date.now() - t0 < 10_000 && pids.some(alive)) await new Promise((r) => setTimeout(r, 50));
  for (const p of pids)
    if (alive(p))
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
  try {
    process.kill(-srv.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** CPU ms of all postgres back-ends of one cluster (children of the postmaster). */
export function pgCpuMs(postmasterPid: number): number {
  return treeCpuMs(postmasterPid);
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
