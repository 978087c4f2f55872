import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { POSTGRES_SCHEMA } from '../../../gen/sql/postgres.js';
import type { TrackingDatabase } from '../../tables.js';
import type { StoreDialect } from '../dialect.js';
import { exactInt64Parameters, pgArrayLiteral, pgInt64Param } from './params.js';
import { sessionBounds, setUpSession } from './session.js';
import { postgresSql } from './sql.js';
import { postgresRegistryOps } from './registry.js';
import { postgresTrackingOps } from './tracking.js';

/**
 * int8 columns (timestamps, steps) are parsed to numbers: MLflow's values fit in 2^53 and the wire
 * format carries them as JSON numbers anyway.
 */
const INT8_OID = 20;
/** Arbitrary fixed key for the advisory lock that serializes schema creation across processes. */
const SCHEMA_LOCK_KEY = 7_305_233_871;

/**
 * Connections run without parallel workers (`max_parallel_workers_per_gather = 0`, session.ts):
 * this server's statements are short, index-driven queries served concurrently, where a worker's
 * start-up (a process with cold caches) costs more CPU than it saves. PostgreSQL planned one for
 * searchRuns' page query on 10k runs because it underestimates a param filter's rows ~20x; serial
 * plans cut that statement's PostgreSQL CPU ~85 -> ~70 ms. Set per new connection with SET; a
 * startup `options` parameter would be refused by poolers such as PgBouncer.
 */
export function openPostgres(connectionString: string, poolSize = 10, timeoutMs = 30_000): StoreDialect {
  const bounds = sessionBounds(timeoutMs);
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    connectionTimeoutMillis: bounds.connectTimeoutMs,
    query_timeout: bounds.queryTimeoutMs,
    onConnect: (client: pg.ClientBase) => setUpSession(client, bounds),
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8_OID
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle pooled connection that the server drops (restart, failover) emits 'error' on the pool;
  // without a listener that would crash the process. The next query gets a fresh connection, and
  // a query in flight fails with the driver's error (TEMPORARILY_UNAVAILABLE for clients).
  pool.on('error', () => undefined);
  pool.on('connect', exactInt64Parameters);
  const db = new Kysely<TrackingDatabase>({ dialect: new PostgresDialect({ pool }) });

  const listTables = async (): Promise<string[]> => {
    const res = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`.execute(db);
    return res.rows.map((r) => r.table_name);
  };

  // A named statement is parsed and planned once per connection; arrays travel as one array
  // literal and int64 values beyond 2^53 exactly (pgArrayLiteral, pgInt64Param).
  const runPrepared = async <R>(name: string, text: string, values: readonly unknown[]): Promise<R[]> =>
    (
      await pool.query({
        name,
        text,
        values: values.map((v) => (Array.isArray(v) ? pgArrayLiteral(v) : pgInt64Param(v))),
      })
    ).rows as R[];

  return {
    name: 'postgresql',
    db,
    sql: postgresSql,
    registry: postgresRegistryOps,
    tracking: postgresTrackingOps(db, runPrepared),
    schemaStatements: POSTGRES_SCHEMA,
    selectRows: async <R>(text: string, parameters: readonly unknown[], name?: string) =>
      name === undefined
        ? ((await pool.query(text, parameters as unknown[])).rows as R[])
        : runPrepared<R>(name, text, parameters),
    maxBindParams: 65535,
    rowLocks: true,
    writableCtes: true,
    listTables,
    async createSchemaIfEmpty(statements) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
        const tables = await client.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables
           WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
        );
        if (tables.rows.some((r) => !r.table_name.startsWith('alembic_'))) {
          await client.query('ROLLBACK');
          return false;
        }
        // A failed earlier attempt may have left alembic_version behind (MLflow ignores it too).
        await client.query('DROP TABLE IF EXISTS alembic_version');
        // One simple-protocol round trip: the statements carry no parameters.
        await client.query(statements.join(';\n'));
        await client.query('COMMIT');
        return true;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async writeBlocker() {
      try {
        const { rows } = await pool.query<{ ro: string }>(
          "SELECT current_setting('transaction_read_only') AS ro",
        );
        return rows[0]?.ro === 'on' ? 'The PostgreSQL database is read-only.' : undefined;
      } catch (err) {
        return `The PostgreSQL database cannot be reached: ${(err as Error).message}`;
      }
    },
    bool: (value) => value,
    isUniqueViolation: (err) =>
      typeof err === 'object' && err !== null && 'code' in err && err.code === '23505',
    close: () => db.destroy(),
  };
}
