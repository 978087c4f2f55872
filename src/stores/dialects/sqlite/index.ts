import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import { SQLITE_SCHEMA } from '../../../gen/sql/sqlite.js';
import type { TrackingDatabase } from '../../tables.js';
import type { StoreDialect } from '../dialect.js';
import { sqliteSql } from './sql.js';
import { groupCommit, type SyncDb } from './group-commit.js';
import { sqliteRegistryOps } from './registry.js';
import { sqliteTrackingOps } from './tracking.js';
import { registerPercentile } from './percentile.js';

/**
 * Transactions start with BEGIN IMMEDIATE: they all write, and a deferred transaction that reads
 * first cannot wait for the write lock another process holds (SQLITE_BUSY without the busy timeout).
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(
    config: ConstructorParameters<typeof SqliteDialect>[0],
    /** Runs first in every transaction, holding the connection (see reopenIfWritable). */
    private readonly beforeWrite: () => void,
    /** Whether the connection is inside a transaction (better-sqlite3's `inTransaction`). */
    private readonly inTransaction: () => boolean,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      this.beforeWrite();
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    // SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR,
    // SQLITE_NOMEM, ...): a ROLLBACK then fails with "no transaction is active" and would hide
    // the error that matters (which MLflow reports: "database or disk is full").
    driver.rollbackTransaction = async (connection: DatabaseConnection) => {
      if (!this.inTransaction()) return;
      await connection.executeQuery(CompiledQuery.raw('rollback'));
    };
    return driver;
  }
}

/** Prepared statements kept per SQL text (the store's queries are a small fixed set of shapes). */
const STATEMENT_CACHE_SIZE = 512;

/**
 * The database as Kysely sees it, with prepared statements reused by SQL text: preparing (parsing
 * and planning) is otherwise paid again on every query of every request. Safe because the store
 * never streams (Kysely's iterate), so one statement is never run twice at once on the single
 * connection; SQLite re-prepares a cached statement itself after a schema change. The cache is
 * dropped whole when full (shapes with many IN-list sizes are the only way to fill it).
 */
function withStatementCache(raw: () => Database.Database): SqliteDatabase & { reset(): void } {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      raw().close();
    },
    /** Drops the statements of a connection about to be replaced. */
    reset: () => cache.clear(),
    prepare(sqlText: string): SqliteStatement {
      let stmt = cache.get(sqlText);
      if (stmt === undefined) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        stmt = raw().prepare(sqlText) as unknown as SqliteStatement;
        cache.set(sqlText, stmt);
      }
      return stmt;
    },
  };
}

/** A connection with this store's settings (see openSqlite). */
function connectSqlite(path: string): Database.Database {
  const raw = new Database(path);
  if (path !== ':memory:') raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 20000');
  raw.pragma('case_sensitive_like = true');
  // Statement journals (an INSERT ... ON CONFLICT, a savepoint) stay in memory instead of a temporary
  // file created and deleted per write; a per-connection setting, the database file is unchanged.
  raw.pragma('temp_store = MEMORY');
  raw.function('regexp', { deterministic: true }, (pattern: unknown, value: unknown) => {
    if (typeof pattern !== 'string' || typeof value !== 'string') return 0;
    try {
      return new RegExp(pattern, 'u').test(value) ? 1 : 0;
    } catch {
      return 0;
    }
  });
  registerPercentile(raw);
  return raw;
}

/**
 * Whether this process may write the database: its file, its directory (SQLite creates the -wal
 * and -shm files there) and those files when present. A connection that opened a read-only file
 * creates them with the file's mode, so they stay read-only until their permissions are fixed too.
 */
function writable(path: string): boolean {
  if (path === ':memory:') return true;
  for (const f of [path, `${path}-wal`, `${path}-shm`, dirname(path)]) {
    try {
      accessSync(f, constants.W_OK);
    } catch (err) {
      // Not created yet: the directory decides.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    }
  }
  return true;
}

function isReadOnlyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_READONLY');
}

