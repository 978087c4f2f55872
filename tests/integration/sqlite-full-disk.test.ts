/**
 * SQLite on a full disk: the database sits on a small tmpfs that a filler file fills up under a
 * running server. Writes then answer 503 TEMPORARILY_UNAVAILABLE ("database or disk is full", as
 * MLflow's OperationalError), reads keep working, nothing half-written is left: once space is freed
 * the next write succeeds without a restart, `PRAGMA integrity_check` is ok and every acknowledged
 * write is there. Needs a tmpfs mount (root with CAP_SYS_ADMIN); skipped where it cannot mount.
 * Figures: docs/faults/sqlite-full-disk.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFigures } from '../helpers/fault-figures.js';
import { startServer, type RunningServer } from './server-harness.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'mlflow-ts-full-'));
const mounted =
  process.getuid?.() === 0 &&
  spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', mountPoint]).status === 0;

describe.skipIf(!mounted)('SQLite on a full disk', () => {
  let srv: RunningServer;
  let runId: string;
  const db = join(mountPoint, 'mlflow.db');
  const filler = join(mountPoint, 'filler');

  const post = (path: string, body: unknown) =>
    fetch(`${srv.base}/api/2.0/mlflow/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  /** One batch of 100 params of 2 kB each (about 200 kB of rows). */
  const batch = (i: number) =>
    post('runs/log-batch', {
      run_id: runId,
      params: Array.from({ length: 100 }, (_, k) => ({ key: `p${i}_${k}`, value: 'x'.repeat(2000) })),
    });

  beforeAll(async () => {
    srv = await startServer(['--no-python', '--backend-store-uri', `sqlite:///${db}`, '--default-artifact-root', join(tmpdir(), 'mlflow-ts-full-art')]);
    const res = await post('runs/create', { experiment_id: '0', start_time: 1 });
    runId = ((await res.json()) as { run: { info: { run_id: string } } }).run.info.run_id;
  });
  afterAll(async () => {
    await srv?.stop();
    spawnSync('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('answers 503 while the disk is full, corrupts nothing, and writes again once there is space', async () => {
    const acked: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect((await batch(i)).status).toBe(200);
      acked.push(i);
    }
    // Fill what is left of the file system (dd stops at ENOSPC).
    spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k']);
    const refused: { status: number; code: string; message: string }[] = [];
    for (let i = 5; i < 40; i++) {
      const res = await batch(i);
      if (res.status === 200) {
        acked.push(i); // the last free pages of the file system
        continue;
      }
      const body = (await res.json()) as { error_code: string; message: string };
      refused.push({ status: res.status, code: body.error_code, message: body.message });
    }
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.status).toBe(503);
      expect(r.code).toBe('TEMPORARILY_UNAVAILABLE');
      expect(r.message).toMatch(/disk is full|database or disk is full|SQLITE_FULL/i);
    }
    // Reads keep working.
    expect((await fetch(`${srv.base}/api/2.0/mlflow/runs/get?run_id=${runId}`)).status).toBe(200);

    rmSync(filler);
    const freed = Date.now();
    const after = await batch(100);
    expect(after.status).toBe(200);
    acked.push(100);
    const recoveredMs = Date.now() - freed;

    const run = (await (await fetch(`${srv.base}/api/2.0/mlflow/runs/get?run_id=${runId}`)).json()) as {
      run: { data: { params?: { key: string }[] } };
    };
    const keys = new Set((run.run.data.params ?? []).map((p) => p.key));
    const missing = acked.filter((i) => !keys.has(`p${i}_0`) || !keys.has(`p${i}_99`));
    expect(missing).toEqual([]);
    // A refused batch left no part of itself (all-or-nothing).
    const partial = [...keys].filter((k) => !acked.includes(Number(k.slice(1).split('_')[0])));
    expect(partial).toEqual([]);

    const check = new Database(db, { readonly: true });
    const integrity = check.pragma('integrity_check', { simple: true });
    check.close();
    expect(integrity).toBe('ok');
    const used = execFileSync('df', ['-k', '--output=used', mountPoint], { encoding: 'utf8' }).split('\n')[1]!.trim();
    recordFigures('sqlite-full-disk', 'SQLite on a full disk (a 12 MiB tmpfs filled under the server)', [
      ['batches acknowledged', acked.length],
      ['batches refused while full', `${refused.length}, all 503 TEMPORARILY_UNAVAILABLE`],
      ['refusal message', refused[0]!.message.slice(0, 80)],
      ['acknowledged batches missing afterwards', missing.length],
      ['params of refused batches found afterwards', partial.length],
      ['PRAGMA integrity_check', String(integrity)],
      ['first write after the space was freed', `${recoveredMs} ms (no restart)`],
      ['file system used at the end', `${used} KiB`],
    ]);
  });
});
