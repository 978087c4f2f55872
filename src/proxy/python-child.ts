import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import type { ChildLink } from './child-link.js';
import { childCommand, type ChildOptions } from './child-command.js';
import { freePort } from './free-port.js';

export interface SupervisorOptions extends Omit<ChildOptions, 'port'> {
  startupTimeoutMs: number;
  log: Logger;
  link: ChildLink;
  /** Called when the child never became healthy on its first start (mlflow-ts should exit). */
  onFatal: (err: Error) => void;
}

const MAX_BACKOFF_MS = 30_000;
const ACCESS_LINE = /"[A-Z]+ \S+ HTTP\/[\d.]+" \d{3}/;
/** After this long up, a crash counts as a fresh failure (backoff restarts from 1 s). */
const STABLE_AFTER_MS = 60_000;

/** A ref'd timer on purpose: during shutdown it is what keeps the process alive until the child's group is gone. */
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Runs the Python `mlflow server` child: starts it in its own process group, waits for /health,
 * restarts it with backoff when it dies, and on stop terminates the whole group (SIGTERM, then
 * SIGKILL after a grace period) so nothing is left behind.
 */
export class PythonChild {
  private proc: ChildProcess | undefined;
  private port: number | undefined;
  private stopping = false;
  private everUp = false;
  private failures = 0;
  private upSince = 0;
  private readonly tail: string[] = [];

  constructor(private readonly opts: SupervisorOptions) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get childPort(): number | undefined {
    return this.port;
  }

  /** Starts the child; resolves once it answers /health (rejects if it never does on the first try). */
  async start(): Promise<void> {
    this.port = await freePort(this.port);
    const { command, args, env } = childCommand({ ...this.opts, port: this.port });
    const { log, link } = this.opts;
    link.update({ status: 'starting', port: this.port });
    log.info({ python: command, port: this.port }, 'starting the Python MLflow child');
    const proc = spawn(command, args, { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    // The pipe is the watchdog's lifeline: it must stay open (and unref'd) while we live.
    proc.stdin?.on('error', () => undefined);
    for (const stream of [proc.stdout, proc.stderr]) {
      if (!stream) continue;
      const rl = createInterface({ input: stream });
      rl.on('line', (line) => {
        this.tail.push(line);
        if (this.tail.length > 40) this.tail.shift();
        // The child runs without its security middleware on purpose (we apply it to every route
        // in front of it); its warning about that would mislead whoever reads our logs.
        if (line.includes('Security middleware is DISABLED')) {
          log.debug({ src: 'python' }, 'child security middleware off: mlflow-ts applies it in front');
          return;
        }
        // uvicorn's per-request access lines duplicate what we know; keep them out of info logs.
        if (ACCESS_LINE.test(line)) log.debug({ src: 'python' }, line);
        else log.info({ src: 'python' }, line);
      });
    }
    const exited = new Promise<string>((resolve) => {
      proc.once('exit', (code, signal) =>
        resolve(signal ? `was killed by ${signal}` : `exited with status ${code}`),
      );
      proc.once('error', (err) => {
        log.error({ err }, 'could not run the Python child');
        resolve(`could not be run (${err.message})`);
      });
    });
    void exited.then((how) => this.onExit(proc, how));

    const healthy = await this.waitHealthy(proc, exited);
    if (!healthy.ok) {
      const detail = `${healthy.reason}. Last output of the child:\n${this.tail.join('\n')}`;
      if (!this.everUp && !this.stopping) {
        await this.killGroup(proc);
        throw new Error(`The Python MLflow child (${command}) did not start: ${detail}`);
      }
      return;
    }
    this.everUp = true;
    this.upSince = Date.now();
    link.update({ status: 'up', port: this.port });
    log.info({ port: this.port, childPid: proc.pid }, 'Python MLflow child is up');
  }

  private async waitHealthy(
    proc: ChildProcess,
    exited: Promise<string>,
  ): Promise<{ ok: true } | { ok: false; reason: string }> {
    const deadline = Date.now() + this.opts.startupTimeoutMs;
    let gone: string | undefined;
    void exited.then((c) => (gone = c));
    const url = `http://127.0.0.1:${this.port}${this.opts.staticPrefix}/health`;
    while (Date.now() < deadline) {
      if (gone !== undefined) return { ok: false, reason: `it ${gone}` };
      if (this.stopping || this.proc !== proc) return { ok: false, reason: 'stopped' };
      try {
        // undici is imported here, not at the top: standalone servers never load it.
        const { request } = await import('undici');
        const res = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
        await res.body.dump();
        if (res.statusCode === 200) return { ok: true };
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    return { ok: false, reason: `no answer on ${url} within ${this.opts.startupTimeoutMs / 1000} s` };
  }

  private onExit(proc: ChildProcess, how: string): void {
    if (this.proc !== proc) return;
    const { log, link } = this.opts;
    // Whatever is left of its group goes too (uvicorn workers, reloaders).
    void this.killGroup(proc);
    if (this.stopping) return;
    if (!this.everUp) return; // the first start reports through start()
    if (Date.now() - this.upSince > STABLE_AFTER_MS) this.failures = 0;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.failures);
    this.failures++;
    link.update({ status: 'down', port: this.port, reason: `the child ${how}` });
    log.error({ restartInMs: delay }, `Python MLflow child ${how}; restarting`);
    void sleep(delay).then(async () => {
      if (this.stopping) return;
      try {
        await this.start();
      } catch (err) {
        log.error({ err }, 'Python MLflow child restart failed');
      }
    });
  }

  private groupAlive(pgid: number): boolean {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** SIGTERM to the whole group, SIGKILL whatever is still there after `graceMs`. */
  private async killGroup(proc: ChildProcess, graceMs = 5000): Promise<void> {
    const pgid = proc.pid;
    if (pgid === undefined) return;
    try {
      process.kill(-pgid, 'SIGTERM');
    } catch {
      return;
    }
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && this.groupAlive(pgid)) await sleep(100);
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Stops the child and its whole process group. */
  async stop(): Promise<void> {
    this.stopping = true;
    const proc = this.proc;
    this.opts.link.update({ status: 'stopping', port: this.port, reason: 'server shutting down' });
    if (proc) await this.killGroup(proc);
  }

  /** Last resort on process exit: synchronous SIGKILL of the group. */
  killNow(): void {
    const pgid = this.proc?.pid;
    if (pgid === undefined) return;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
