import { Kysely, MysqlDialect } from 'kysely';
import type mysql from 'mysql2';
import { MYSQL_SCHEMA } from '../../../gen/sql/mysql.js';
import type { TrackingDatabase } from '../../tables.js';
import type { MysqlLocation } from '../../uri.js';
import type { StoreDialect } from '../dialect.js';
import { createMysqlPool, mysqlParams, type MysqlPoolOptions } from './connection.js';
import { mysqlRegistryOps } from './registry.js';
import { mysqlSql } from './sql.js';
import { mysqlTrackingOps } from './tracking.js';
import { MysqlUpsertPlugin } from './upserts.js';

/** Named lock that serializes schema creation across processes (GET_LOCK is per server). */
const SCHEMA_LOCK = 'mlflow_ts_schema';
const SCHEMA_LOCK_WAIT_S = 120;

const LIST_TABLES = `SELECT table_name AS table_name FROM information_schema.tables
  WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'`;

type Conn = mysql.PoolConnection;

function run<R = unknown>(
  conn: Conn | mysql.Pool,
  text: string,
  params: readonly unknown[] = [],
): Promise<R> {
  return new Promise((resolve, reject) => {
    conn.query(text, mysqlParams(params), (err, rows) => (err ? reject(err) : resolve(rows as R)));
  });
}

function getConnection(pool: mysql.Pool): Promise<Conn> {
  return new Promise((resolve, reject) => pool.getConnection((err, c) => (err ? reject(err) : resolve(c))));
}

/**
 * Opens a MySQL (or MariaDB) database through a mysql2 pool; see connection.ts for the session
 * settings. Kysely's MySQL compiler quotes identifiers with backticks; the shared code's upserts
 * (ON CONFLICT) are rewritten by MysqlUpsertPlugin.
 */
export async function openMysql(loc: MysqlLocation, opts: MysqlPoolOptions): Promise<StoreDialect> {
  const pool = await createMysqlPool(loc, opts);
  const writePool = await createMysqlPool(loc, opts, true);
  // An idle connection the server drops emits 'error' on the pool; the next query reconnects.
  pool.on('error' as 'connection', () => undefined);
  writePool.on('error' as 'connection', () => undefined);
  const db = new Kysely<TrackingDatabase>({
    dialect: new MysqlDialect({ pool }),
    plugins: [new MysqlUpsertPlugin()],
  });
  /**
   * The tables present once no other process is creating the schema: MySQL's DDL is not
   * transactional, so a process creating it (createSchemaIfEmpty, under the named lock) shows the
   * others half a schema; waiting for the lock first lets them see none or all of it.
   */
  const listTables = async (): Promise<string[]> => {
    const conn = await getConnection(pool);
    try {
      await run(conn, 'SELECT GET_LOCK(?, ?)', [SCHEMA_LOCK, SCHEMA_LOCK_WAIT_S]);
      try {
        return (await run<{ table_name: string }[]>(conn, LIST_TABLES)).map((r) => r.table_name);
      } finally {
        await run(conn, 'SELECT RELEASE_LOCK(?)', [SCHEMA_LOCK]).catch(() => undefined);
      }
    } finally {
      conn.release();
    }
  };
  const maxBindParams = 65535;

  return {
    name: 'mysql',
    db,
    sql: mysqlSql,
    registry: mysqlRegistryOps,
    tracking: mysqlTrackingOps(db, writePool, loc.database, maxBindParams),
    schemaStatements: MYSQL_SCHEMA,
    selectRows: async <R>(text: string, parameters: readonly unknown[]) => run<R[]>(pool, text, parameters),
    maxBindParams,
    rowLocks: true,
    writableCtes: false,
    listTables,
    /**
     * MySQL commits DDL as it runs, so creation cannot be one transaction: a named lock keeps a
     * second process out until the tables exist (it then finds them and verifies them instead).
     * Foreign keys are checked once every table exists, as the dump lists tables by name.
     */
    async createSchemaIfEmpty(statements) {
      const conn = await getConnection(pool);
      try {
        const [lock] = await run<{ got: number | null }[]>(conn, 'SELECT GET_LOCK(?, ?) AS got', [
          SCHEMA_LOCK,
          SCHEMA_LOCK_WAIT_S,
        ]);
        if (lock?.got !== 1)
          throw new Error('Timed out waiting for another process to create the MLflow schema.');
        try {
          const tables = (await run<{ table_name: string }[]>(conn, LIST_TABLES)).map((r) => r.table_name);
          if (tables.some((t) => !t.startsWith('alembic_'))) return false;
          // A failed earlier attempt may have left alembic_version behind (MLflow ignores it too).
          await run(conn, 'DROP TABLE IF EXISTS alembic_version');
          await run(conn, 'SET SESSION FOREIGN_KEY_CHECKS = 0');
          try {
            for (const stmt of statements) await run(conn, stmt);
          } finally {
            await run(conn, 'SET SESSION FOREIGN_KEY_CHECKS = 1');
          }
          return true;
        } finally {
          await run(conn, 'SELECT RELEASE_LOCK(?)', [SCHEMA_LOCK]).catch(() => undefined);
        }
      } finally {
        conn.release();
      }
    },
    async writeBlocker() {
      try {
        const [row] = await run<{ ro: number }[]>(pool, 'SELECT @@GLOBAL.read_only AS ro');
        return row && Number(row.ro) ? 'The MySQL database is read-only.' : undefined;
      } catch (err) {
        return `The MySQL database cannot be reached: ${(err as Error).message}`;
      }
    },
    bool: (value) => value,
    isUniqueViolation: (err) =>
      typeof err === 'object' && err !== null && 'errno' in err && (err as { errno: unknown }).errno === 1062,
    close: async () => {
      await db.destroy();
      await new Promise<void>((resolve) => writePool.end(() => resolve()));
    },
  };
}
