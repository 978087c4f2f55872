import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import type { TrackingDatabase } from '../tables.js';
import type { RegistryDialectOps } from '../registry/dialect-ops.js';
import type { TrackingDialectOps } from '../tracking/dialect-ops.js';

export type DialectName = 'sqlite' | 'postgresql' | 'mysql';

/**
 * The pieces of SQL the shared query builders (src/stores/search) spell differently per database,
 * by what they mean.
 */
export interface DialectSql {
  /**
   * The `cols` of `table`'s rows (alias `x`) matching `where`, as one JSON text of column arrays
   * (an array per column, all in the same row order). SQLite lists rows in rowid order (MLflow's
   * unordered query sees them so); PostgreSQL in the order its index scan yields them.
   */
  jsonColumns(table: string, cols: readonly string[], where: string): RawBuilder<unknown>;
  /** `expr ILIKE value` (SQLAlchemy's rendering of `ilike` where the database has none). */
  ilike(expr: RawBuilder<unknown>, value: RawBuilder<unknown>): RawBuilder<SqlBool>;
  /**
   * `expr RLIKE value` as MLflow's search writes it: SQLite's REGEXP (a registered function),
   * PostgreSQL's `~`, MySQL's byte-wise `CAST(x AS BINARY) REGEXP BINARY v`.
   */
  rlike(expr: RawBuilder<unknown>, value: RawBuilder<unknown>): RawBuilder<SqlBool>;
  /**
   * The `percentile` (0..100) of a column by linear interpolation, as MLflow's
   * get_percentile_aggregation writes it (PostgreSQL's PERCENTILE_CONT, SQLite's registered
   * `percentile` aggregate); absent where mlflow-ts does not follow MLflow's form (MySQL's
   * PERCENT_RANK interpolation).
   */
  percentileAggregate?(column: string, percentile: number): string;
  /**
   * Where the percentile is not an aggregate (MySQL): the outer aggregate that interpolates it from
   * a subquery's `value` and its PERCENT_RANK() `rank` column (MLflow's
   * _build_query_with_percentile_subquery).
   */
  percentileFromRank?(value: string, rank: string, percentile: number): string;
  /**
   * `expr = value`, `expr != value`, `expr LIKE value` on a string column, as MLflow's search
   * compares strings: exactly, case included (MySQL's collations ignore case, so MLflow adds a
   * BINARY comparison there).
   */
  stringCompare(
    expr: RawBuilder<unknown>,
    op: '=' | '!=' | 'LIKE',
    value: RawBuilder<unknown>,
  ): RawBuilder<SqlBool>;
  /** `expr [NOT] IN (items)` on a string column, exactly as stringCompare. */
  stringIn(expr: RawBuilder<unknown>, op: 'IN' | 'NOT IN', items: RawBuilder<unknown>): RawBuilder<SqlBool>;
  /** An ORDER BY term on `expr` with NULLs after every value in either direction. */
  sortNullsLast(expr: RawBuilder<unknown>, ascending: boolean): RawBuilder<unknown>;
  /** Integer division of two integer expressions (truncating). */
  intDiv(a: RawBuilder<unknown>, b: RawBuilder<unknown>): RawBuilder<unknown>;
  /** `expr` cast to a 64-bit integer (SQLAlchemy's `cast(x, BigInteger)`). */
  castInt64(expr: RawBuilder<unknown>): RawBuilder<unknown>;
  /** A number compared against a column, typed as SQLAlchemy's literal would be. */
  numberParam(value: number): RawBuilder<unknown>;
  /** A boolean literal for comparisons against boolean columns (is_nan). */
  boolLiteral(value: boolean): RawBuilder<unknown>;
  /**
   * A subquery of the first row (columns `cols`) of each `partition` group of `table`'s rows
   * (alias `r`) matching `where`, in `order` (SQL text over `r`): what MLflow writes as
   * `ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) = 1`. PostgreSQL's DISTINCT ON picks the
   * same row for less work.
   */
  firstPerGroup(
    table: string,
    cols: readonly string[],
    where: RawBuilder<unknown>,
    partition: readonly string[],
    order: string,
  ): RawBuilder<unknown>;
}

/**
 * Everything that differs between database engines: the connection and its schema handling, the
 * SQL pieces of shared builders (`sql`), and each domain's named operations (`tracking`, `registry`). One
 * folder per engine (sqlite/, postgres/, mysql/); another engine is another folder implementing
 * this.
 */
export interface StoreDialect {
  readonly name: DialectName;
  readonly db: Kysely<TrackingDatabase>;
  readonly sql: DialectSql;
  readonly tracking: TrackingDialectOps;
  readonly registry: RegistryDialectOps;
  /**
   * Runs a compiled read on the driver's cheapest path for one-off reads (PostgreSQL: pool.query,
   * outside Kysely's connection handling). With `name`, a statement whose text never changes is
   * prepared once per connection under that name where the engine benefits (PostgreSQL).
   */
  selectRows<R>(sql: string, parameters: readonly unknown[], name?: string): Promise<R[]>;
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
  /** True for a unique / primary key violation raised by the driver. */
  isUniqueViolation(err: unknown): boolean;
  /**
   * Undefined when a write can succeed now, else why not (a read-only SQLite file, an unreachable
   * or read-only PostgreSQL). SQLite reopens a connection opened read-only once its file is writable.
   */
  writeBlocker(): Promise<string | undefined>;
  /** Largest number of bound parameters one statement may carry. */
  readonly maxBindParams: number;
  /**
   * Whether `SELECT ... FOR UPDATE` locks rows (PostgreSQL, MySQL). SQLite has no row locks: its
   * write transactions are serialized whole.
   */
  readonly rowLocks: boolean;
  /**
   * Whether INSERT statements may stand in a WITH clause of another (PostgreSQL): dependent rows
   * then go to the server in one statement, their foreign keys checked at its end.
   */
  readonly writableCtes: boolean;
  close(): Promise<void>;
}
