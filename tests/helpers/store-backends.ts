/**
 * Test backends for the store / tracking integration tests: a fresh SQLite file, and (when
 * MLFLOW_TS_TEST_PG_URL / MLFLOW_TS_TEST_MYSQL_URL are set) a fresh PostgreSQL / MySQL database
 * per call. In CI (CI=true) a missing URL is an error, never a skip.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';

export type BackendName = 'sqlite' | 'postgresql' | 'mysql';

export interface TestBackend {
  name: BackendName;
  /** A URI for mlflow-ts. */
  uri: string;
  /** The same database as SQLAlchemy (Python MLflow) spells it. */
  pythonUri: string;
  drop(): Promise<void>;
}

const PG_URL = process.env.MLFLOW_TS_TEST_PG_URL;
if (!PG_URL && process.env.CI === 'true') {
  throw new Error('MLFLOW_TS_TEST_PG_URL must be set in CI: the PostgreSQL tests may not be skipped');
}

const MYSQL_URL = process.env.MLFLOW_TS_TEST_MYSQL_URL;
if (!MYSQL_URL && process.env.CI === 'true') {
  throw new Error('MLFLOW_TS_TEST_MYSQL_URL must be set in CI: the MySQL tests may not be skipped');
}

export const pgAvailable = Boolean(PG_URL);
export const mysqlAvailable = Boolean(MYSQL_URL);
export const backendNames: BackendName[] = [
  'sqlite',
  ...(pgAvailable ? (['postgresql'] as const) : []),
  ...(mysqlAvailable ? (['mysql'] as const) : []),
];

export const PYTHON = process.env.MLFLOW_TS_PYTHON ?? resolve(process.cwd(), '.venv/bin/python');

/** A fresh database on the test MySQL server (scripts/mysql.sh prints its base URL). */
async function newMysqlBackend(label: string): Promise<TestBackend> {
  const base = MYSQL_URL!.replace(/\/+$/, '');
  const db = `h3_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  const admin = async (stmt: string) => {
    const c = await mysql.createConnection(base);
    try {
      await c.query(stmt);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4`);
  const url = `${base}/${db}`;
  return {
    name: 'mysql',
    uri: url,
    pythonUri: url.replace(/^mysql:\/\//, 'mysql+pymysql://'),
    drop: () => admin(`DROP DATABASE IF EXISTS \`${db}\``),
  };
}

export async function newBackend(name: BackendName, label = 'store'): Promise<TestBackend> {
  if (name === 'mysql') return newMysqlBackend(label);
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `mlflow-ts-${label}-`));
    const file = join(dir, 'mlflow.db');
    return {
      name,
      uri: `sqlite:///${file}`,
      pythonUri: `sqlite:///${file}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const base = PG_URL!.replace(/\/+$/, '');
  const db = `h3_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${db}"`);
  await admin.end();
  const url = `${base}/${db}`;
  return {
    name,
    uri: url,
    pythonUri: url.replace(/^postgresql:\/\//, 'postgresql+psycopg2://'),
    drop: async () => {
      const c = new pg.Client({ connectionString: `${base}/postgres` });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Runs a Python helper with the pinned MLflow; returns stdout parsed as JSON. */
export function runPython(script: string, args: string[], input?: string): unknown {
  const res = spawnSync(PYTHON, [resolve(process.cwd(), 'tests/helpers', script), ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, MLFLOW_TRACKING_URI: '' },
  });
  if (res.status !== 0) throw new Error(`${script} failed (${res.status}): ${res.stderr}`);
  return JSON.parse(res.stdout);
}

/** Runs `mlflow db upgrade` of the pinned release on a database. */
export function mlflowDbUpgrade(pythonUri: string): void {
  const mlflowBin = resolve(PYTHON, '..', 'mlflow');
  const res = spawnSync(mlflowBin, ['db', 'upgrade', pythonUri], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`mlflow db upgrade failed: ${res.stderr}`);
}
