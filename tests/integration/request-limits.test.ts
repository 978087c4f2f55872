/**
 * One request must not take the server down, nor hold its memory or a socket for ever:
 * - the largest body a native route accepts (--max-body-size, 64 MiB by default) is served, one
 *   byte more is refused with 413, and a 100 MB body (which used to exhaust the heap) too, all
 *   while normal traffic is answered; afterwards the process returns close to its idle RSS;
 * - a body sent too slowly is answered 408 and its connection closed (--body-timeout); a client
 *   that stops sending is disconnected (--idle-timeout); slow headers (--headers-timeout) and idle
 *   keep-alive connections (--keep-alive-timeout) are closed.
 * The body limit and timeouts do not depend on the store: SQLite only.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFigures } from '../helpers/fault-figures.js';
import { startServer, type RunningServer } from './server-harness.js';

const MiB = 1024 * 1024;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read loosely
type Json = Record<string, any>;
const LIMIT = 64 * MiB;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

async function json(base: string, path: string, body: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}/api/2.0/mlflow${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Json = {};
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    // not JSON
  }
  return { status: res.status, json: parsed };
}

/** A log-batch body of exactly `size` bytes: one tag whose value fills it. */
function batchOfSize(runId: string, size: number): Buffer {
  const head = `{"run_id":"${runId}","tags":[{"key":"big","value":"`;
  const tail = '"}]}';
  const body = Buffer.alloc(size, 'x');
  body.write(head, 0);
  body.write(tail, size - tail.length);
  return body;
}

/** Opens a raw connection and resolves when the server closes it (or after `maxMs`, false). */
function closedWithin(socket: Socket, maxMs: number): Promise<{ closed: boolean; data: string; ms: number }> {
  const t0 = Date.now();
  let data = '';
  socket.on('data', (d: Buffer) => (data += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ closed: false, data, ms: Date.now() - t0 }), maxMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, data, ms: Date.now() - t0 });
    });
    socket.on('error', () => undefined);
  });
}

describe('request body limits', () => {
  let srv: RunningServer;
  let runId: string;
  beforeAll(async () => {
    srv = await startServer(['--no-python']);
    const run = await json(srv.base, '/runs/create', { experiment_id: '0', start_time: 1 });
    runId = run.json.run.info.run_id;
  });
  afterAll(async () => {
    if (srv.proc.exitCode !== null || srv.proc.signalCode !== null) console.log(srv.output().slice(-4000));
    expect(await srv.stop()).toBe(0);
  });

  it('serves the largest body, refuses larger ones with 413, keeps serving others, and gives the memory back', async () => {
    const pid = srv.proc.pid!;
    // Warm up (JIT, pools, statement caches), then take the idle size.
    for (let i = 0; i < 200; i++) {
      await json(srv.base, '/runs/log-metric', {
        run_id: runId,
        key: 'warm',
        value: i,
        timestamp: 1,
        step: i,
      });
    }
    await new Promise((r) => setTimeout(r, 1000));
    const idle = rssMiB(pid);

    let normalOk = 0;
    let stop = false;
    const normal = (async () => {
      for (let i = 0; !stop || i < 50; i++) {
        const r = await json(srv.base, '/runs/log-metric', {
          run_id: runId,
          key: 'n',
          value: i,
          timestamp: 2,
          step: i,
        });
        expect(r.status).toBe(200);
        normalOk++;
      }
    })();
    const [largest, above] = await Promise.all([
      json(srv.base, '/runs/log-batch', batchOfSize(runId, LIMIT)),
      json(srv.base, '/runs/log-batch', batchOfSize(runId, LIMIT + 1)),
    ]);
    const huge = await json(srv.base, '/runs/log-batch', batchOfSize(runId, 100 * 1000 * 1000));
    stop = true;
    await normal;

    expect(largest.status).toBe(200);
    expect(above.status).toBe(413);
    expect(above.json.error_code).toBe('BAD_REQUEST');
    expect(above.json.message).toContain('--max-body-size');
    expect(huge.status).toBe(413);
    expect(normalOk).toBeGreaterThanOrEqual(50);
    // The tag was stored as MLflow stores it: truncated to 8000 characters.
    const run = await fetch(`${srv.base}/api/2.0/mlflow/runs/get?run_id=${runId}`).then((r) => r.json());
    const tags = (run as { run: { data: { tags: { key: string; value: string }[] } } }).run.data.tags;
    const tag = tags.find((t) => t.key === 'big')!;
    expect(tag.value.length).toBe(8000);
    expect(srv.proc.exitCode).toBeNull();

    // Decoding a 64 MiB body costs a few hundred MiB; it must not stay held once answered.
    let rss = rssMiB(pid);
    for (let i = 0; i < 40 && rss > idle + 120; i++) {
      await new Promise((r) => setTimeout(r, 250));
      rss = rssMiB(pid);
    }
    expect(rss, `idle ${idle.toFixed(0)} MiB, after ${rss.toFixed(0)} MiB`).toBeLessThanOrEqual(idle + 120);
  });
});

