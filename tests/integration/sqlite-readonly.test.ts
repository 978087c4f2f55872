/**
 * A SQLite database that is read-only when the server starts: writes answer 503 (as MLflow's
 * OperationalError), `/ready` says why (503) while `/health` stays MLflow's "OK", and once the
 * file is writable again the next write succeeds without a restart (the connection, which SQLite
 * opened read-only, is reopened). Permissions do not bind root: as root the server runs as nobody.
 */
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores } from '../../src/stores/index.js';
import { startServer, type RunningServer } from './server-harness.js';

const asRoot = process.getuid?.() === 0;
const user = asRoot ? { uid: 65534, gid: 65534 } : undefined;

describe('SQLite database read-only at start', () => {
  let dir: string;
  let db: string;
  let srv: RunningServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlflow-ts-ro-'));
    db = join(dir, 'ro.db');
    const stores = await openStores(`sqlite:///${db}`, { defaultArtifactRoot: join(dir, 'artifacts') });
    await stores.close();
    if (user) chownSync(dir, user.uid, user.gid);
    if (user) chownSync(db, user.uid, user.gid);
    chmodSync(db, 0o444);
    srv = await startServer(['--no-python', '--backend-store-uri', `sqlite:///${db}`], user ? { user } : {});
  });
  afterAll(async () => {
    await srv?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const createRun = () =>
    fetch(`${srv.base}/api/2.0/mlflow/runs/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ experiment_id: '0', start_time: 1 }),
    });

  it('answers 503 to writes and says so on /ready, then recovers once the file is writable', async () => {
    const refused = await createRun();
    expect(refused.status).toBe(503);
    const body = (await refused.json()) as { error_code: string; message: string };
    expect(body.error_code).toBe('TEMPORARILY_UNAVAILABLE');
    expect(body.message).toContain('readonly');

    const notReady = await fetch(`${srv.base}/ready`);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { message: string }).message).toContain('read-only');
    // Liveness stays MLflow's answer.
    expect((await fetch(`${srv.base}/health`)).status).toBe(200);
    // Reads still work.
    expect((await fetch(`${srv.base}/api/2.0/mlflow/experiments/get?experiment_id=0`)).status).toBe(200);

    // As a user restores it (`chmod 644 ro.db*`): SQLite created the -wal / -shm files with the
    // read-only file's mode.
    for (const f of readdirSync(dir)) if (f.startsWith('ro.db')) chmodSync(join(dir, f), 0o644);
    const created = await createRun();
    expect(created.status, await created.clone().text()).toBe(200);
    expect((await fetch(`${srv.base}/ready`)).status).toBe(200);
    // Probed like /health: by orchestrators that send the pod's address as Host.
    const { request } = await import('undici');
    const probe = await request(`${srv.base}/ready`, { headers: { host: '10.1.2.3:5000' } });
    expect(probe.statusCode).toBe(200);
    await probe.body.text();
    const again = await createRun();
    expect(again.status).toBe(200);
  });
});
