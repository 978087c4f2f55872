// Database administration for the benchmark: one PostgreSQL cluster, a database per system
// recreated from a template before each scenario; SQLite files copied from a template file.
import pg from 'pg';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import type { DbRow } from './json.js';

export class PgAdmin {
  constructor(public base: string) {}
  url(db: string) {
    return `${this.base}/${db}`;
  }
  async q<T extends object = DbRow>(sql: string, params: unknown[] = [], db = 'postgres'): Promise<T[]> {
    const c = new pg.Client({ connectionString: this.url(db) });
    await c.connect();
    try {
      return (await c.query<T>(sql, params)).rows;
    } finally {
      await c.end();
    }
  }
  /** `n` connected clients to `db`, one per concurrent worker of a floor. */
  async connectAll(db: string, n: number): Promise<pg.Client[]> {
    return Promise.all(
      Array.from({ length: n }, async () => {
        const c = new pg.Client({ connectionString: this.url(db) });
        await c.connect();
        return c;
      }),
    );
  }
  async exists(db: string): Promise<boolean> {
    return (await this.q('SELECT 1 FROM pg_database WHERE datname = $1', [db])).length > 0;
  }
  async drop(db: string) {
    await this.q(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [db],
    );
    await this.q(`DROP DATABASE IF EXISTS "${db}"`);
  }
  async create(db: string, template?: string) {
    await this.drop(db);
    if (template)
      await this.q('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [template]);
    await this.q(`CREATE DATABASE "${db}"${template ? ` TEMPLATE "${template}"` : ''}`);
  }
  async vacuumAnalyze(db: string) {
    await this.q('VACUUM ANALYZE', [], db);
  }
}

/** Creates MLflow's schema (as the given MLflow version's server would on first start). */
export function createMlflowSchema(python: string, uri: string, artifactDir: string) {
  execFileSync(
    python,
    [
      '-c',
      'import sys\nfrom mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore\nSqlAlchemyStore(sys.argv[1], sys.argv[2])',
      uri,
      artifactDir,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, MLFLOW_SQLALCHEMYSTORE_ECHO: 'false' },
    },
  );
}

export function copySqlite(template: string, file: string) {
  for (const ext of ['', '-wal', '-shm', '-journal']) if (existsSync(file + ext)) rmSync(file + ext);
  copyFileSync(template, file);
}

export function sqliteRows<T extends object = DbRow>(file: string, sql: string, params: unknown[] = []): T[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    return db.prepare<unknown[], T>(sql).all(...params);
  } finally {
    db.close();
  }
}