describe('request timeouts', () => {
  let srv: RunningServer;
  const port = () => srv.port;
  beforeAll(async () => {
    srv = await startServer([
      '--no-python',
      '--headers-timeout',
      '2',
      '--body-timeout',
      '2',
      '--idle-timeout',
      '3',
      '--keep-alive-timeout',
      '1',
    ]);
  });
  afterAll(async () => {
    expect(await srv.stop()).toBe(0);
  });

  it('answers 408 to a body sent too slowly and closes the connection', async () => {
    const s = connect(port(), '127.0.0.1');
    const done = closedWithin(s, 10_000);
    s.write(
      'POST /api/2.0/mlflow/runs/log-metric HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        'Content-Length: 1000\r\n\r\n{',
    );
    // One byte a second: never idle, never done.
    const drip = setInterval(() => s.writable && s.write(' '), 1000);
    const r = await done;
    clearInterval(drip);
    expect(r.closed).toBe(true);
    expect(r.data).toMatch(/^HTTP\/1\.1 408/);
    expect(r.data).toContain('--body-timeout');
    expect(r.ms).toBeLessThan(6000);
  });

  it('closes a connection whose client stops sending its body', async () => {
    const s = connect(port(), '127.0.0.1');
    const done = closedWithin(s, 10_000);
    s.write(
      'PUT /api/2.0/mlflow-artifacts/artifacts/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\nab',
    );
    const r = await done;
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(8000);
  });

  it('closes a connection whose headers never end, serving other clients meanwhile', async () => {
    // A slowloris: 20 connections each sending a header line every 500 ms, never the end.
    const sockets = Array.from({ length: 20 }, () => connect(port(), '127.0.0.1'));
    const done = sockets.map((s) => closedWithin(s, 10_000));
    for (const s of sockets) s.write('GET /health HTTP/1.1\r\nHost: localhost\r\n');
    const drip = setInterval(() => {
      for (const s of sockets) if (s.writable) s.write('X-A: b\r\n');
    }, 500);
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    const other = await fetch(`http://127.0.0.1:${port()}/api/2.0/mlflow/experiments/get?experiment_id=0`);
    const otherMs = Date.now() - t0;
    expect(other.status).toBe(200);
    const results = await Promise.all(done);
    clearInterval(drip);
    for (const r of results) {
      expect(r.closed).toBe(true);
      expect(r.ms).toBeLessThan(7000);
    }
    recordFigures('slow-clients', 'Slow clients (slowloris headers, bodies at 1 byte/s)', [
      ['20 connections whose headers never end: closed after', `${Math.max(...results.map((r) => r.ms))} ms at most`],
      ['another client served meanwhile in', `${otherMs} ms`],
    ]);
  });

  it('closes an idle keep-alive connection', async () => {
    const s = connect(port(), '127.0.0.1');
    const done = closedWithin(s, 10_000);
    s.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const r = await done;
    expect(r.data).toMatch(/^HTTP\/1\.1 200/);
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(5000);
  });

  it('still serves a slow but steady body within the timeout', async () => {
    const body = JSON.stringify({ experiment_id: '0', start_time: 1 });
    const s = connect(port(), '127.0.0.1');
    const done = closedWithin(s, 10_000);
    s.write(
      `POST /api/2.0/mlflow/runs/create HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    for (const part of [body.slice(0, 10), body.slice(10)]) {
      await new Promise((r) => setTimeout(r, 500));
      s.write(part);
    }
    const r = await done;
    expect(r.data).toMatch(/^HTTP\/1\.1 200/);
  });
});