/**
 * Opens a SQLite database the way MLflow's SQLAlchemy store configures its sessions
 * (store/db/utils.py): foreign keys on, a 20 s busy timeout, case-sensitive LIKE, and a REGEXP
 * function for RLIKE. WAL journaling is added for concurrent readers; it is a file property
 * that Python MLflow reads transparently. `path` ':memory:' is an in-memory database.
 */
export function openSqlite(path: string): StoreDialect {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true }); // as _make_parent_dirs_if_sqlite
  let raw = connectSqlite(path);
  // SQLite opens a file it may not write read-only, silently, and the connection stays so.
  let readOnly = !writable(path);
  const cached = withStatementCache(() => raw);
  /**
   * A connection opened read-only (or that failed a write as read-only) is replaced as soon as
   * the file is writable again, before the next write: otherwise every write keeps failing until
   * a restart. Runs holding the connection (no statement of the old one is in use).
   */
  const reopenIfWritable = (): void => {
    if (!readOnly || !writable(path)) return;
    // Closed first: connections of one process share the file's lock and WAL index state, which
    // the read-only connection would keep read-only for the new one.
    cached.reset();
    raw.close();
    raw = connectSqlite(path);
    readOnly = false;
  };
  const guard = {
    beforeWrite: reopenIfWritable,
    failed: (err: unknown) => {
      if (isReadOnlyError(err)) readOnly = true;
    },
  };
  const db = new Kysely<TrackingDatabase>({
    dialect: new ImmediateSqliteDialect({ database: cached }, reopenIfWritable, () => raw.inTransaction),
  });
  const stmt = (text: string) => cached.prepare(text) as unknown as Database.Statement;
  const syncDb: SyncDb = {
    get: <R>(text: string, ...params: unknown[]) => stmt(text).get(...params) as R | undefined,
    run: (text: string, ...params: unknown[]) => void stmt(text).run(...params),
  };

  const listTablesSync = (): string[] =>
    (
      raw
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all() as { name: string }[]
    ).map((r) => r.name);

  const maxBindParams = 32766;
  return {
    name: 'sqlite',
    db,
    sql: sqliteSql,
    registry: sqliteRegistryOps,
    tracking: sqliteTrackingOps(
      db,
      groupCommit(db, () => raw, stmt, syncDb, guard),
      maxBindParams,
    ),
    // Through Kysely's connection (its mutex) and statement cache, as a built query would run.
    selectRows: async <R>(text: string, parameters: readonly unknown[]) =>
      (await db.executeQuery<R>(CompiledQuery.raw(text, [...parameters]))).rows as R[],
    schemaStatements: SQLITE_SCHEMA,
    maxBindParams,
    rowLocks: false,
    writableCtes: false,
    listTables: async () => listTablesSync(),
    writeBlocker: () =>
      db.connection().execute(async () => {
        reopenIfWritable();
        return readOnly
          ? `The SQLite database ${path} is read-only: writes fail until it is writable.`
          : undefined;
      }),
    async createSchemaIfEmpty(statements) {
      // BEGIN IMMEDIATE takes the write lock up front, so a second process waits (busy timeout)
      // and then sees the tables instead of racing us.
      reopenIfWritable();
      raw.exec('BEGIN IMMEDIATE');
      try {
        if (listTablesSync().some((t) => !t.startsWith('alembic_'))) {
          raw.exec('ROLLBACK');
          return false;
        }
        // A failed earlier attempt may have left alembic_version behind (MLflow ignores it too).
        raw.exec('DROP TABLE IF EXISTS alembic_version');
        for (const stmt of statements) raw.exec(stmt);
        raw.exec('COMMIT');
        return true;
      } catch (err) {
        if (raw.inTransaction) raw.exec('ROLLBACK');
        throw err;
      }
    },
    bool: (value) => (value ? 1 : 0),
    isUniqueViolation: (err) =>
      typeof err === 'object' &&
      err !== null &&
      'code' in err &&
      (err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err.code === 'SQLITE_CONSTRAINT_UNIQUE'),
    close: () => db.destroy(),
  };
}
