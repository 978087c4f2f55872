import type { Kysely } from 'kysely';
import type { TrackingDatabase } from '../tables.js';

export type DialectName = 'sqlite' | 'postgresql';

/** A synchronous connection (better-sqlite3) as writeSync hands it over. */
export interface SyncDb {
  get<R>(sql: string, ...params: unknown[]): R | undefined;
  run(sql: string, ...params: unknown[]): void;
}

/**
 * Everything that differs between database engines. One implementation per file
 * (sqlite.ts, postgres.ts); MySQL / SQL Server follow as more files implementing this.
 */
export interface StoreDialect {
  readonly name: DialectName;
  readonly db: Kysely<TrackingDatabase>;
  /**
   * Runs a compiled read outside Kysely's connection handling, where the driver has a cheaper path
   * for one-off reads (PostgreSQL: pool.query). With `name`, PostgreSQL prepares the statement once
   * per connection under that name (for a hot statement whose text never changes: parse and plan
   * are not paid again). Optional; callers fall back to Kysely.
   */
  readonly selectRows?: <R>(sql: string, parameters: readonly unknown[], name?: string) => Promise<R[]>;
  /**
   * PostgreSQL: runs one statement on its own (autocommit, so atomic) as a named server-side
   * prepared statement: parsed and planned once per connection. `name` must be unique per `text`.
   * int64 values beyond 2^53, also inside arrays, are sent exactly (see pgInt64Param).
   */
  readonly runPrepared?: <R>(name: string, text: string, values: readonly unknown[]) => Promise<R[]>;
  /**
   * SQLite: runs `fn` synchronously on the raw connection inside BEGIN IMMEDIATE ... COMMIT
   * (ROLLBACK when it throws), holding Kysely's connection so no other transaction interleaves.
   * Statements are prepared once and cached by text.
   */
  readonly writeSync?: <T>(fn: (db: SyncDb) => T) => Promise<T>;
  /** The generated statements that recreate the pinned alembic head on an empty database. */
  readonly schemaStatements: readonly string[];
  /** Names of the user tables present (any schema objects MLflow would see via the inspector). */
  listTables(): Promise<string[]>;
  /**
   * Runs `statements` in one transaction if, once a cross-process lock is held, the database is
   * still empty (no tables besides `alembic_*`). Returns false when another process got there first.
   */
  createSchemaIfEmpty(statements: readonly string[]): Promise<boolean>;
  /** A boolean as the driver binds it (better-sqlite3 cannot bind JS booleans). */
  bool(value: boolean): boolean | number;
  /** Whether `SELECT ... FOR UPDATE` is meaningful (row locks). */
  readonly supportsRowLocks: boolean;
  /** True for a unique / primary key violation raised by the driver. */
  isUniqueViolation(err: unknown): boolean;
  /**
   * Undefined when a write can succeed now, else why not (a read-only SQLite file, an unreachable
   * or read-only PostgreSQL). SQLite reopens a connection opened read-only once its file is writable.
   */
  writeBlocker(): Promise<string | undefined>;
  /** Largest number of bound parameters one statement may carry. */
  readonly maxBindParams: number;
  close(): Promise<void>;
}
