import { mkdirSync } from 'node:fs';
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
import { sqliteTrackingOps } from './tracking.js';

/**
 * Transactions start with BEGIN IMMEDIATE: they all write, and a deferred transaction that reads
 * first cannot wait for the write lock another process holds (SQLITE_BUSY without the busy timeout).
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
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
function withStatementCache(raw: Database.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      raw.close();
    },
    prepare(sqlText: string): SqliteStatement {
      let stmt = cache.get(sqlText);
      if (stmt === undefined) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        stmt = raw.prepare(sqlText) as unknown as SqliteStatement;
        cache.set(sqlText, stmt);
      }
      return stmt;
    },
  };
}

/**
 * Opens a SQLite database the way MLflow's SQLAlchemy store configures its sessions
 * (store/db/utils.py): foreign keys on, a 20 s busy timeout, case-sensitive LIKE, and a REGEXP
 * function for RLIKE. WAL journaling is added for concurrent readers; it is a file property
 * that Python MLflow reads transparently. `path` ':memory:' is an in-memory database.
 */
export function openSqlite(path: string): StoreDialect {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true }); // as _make_parent_dirs_if_sqlite
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
  const cached = withStatementCache(raw);
  const db = new Kysely<TrackingDatabase>({
    dialect: new ImmediateSqliteDialect({ database: cached }),
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
    tracking: sqliteTrackingOps(db, groupCommit(db, raw, stmt, syncDb), maxBindParams),
    // Through Kysely's connection (its mutex) and statement cache, as a built query would run.
    selectRows: async <R>(text: string, parameters: readonly unknown[]) =>
      (await db.executeQuery<R>(CompiledQuery.raw(text, [...parameters]))).rows as R[],
    schemaStatements: SQLITE_SCHEMA,
    maxBindParams,
    listTables: async () => listTablesSync(),
    async createSchemaIfEmpty(statements) {
      // BEGIN IMMEDIATE takes the write lock up front, so a second process waits (busy timeout)
      // and then sees the tables instead of racing us.
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
