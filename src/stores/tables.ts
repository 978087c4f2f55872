/**
 * The database as the stores' Kysely instances see it. The table types are generated from the
 * pinned alembic head's DDL (src/gen/sql/tables.ts, codegen/schema/emit-tables.ts); nothing here
 * declares a column.
 *
 * Conventions (set by the dialects): BIGINT columns read as `number` (the PostgreSQL driver is
 * configured to parse int8; MLflow's millisecond timestamps and steps fit in 2^53). BOOLEAN
 * columns read as `boolean` on PostgreSQL and 0/1 on SQLite (`DbBool`); write them through
 * `dialect.bool()`.
 */
import type { Database } from '../gen/sql/tables.js';

export type * from '../gen/sql/tables.js';

/** Every table of the pinned head; the tracking store uses a part of them. */
export type TrackingDatabase = Database;
