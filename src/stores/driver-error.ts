/**
 * The database driver's own text of an error, as Python's drivers print it inside MLflow messages:
 * sqlite3 gives the SQLite message; psycopg2 adds the server's DETAIL line. (SQLAlchemy's wrapping,
 * statement and parameters are not reproduced.)
 */
export function driverErrorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
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
  return (code === undefined || code === null || code === '') && PG_UNAVAILABLE.has(err.message);
}
