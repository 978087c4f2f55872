import { reprStr } from '../py/repr.js';

/**
 * The database driver's own text of an error, as Python's drivers print it inside MLflow messages:
 * sqlite3 gives the SQLite message; psycopg2 adds the server's DETAIL line; PyMySQL prints its
 * exception's args, `(errno, 'message')`. (SQLAlchemy's wrapping, statement and parameters are
 * not reproduced.)
 */
export function driverErrorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const mysql = mysqlErrno(err);
  if (mysql !== undefined) {
    return `(${mysql}, ${reprStr((err as { sqlMessage?: string }).sqlMessage ?? err.message)})`;
  }
  const detail = (err as { detail?: unknown }).detail;
  return typeof detail === 'string' && detail ? `${err.message}\nDETAIL:  ${detail}` : err.message;
}

/**
 * pg's own connection failures, which carry no SQLSTATE: the server went away mid-query
 * ("Connection terminated unexpectedly", e.g. `pg_ctl stop -m immediate`), a connection or an
 * answer did not come in time. MLflow reports a lost connection (psycopg2's OperationalError) as
 * TEMPORARILY_UNAVAILABLE; so do these.
 */
const PG_UNAVAILABLE = new Set([
  'Connection terminated',
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Query read timeout',
]);

export function isConnectionLoss(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  // mysql2's own failures of a connection (the server went away, a handshake or answer timed out).
  if (typeof code === 'string' && /^PROTOCOL_/.test(code)) return true;
  return (code === undefined || code === null || code === '') && PG_UNAVAILABLE.has(err.message);
}

/** The server's error number of a mysql2 error (which carries `errno` and `sqlMessage`). */
export function mysqlErrno(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { errno?: unknown; sqlMessage?: unknown };
  return typeof e.errno === 'number' && typeof e.sqlMessage === 'string' ? e.errno : undefined;
}

/**
 * The MySQL server errors PyMySQL raises as something other than OperationalError
 * (ProgrammingError, DataError, IntegrityError, NotSupportedError: pymysql/err.py's table).
 * PyMySQL raises every other server error numbered 1000 and up as OperationalError, which MLflow
 * answers as TEMPORARILY_UNAVAILABLE.
 */
const MYSQL_NOT_OPERATIONAL = new Set([
  1007, 1048, 1062, 1064, 1102, 1103, 1110, 1111, 1112, 1113, 1146, 1149, 1166, 1171, 1179, 1196, 1215, 1216,
  1217, 1230, 1235, 1263, 1264, 1265, 1286, 1289, 1366, 1367, 1406, 1441, 1451, 1452,
]);

/** Whether PyMySQL would raise this server error as OperationalError. */
export function isMysqlOperational(errno: number): boolean {
  return errno >= 1000 && !MYSQL_NOT_OPERATIONAL.has(errno);
}
