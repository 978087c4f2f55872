// The MySQL (MariaDB) side of the benchmark: one throwaway server (scripts/mysql.sh), a database per
// system, recreated from a template database (created by MLflow's own migrations) before each
// scenario; MySQL has no CREATE DATABASE ... TEMPLATE, so the template is copied with mariadb-dump.
import { execSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import type { DbRow } from './json.js';

export class MysqlAdmin {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  constructor(public base: string) {
    const u = new URL(base);
    this.host = u.hostname;
    this.port = Number(u.port || 3306);
    this.user = decodeURIComponent(u.username || 'root');
  }
  /** mlflow-ts's URI of a database. */
  url(db: string) {
    return `${this.base}/${db}`;
  }
  async q<T extends object = DbRow>(sql: string, params: unknown[] = [], db?: string): Promise<T[]> {
    const c = await mysql.createConnection({ host: this.host, port: this.port, user: this.user, database: db });
    try {
      return (await c.query(sql, params))[0] as T[];
    } finally {
      await c.end();
    }
  }
  async exists(db: string): Promise<boolean> {
    return (await this.q('SELECT 1 FROM information_schema.schemata WHERE schema_name = ?', [db])).length > 0;
  }
  async drop(db: string) {
    await this.q(`DROP DATABASE IF EXISTS \`${db}\``);
  }
  /** An empty database, or a copy of `template` (schema and rows). */
  async create(db: string, template?: string) {
    await this.drop(db);
    await this.q(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4`);
    if (template) {
      const conn = `--no-defaults -h ${this.host} -P ${this.port} -u ${this.user}`;
      execSync(
        `mariadb-dump ${conn} --single-transaction --skip-comments --routines --triggers ${template} | mariadb ${conn} ${db}`,
        { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 },
      );
    }
  }
  async analyze(db: string) {
    const tables = await this.q<{ t: string }>(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'",
      [db],
    );
    if (tables.length) await this.q(`ANALYZE TABLE ${tables.map((r) => `\`${r.t}\``).join(', ')}`, [], db);
  }
}
