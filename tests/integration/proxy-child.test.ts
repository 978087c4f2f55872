import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFigures } from '../helpers/fault-figures.js';
import { TEST_PYTHON, groupMembers, startServer, type RunningServer } from './server-harness.js';

const INVALID_HOST = 'Invalid Host header - possible DNS rebinding attack detected';

function childPids(out: string): number[] {
  return [...out.matchAll(/"childPid":(\d+)[^\n]*Python MLflow child is up/g)].map((m) => Number(m[1]));
}

/** SIGKILLed processes take a moment to vanish on a loaded machine. */
async function expectGroupGone(pgid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await groupMembers(pgid)).length > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  expect(await groupMembers(pgid)).toEqual([]);
}

function rssKb(pid: number): number {
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
}

/** `size` bytes of deterministic data, produced on the fly in 1 MiB chunks. */
function generated(size: number, hash: ReturnType<typeof createHash>, delayMs = 0): Readable {
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
  let sent = 0;
  return new Readable({
    async read() {
      if (sent >= size) return this.push(null);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const n = Math.min(chunk.length, size - sent);
      const part = n === chunk.length ? chunk : chunk.subarray(0, n);
      hash.update(part);
      sent += n;
      this.push(part);
    },
  });
}

/** A proxied request: listing an experiment's scorers is still the Python child's. */
const SEARCH = '/api/3.0/mlflow/scorers/list?experiment_id=0';
const EXPERIMENT_0 = { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '0' } };
const searchInit = {
  method: 'GET' as const,
  headers: {} as Record<string, string>,
};
const traceBody = (traceId: string, name: string) =>
  JSON.stringify({
    trace: {
      trace_info: {
        trace_id: traceId,
        trace_location: EXPERIMENT_0,
        request_time: '2026-01-01T00:00:00Z',
        state: 'OK',
        tags: { 'mlflow.traceName': name },
      },
    },
  });

