import { isAbsolute, resolve } from 'node:path';
import { MlflowError } from '../errors/mlflow-error.js';

export type BackendLocation =
  { dialect: 'sqlite'; path: string } | { dialect: 'postgresql'; connectionString: string };

/**
 * Parses a backend store URI as SQLAlchemy reads it:
 *   sqlite:///relative.db, sqlite:////abs/path.db, sqlite:// or sqlite:///:memory: (in memory);
 *   postgresql://..., postgresql+psycopg2://... (any +driver suffix is dropped), postgres://...
 */
export function parseBackendUri(uri: string): BackendLocation {
  const m = /^([a-zA-Z][a-zA-Z0-9]*)(?:\+[a-zA-Z0-9_]+)?:\/\/(.*)$/s.exec(uri);
  if (!m) throw unsupported(uri);
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  if (scheme === 'sqlite') {
    // sqlite://<nothing>/<path>: after the authority slash, the rest is the file path.
    const withoutQuery = rest.split('?')[0]!;
    if (withoutQuery === '' || withoutQuery === '/' || withoutQuery === '/:memory:') {
      return { dialect: 'sqlite', path: ':memory:' };
    }
    if (!withoutQuery.startsWith('/')) throw unsupported(uri);
    const path = decodeURIComponent(withoutQuery.slice(1));
    return { dialect: 'sqlite', path: isAbsolute(path) ? path : resolve(path) };
  }
  if (scheme === 'postgresql' || scheme === 'postgres') {
    return { dialect: 'postgresql', connectionString: `postgresql://${rest}` };
  }
  throw unsupported(uri);
}

function unsupported(uri: string): MlflowError {
  const scheme = uri.split(':')[0] ?? uri;
  return MlflowError.invalidParameter(
    `Invalid database engine: '${scheme}'. Supported database engines are sqlite and postgresql ` +
      '(mlflow-ts serves these natively).',
  );
}
