import { MlflowError } from '../errors/mlflow-error.js';
import { driverErrorMessage, isConnectionLoss, isMysqlOperational, mysqlErrno } from '../stores/driver-error.js';
import { mapStreamedErrors } from './streamed.js';

/**
 * How MLflow's ManagedSessionMaker reports database failures: OperationalError (locked database,
 * lost connection) -> TEMPORARILY_UNAVAILABLE, any other SQLAlchemyError -> BAD_REQUEST, both with
 * the driver's message. MlflowErrors and programming errors pass through unchanged.
 */
export function translateDbError(err: unknown): unknown {
  if (isConnectionLoss(err)) return new MlflowError((err as Error).message, 'TEMPORARILY_UNAVAILABLE');
  if (err instanceof MlflowError || typeof err !== 'object' || err === null || !('code' in err)) return err;
  const message = driverErrorMessage(err);
  const errno = mysqlErrno(err);
  if (errno !== undefined) {
    return new MlflowError(message, isMysqlOperational(errno) ? 'TEMPORARILY_UNAVAILABLE' : 'BAD_REQUEST');
  }
  const code = String((err as { code: unknown }).code);
  const isSqlite = code.startsWith('SQLITE_');
  const isPg = /^[0-9A-Z]{5}$/.test(code);
  if (!isSqlite && !isPg && !/^E[A-Z]+$/.test(code)) return err;
  const operational =
    (isSqlite && /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY)/.test(code)) ||
    (isPg && /^(08|53|57|58)/.test(code)) ||
    /^E[A-Z]+$/.test(code); // ECONNREFUSED, ECONNRESET, ...
  return new MlflowError(message, operational ? 'TEMPORARILY_UNAVAILABLE' : 'BAD_REQUEST');
}

/**
 * Wraps every function of a service object so database errors read as MLflow's, also those raised
 * while a streamed response field is read.
 */
export function withDbErrors<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  services: T,
): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(services)) {
    out[name] = async (...args: never[]) => {
      try {
        return mapStreamedErrors(await fn(...args), translateDbError);
      } catch (err) {
        throw translateDbError(err);
      }
    };
  }
  return out as T;
}
