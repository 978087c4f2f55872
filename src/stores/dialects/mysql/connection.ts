/**
 * The mysql2 pool and what every new connection runs before its first query.
 *
 * - `NO_AUTO_VALUE_ON_ZERO` is added to the session's sql_mode: the Default experiment has id 0
 *   in an AUTO_INCREMENT column (MLflow sets the same mode around that one insert). The server's
 *   other modes (strict mode on a default MariaDB / MySQL) are kept.
 * - READ COMMITTED: InnoDB's default REPEATABLE READ takes gap and next-key locks on the ranges a
 *   write reads, which makes concurrent batches on one run deadlock each other; under READ
 *   COMMITTED only the rows written are locked. Every transaction here re-reads what it checks.
 * - `group_concat_max_len` at its maximum: MariaDB builds JSON_ARRAYAGG (a run's data, see sql.ts)
 *   on GROUP_CONCAT, which otherwise cuts the text at 1 MiB.
 */
import mysql from 'mysql2';
import type { MysqlLocation } from '../../uri.js';

const TWO_53 = 2 ** 53;
const TWO_63 = 2 ** 63;

/**
 * mysql2 writes a number into the query text as `String(n)`: beyond 2^53 that is a rounded
 * decimal or an exponent form ("9223372036854776000"), out of a BIGINT's range although the int64
 * the client sent is in range. Such integers are sent as their exact decimal (a BigInt), 2^63 (the
 * double nearest to 2^63-1) as int64's maximum; larger ones stay doubles.
 */
export function mysqlInt64Param(v: unknown): unknown {
  if (typeof v !== 'number' || !(v > TWO_53 || v < -TWO_53) || !Number.isInteger(v)) return v;
  // Beyond int64 the value is a double for a DOUBLE column (a metric near the largest double):
  // its integer digits would be read as a DECIMAL, which saturates at 65 digits.
  if (v > TWO_63 || v < -TWO_63) return v;
  return v === TWO_63 ? 9223372036854775807n : BigInt(v);
}

export function mysqlParams(params: readonly unknown[]): unknown[] {
  return params.some((v) => mysqlInt64Param(v) !== v) ? params.map(mysqlInt64Param) : [...params];
}

/**
 * Floating-point and DECIMAL results read with the engine's own parseFloat. mysql2's text-row
 * reader builds a number of up to 17 characters digit by digit as an integer and divides: past
 * 2^53 significant digits that integer is already rounded, so "9.988000000000001" (a percentile
 * MariaDB computed, or a metric value) would read as 9.988. PyMySQL reads float(text), exact.
 */
const EXACT_FLOATS: mysql.TypeCast = (field, next) => {
  if (field.type === 'DOUBLE' || field.type === 'FLOAT' || field.type === 'NEWDECIMAL') {
    const text = field.string('ascii');
    return text === null ? null : Number.parseFloat(text);
  }
  return next();
};

const SESSION_SETUP = [
  "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'NO_AUTO_VALUE_ON_ZERO')",
  'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
  'SET SESSION group_concat_max_len = 4294967295',
];

export interface MysqlPoolOptions {
  poolSize: number;
  timeoutMs: number;
  /** MLFLOW_MYSQL_SSL_CA / _CERT / _KEY (file paths), MLflow's connect_args. */
  ssl?: { ca?: string; cert?: string; key?: string };
}

type SslFiles = { ca?: string; cert?: string; key?: string; verifyCert?: boolean };

/** PyMySQL's ssl options (file paths) as mysql2's (contents). */
async function sslOptions(files: SslFiles | undefined): Promise<mysql.SslOptions | undefined> {
  if (!files) return undefined;
  const { readFile } = await import('node:fs/promises');
  const read = async (p: string | undefined) => (p ? await readFile(p, 'utf8') : undefined);
  const out: mysql.SslOptions = {};
  const [ca, cert, key] = await Promise.all([read(files.ca), read(files.cert), read(files.key)]);
  if (ca) out.ca = ca;
  if (cert) out.cert = cert;
  if (key) out.key = key;
  // PyMySQL verifies the server's certificate when a CA is given (ssl_verify_cert defaults on then).
  out.rejectUnauthorized = files.verifyCert ?? Boolean(ca);
  return out;
}

/**
 * A pool of connections with this store's session settings. `multipleStatements`: connections that
 * take several statements in one query (the metric write path's one round trip, tracking.ts); the
 * store's other queries go through a pool without it, so no query text could ever stack a second
 * statement there (every value is escaped by mysql2 in both).
 */
export async function createMysqlPool(
  loc: MysqlLocation,
  opts: MysqlPoolOptions,
  multipleStatements = false,
): Promise<mysql.Pool> {
  const ssl = await sslOptions(loc.ssl || opts.ssl ? { ...opts.ssl, ...loc.ssl } : undefined);
  const pool = mysql.createPool({
    host: loc.host,
    port: loc.port,
    user: loc.user,
    password: loc.password,
    database: loc.database,
    socketPath: loc.socketPath,
    charset: loc.charset.toUpperCase(),
    ssl,
    connectionLimit: opts.poolSize,
    waitForConnections: true,
    connectTimeout: loc.connectTimeoutS !== undefined ? loc.connectTimeoutS * 1000 : opts.timeoutMs,
    // BIGINT columns (timestamps, steps) as numbers, as on PostgreSQL: MLflow's values fit in
    // 2^53 and the wire format carries them as JSON numbers anyway.
    supportBigNumbers: false,
    decimalNumbers: true,
    typeCast: EXACT_FLOATS,
    dateStrings: true,
    jsonStrings: true,
    enableKeepAlive: true,
    multipleStatements,
  });
  pool.on('connection', (conn) => {
    for (const stmt of SESSION_SETUP) conn.query(stmt, () => undefined);
    exactInt64Parameters(conn);
  });
  return pool;
}

/** Wraps a connection's query(sql, values, cb) so int64 values travel exactly (Kysely's path). */
function exactInt64Parameters(conn: mysql.PoolConnection): void {
  const query = conn.query.bind(conn) as (...args: unknown[]) => unknown;
  (conn as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    if (Array.isArray(args[1])) args[1] = mysqlParams(args[1]);
    return query(...args);
  };
}
