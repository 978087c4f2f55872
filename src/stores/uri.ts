import { isAbsolute, resolve } from 'node:path';
import { MlflowError } from '../errors/mlflow-error.js';

/** Where and how to reach a MySQL (or MariaDB) server, read from a `mysql://` URI. */
export interface MysqlLocation {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** `unix_socket` query option. */
  socketPath?: string;
  /** `charset` query option (PyMySQL's default is utf8mb4). */
  charset: string;
  /** `ssl_ca` / `ssl_cert` / `ssl_key` / `ssl_verify_cert` query options. */
  ssl?: { ca?: string; cert?: string; key?: string; verifyCert?: boolean };
  /** `connect_timeout` query option, seconds. */
  connectTimeoutS?: number;
}

export type BackendLocation =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgresql'; connectionString: string }
  | { dialect: 'mysql'; mysql: MysqlLocation };

/**
 * Parses a backend store URI as SQLAlchemy reads it:
 *   sqlite:///relative.db, sqlite:////abs/path.db, sqlite:// or sqlite:///:memory: (in memory);
 *   postgresql://..., postgresql+psycopg2://... (any +driver suffix is dropped), postgres://...;
 *   mysql://..., mysql+pymysql://..., mysql+mysqldb://... (any driver: mlflow-ts talks mysql2).
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
  if (scheme === 'mysql') {
    return { dialect: 'mysql', mysql: parseMysql(uri, rest) };
  }
  throw unsupported(uri);
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);

/**
 * SQLAlchemy's URL grammar (user:password@host:port/database?query, each part percent-decoded)
 * with the query options PyMySQL takes that mean something to mysql2; other options (driver
 * tuning such as `binary_prefix`) are accepted and ignored, as unknown ones are by SQLAlchemy.
 */
function parseMysql(uri: string, rest: string): MysqlLocation {
  const q = rest.indexOf('?');
  const main = q < 0 ? rest : rest.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1));
  const slash = main.indexOf('/');
  const authority = slash < 0 ? main : main.slice(0, slash);
  const database = slash < 0 ? '' : decodeURIComponent(main.slice(slash + 1));
  const at = authority.lastIndexOf('@');
  const userInfo = at < 0 ? '' : authority.slice(0, at);
  const hostPort = at < 0 ? authority : authority.slice(at + 1);
  const colon = userInfo.indexOf(':');
  const user = decodeURIComponent(colon < 0 ? userInfo : userInfo.slice(0, colon));
  const password = colon < 0 ? undefined : decodeURIComponent(userInfo.slice(colon + 1));
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
  if (!hp) throw unsupported(uri);
  const host = decodeURIComponent(hp[1]!.replace(/^\[|\]$/g, '')) || 'localhost';
  const port = hp[2] ? Number(hp[2]) : 3306;
  const loc: MysqlLocation = { host, port, user: user || 'root', database, charset: 'utf8mb4' };
  if (password !== undefined) loc.password = password;
  const charset = query.get('charset');
  if (charset) loc.charset = charset;
  const socket = query.get('unix_socket');
  if (socket) loc.socketPath = socket;
  const timeout = query.get('connect_timeout');
  if (timeout && Number.isFinite(Number(timeout))) loc.connectTimeoutS = Number(timeout);
  const ssl: NonNullable<MysqlLocation['ssl']> = {};
  for (const [k, field] of [
    ['ssl_ca', 'ca'],
    ['ssl_cert', 'cert'],
    ['ssl_key', 'key'],
  ] as const) {
    const v = query.get(k);
    if (v) ssl[field] = v;
  }
  const verify = query.get('ssl_verify_cert');
  if (verify !== null) ssl.verifyCert = TRUE_WORDS.has(verify.toLowerCase());
  if (Object.keys(ssl).length > 0) loc.ssl = ssl;
  return loc;
}

function unsupported(uri: string): MlflowError {
  const scheme = uri.split(':')[0] ?? uri;
  return MlflowError.invalidParameter(
    `Invalid database engine: '${scheme}'. Supported database engines are sqlite, postgresql and mysql ` +
      '(mlflow-ts serves these natively).',
  );
}
