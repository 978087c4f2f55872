import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
const ENTRY = join(ROOT, 'tests/integration/server-entry.ts');
// Absolute, because the server runs in a temporary directory (its cwd).
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** The Python with the pinned MLflow the tests run the child with (scripts/test.sh exports it). */
export const TEST_PYTHON = process.env.MLFLOW_TS_PYTHON ?? join(ROOT, '.venv/bin/python');

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

export interface RunningServer {
  proc: ChildProcess;
  port: number;
  base: string;
  dir: string;
  output: () => string;
  /** Resolves with the exit code once the server process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/**
 * Starts `mlflow-ts server` from source in a fresh temporary directory (its cwd, so ./mlruns,
 * ./mlartifacts and the default SQLite file land there) and waits until `ready` matches its log.
 */
export async function startServer(
  args: string[],
  opts: {
    env?: Record<string, string | undefined>;
    ready?: RegExp;
    timeoutMs?: number;
    /** Run the server as this user (e.g. to test file permissions when the tests run as root). */
    user?: { uid: number; gid: number };
  } = {},
): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mlflow-ts-server-'));
  if (opts.user) chownSync(dir, opts.user.uid, opts.user.gid);
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    ...process.env,
    MLFLOW_TS_LOG_LEVEL: 'info',
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const proc = spawn(
    process.execPath,
    [
      '--import',
      TSX,
      ENTRY,
      'server',
      '--port',
      String(port),
      '--backend-store-uri',
      `sqlite:///${dir}/mlflow.db`,
      ...args,
    ],
    {
      cwd: dir,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.user ? { uid: opts.user.uid, gid: opts.user.gid } : {}),
    },
  );
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  // 'close', not 'exit': the last output lines may still be in the pipes when the process exits.
  const exited = new Promise<number | null>((r) => proc.once('close', (code) => r(code)));
  const ready = opts.ready ?? /mlflow-ts listening on/;
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let gone = false;
  void exited.then(() => (gone = true));
  while (!ready.test(out)) {
    if (gone) throw new Error(`server exited before ready:\n${out}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server not ready in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    port,
    base: `http://127.0.0.1:${port}`,
    dir,
    output: () => out,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Processes (pid list) whose process group is `pgid`: empty once a child group is fully gone. */
export async function groupMembers(pgid: number): Promise<number[]> {
  const { execFileSync } = await import('node:child_process');
  const ps = execFileSync('ps', ['-eo', 'pid=,pgid=,stat='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 3 && Number(f[1]) === pgid && !f[2]!.startsWith('Z'))
    .map((f) => Number(f[0]));
}
