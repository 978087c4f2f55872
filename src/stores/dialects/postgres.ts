import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { POSTGRES_SCHEMA } from '../../gen/sql/postgres.js';
import type { TrackingDatabase } from '../tables.js';
import type { StoreDialect } from './dialect.js';
import { sessionBounds, setUpSession } from './postgres-session.js';

const INT8_OID = 20;
/** Arbitrary fixed key for the advisory lock that serializes schema creation across processes. */
const SCHEMA_LOCK_KEY = 7_305_233_871;

/**
 * Opens a PostgreSQL pool. int8 columns (timestamps, steps) are parsed to numbers: MLflow's values
 * fit in 2^53 and the wire format carries them as JSON numbers anyway.
 */
const TWO_53 = 2 ** 53;
const TWO_63 = 2 ** 63;

/**
 * The driver sends a number as `String(n)`: beyond 2^53 that is a rounded decimal
 * (`-2**63` becomes "-9223372036854776000"), which PostgreSQL refuses for a BIGINT although the
 * value, and the int64 the client wrote, are in range. Such integers are sent as their exact
 * decimal instead; 2^63 itself (the double nearest to 2^63-1, which a client may send: larger
 * literals are refused by the codec) as int64's maximum. For a DOUBLE PRECISION column both
 * spellings read back as the same double.
 */
export function pgInt64Param(v: unknown): unknown {
  if (typeof v !== 'number' || !(v > TWO_53 || v < -TWO_53) || !Number.isInteger(v)) return v;
  return v === TWO_63 ? '9223372036854775807' : BigInt(v).toString();
}

function exactInt64Parameters(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const params = args[1];
    if (Array.isArray(params) && params.some((v) => pgInt64Param(v) !== v)) {
      args[1] = params.map(pgInt64Param);
    }
    return query(...args);
  };
}

const NEEDS_ESCAPE = /["\\]/;

/**
 * An array parameter as PostgreSQL's array literal, built with one native join (the driver's
 * generic encoder costs several calls per element, which adds up for 1000-row unnest inputs).
 * Arrays of numbers (through pgInt64Param), strings or booleans; anything else (nulls, mixed
 * types) is left to the driver.
 */
export function pgArrayLiteral(values: readonly unknown[]): unknown {
  const n = values.length;
  if (n === 0) return '{}';
  const kind = typeof values[0];
  let special = false;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (typeof x !== kind) return values.map(pgInt64Param);
    if (
      kind === 'number'
        ? (x as number) > TWO_53 || (x as number) < -TWO_53
        : kind === 'string' && NEEDS_ESCAPE.test(x as string)
    ) {
      special = true;
    }
  }
  if (kind === 'number') return `{${(special ? values.map(pgInt64Param) : values).join(',')}}`;
  if (kind === 'boolean') return `{${values.map((x) => (x ? 't' : 'f')).join(',')}}`;
  if (kind !== 'string') return values.map(pgInt64Param);
  const strings = special
    ? values.map((x) => (x as string).replace(/["\\]/g, '\\$&'))
    : (values as readonly string[]);
  return `{"${strings.join('","')}"}`;
}

/**
 * Connections run without parallel workers (`max_parallel_workers_per_gather = 0`, postgres-session.ts):
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
    schemaStatements: POSTGRES_SCHEMA,
    supportsRowLocks: true,
    selectRows: async <R>(text: string, parameters: readonly unknown[], name?: string) =>
      name === undefined
        ? ((await pool.query(text, parameters as unknown[])).rows as R[])
        : runPrepared<R>(name, text, parameters),
    runPrepared,
    maxBindParams: 65535,
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
