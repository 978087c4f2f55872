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