describe('mlflow-ts server with the pinned Python MLflow as the child', () => {
  let srv: RunningServer;
  const traceId = `tr-${'0123456789abcdef'.repeat(2)}`;
  beforeAll(async () => {
    srv = await startServer(['--python', TEST_PYTHON, '--shutdown-timeout', '30'], {
      ready: /Python MLflow child is up/,
      timeoutMs: 240_000,
    });
  }, 250_000);
  afterAll(async () => {
    await srv?.stop();
    if (srv) rmSync(srv.dir, { recursive: true, force: true });
  });

  it('serves the UI index page through the proxy', async () => {
    const res = await request(`${srv.base}/`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(typeof res.headers.date).toBe('string'); // exactly one Date header
    expect((await res.body.text()).toLowerCase()).toContain('<!doctype html>');
  });

  it('proxies a non-native RPC both ways', async () => {
    const created = await request(`${srv.base}/api/3.0/mlflow/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: traceBody(traceId, 'proxied-trace'),
    });
    expect(created.statusCode).toBe(200);
    const trace = ((await created.body.json()) as { trace: { trace_info: { trace_id: string } } }).trace;
    expect(trace.trace_info.trace_id).toBe(traceId);
    // startTraceV3 and trace reads are native; a scorer listing still goes through the child.
    const got = await request(`${srv.base}/api/3.0/mlflow/traces/batchGetInfos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ trace_ids: [traceId] }),
    });
    expect(got.statusCode).toBe(200);
    await got.body.dump();
    const listed = await request(`${srv.base}${SEARCH}`, searchInit);
    expect(listed.statusCode).toBe(200);
    expect(await listed.body.json()).not.toHaveProperty('error_code');
    const missing = await request(`${srv.base}/api/3.0/mlflow/traces/tr-nope`);
    expect(missing.statusCode).toBe(404);
    expect(((await missing.body.json()) as { error_code: string }).error_code).toBe(
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it('applies the security middleware to proxied routes as the pinned server does', async () => {
    const bad = await request(`${srv.base}${SEARCH}`, {
      ...searchInit,
      headers: { ...searchInit.headers, host: 'evil.example.com' },
    });
    expect(bad.statusCode).toBe(403);
    expect(bad.headers['content-type']).toBe('text/plain');
    expect(await bad.body.text()).toBe(INVALID_HOST);
    const cross = await request(`${srv.base}/api/3.0/mlflow/traces`, {
      method: 'POST',
      headers: { origin: 'https://evil.example.com', 'content-type': 'application/json' },
      body: traceBody(`tr-${'f'.repeat(32)}`, 'evil'),
    });
    expect(cross.statusCode).toBe(403);
    expect(await cross.body.text()).toBe('Cross-origin request blocked');
    // A Host we accept but the child would not (it only knows 127.0.0.1:<its port>) still works.
    const viaName = await request(`${srv.base}${SEARCH}`, {
      ...searchInit,
      headers: { ...searchInit.headers, host: `localhost:${srv.port}` },
    });
    expect(viaName.statusCode).toBe(200);
    await viaName.body.dump();
    const options = await request(`${srv.base}${SEARCH}`, { method: 'OPTIONS' });
    expect(options.statusCode).toBe(204);
    await options.body.dump();
  });

  it('streams a 200 MB artifact up and down with bounded memory', async () => {
    const size = 200 * 1024 * 1024;
    const pid = srv.proc.pid!;
    const baseline = rssKb(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKb(pid))), 100);
    try {
      const upHash = createHash('sha256');
      const up = await request(`${srv.base}/api/2.0/mlflow-artifacts/artifacts/big/blob.bin`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
        body: generated(size, upHash),
      });
      expect(up.statusCode).toBe(200);
      await up.body.dump();
      const down = await request(`${srv.base}/api/2.0/mlflow-artifacts/artifacts/big/blob.bin`);
      expect(down.statusCode).toBe(200);
      const downHash = createHash('sha256');
      let bytes = 0;
      for await (const c of down.body) {
        downHash.update(c as Buffer);
        bytes += (c as Buffer).length;
      }
      expect(bytes).toBe(size);
      expect(downHash.digest('hex')).toBe(upHash.digest('hex'));
    } finally {
      clearInterval(sampler);
    }
    // Buffering the body anywhere would add at least its 200 MB.
    expect(peak - baseline).toBeLessThan(100 * 1024);
  }, 180_000);

  it('answers 503 within a second when the child dies, keeps native routes up, and recovers', async () => {
    const [pgid] = childPids(srv.output()).slice(-1);
    expect(pgid).toBeGreaterThan(0);
    process.kill(-pgid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    const res = await request(`${srv.base}${SEARCH}`, searchInit);
    const elapsed = Date.now() - t0;
    expect(res.statusCode).toBe(503);
    expect(((await res.body.json()) as { error_code: string }).error_code).toBe('TEMPORARILY_UNAVAILABLE');
    expect(elapsed).toBeLessThan(1000);
    const native = await request(`${srv.base}/api/2.0/mlflow/experiments/get?experiment_id=0`);
    expect(native.statusCode).toBe(200);
    await native.body.dump();
    await expectGroupGone(pgid!);
    const deadline = Date.now() + 180_000;
    for (;;) {
      const r = await request(`${srv.base}${SEARCH}`, searchInit); // a route the child serves
      await r.body.dump();
      if (r.statusCode === 200) break;
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r2) => setTimeout(r2, 500));
    }
    expect(childPids(srv.output()).length).toBe(2);
    recordFigures('child-killed', 'The Python child killed (SIGKILL to its process group)', [
      ['a proxied request right after the kill', `503 TEMPORARILY_UNAVAILABLE in ${elapsed} ms`],
      ['native routes meanwhile', `${native.statusCode}`],
      ['proxied routes served again after', `${Date.now() - t0} ms (the child restarted by mlflow-ts)`],
    ]);
  }, 200_000);

  it('drains in-flight requests on SIGTERM and leaves no process behind', async () => {
    const [pgid] = childPids(srv.output()).slice(-1);
    const size = 8 * 1024 * 1024;
    const hash = createHash('sha256');
    // ~2.5 s of upload: SIGTERM lands in the middle of it.
    const slow = request(`${srv.base}/api/2.0/mlflow-artifacts/artifacts/slow/blob.bin`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body: generated(size, hash, 300),
    });
    const quick = Array.from({ length: 5 }, () => request(`${srv.base}${SEARCH}`, searchInit));
    await new Promise((r) => setTimeout(r, 800));
    srv.proc.kill('SIGTERM');
    const results = await Promise.all([slow, ...quick]);
    for (const r of results) {
      expect(r.statusCode).toBe(200);
      await r.body.dump();
    }
    expect(await srv.exited).toBe(0);
    await expectGroupGone(pgid!);
    expect(srv.output()).toContain('stopped');
  }, 120_000);
});
