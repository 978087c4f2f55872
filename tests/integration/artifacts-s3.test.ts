import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import {
  CreateBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServer, TEST_PYTHON, type RunningServer } from './server-harness.js';

// A real S3 API on loopback: the moto server of the test venv, started and stopped here.
const CREDS = { AWS_ACCESS_KEY_ID: 'it', AWS_SECRET_ACCESS_KEY: 'it', AWS_DEFAULT_REGION: 'us-east-1' };

describe('artifacts on S3 (moto)', () => {
  let moto: ChildProcess;
  let endpoint: string;
  let s3: S3Client;
  let srv: RunningServer;

  beforeAll(async () => {
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    moto = spawn(TEST_PYTHON, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
      stdio: 'ignore',
    });
    for (let i = 0; ; i++) {
      try {
        await fetch(endpoint);
        break;
      } catch {
        if (i > 300) throw new Error('moto did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'it', secretAccessKey: 'it' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'it-bucket' }));
    srv = await startServer(['--no-python', '--artifacts-destination', 's3://it-bucket/root'], {
      env: {
        ...CREDS,
        MLFLOW_S3_ENDPOINT_URL: endpoint,
        MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE: String(5 * 1024 * 1024),
      },
    });
  }, 60_000);

  afterAll(async () => {
    await srv?.stop();
    s3?.destroy();
    moto?.kill('SIGTERM');
  });

  const keys = async (): Promise<string[]> =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: 'it-bucket' }))).Contents ?? []).map((o) => o.Key!);

  it('streams an upload through multipart and a download back, byte for byte', async () => {
    const body = Buffer.alloc(12 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    const put = await fetch(`${srv.base}/api/2.0/mlflow-artifacts/artifacts/big/w.bin`, {
      method: 'PUT',
      body,
    });
    expect(put.status).toBe(200);
    expect(await keys()).toContain('root/big/w.bin');
    const res = await fetch(`${srv.base}/api/2.0/mlflow-artifacts/artifacts/big/w.bin`);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=w.bin');
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
  });

  it('leaves no object and no open multipart upload when the client aborts mid-body', async () => {
    await new Promise<void>((resolve) => {
      const req = request(`${srv.base}/api/2.0/mlflow-artifacts/artifacts/aborted/x.bin`, {
        method: 'PUT',
        headers: { 'content-length': String(64 * 1024 * 1024) },
      });
      req.on('error', () => resolve());
      // More than one part, so the server has started a multipart upload, then drop the connection.
      req.write(Buffer.alloc(12 * 1024 * 1024, 7), () => setTimeout(() => (req.destroy(), resolve()), 500));
    });
    let open = 1;
    for (let i = 0; i < 100 && open > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      open = ((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'it-bucket' }))).Uploads ?? []).length;
    }
    expect(open).toBe(0);
    expect((await keys()).filter((k) => k.startsWith('root/aborted'))).toEqual([]);
  });
});
