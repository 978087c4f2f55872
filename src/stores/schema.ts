import { sql } from 'kysely';
import { MlflowError } from '../errors/mlflow-error.js';
import { ALEMBIC_HEAD } from '../gen/sql/alembic.js';
import type { StoreDialect } from './dialects/dialect.js';

/** Tables whose absence means "not an MLflow database at head" (a subset is enough to decide). */
const CORE_TABLES = ['experiments', 'runs', 'metrics', 'latest_metrics', 'params', 'tags'];

/**
 * Creates or verifies the schema on open, as SqlAlchemyStore.__init__ does:
 *  - empty database (only `alembic_*` tables, or none): create every table of the pinned head and
 *    stamp alembic_version, all in one transaction (MLflow runs its migrations instead);
 *  - at the head revision: nothing to do;
 *  - otherwise: refuse with the message of mlflow.store.db.utils._verify_schema.
 */
export async function ensureSchema(dialect: StoreDialect): Promise<'created' | 'verified'> {
  let created = false;
  const tables = await dialect.listTables();
  if (tables.every((t) => t.startsWith('alembic_'))) {
    created = await dialect.createSchemaIfEmpty(dialect.schemaStatements);
  }
  const current = await currentRevision(dialect);
  if (current !== ALEMBIC_HEAD) {
    throw new MlflowError(
      `Detected out-of-date database schema (found version ${current ?? 'None'}, but expected ` +
        `${ALEMBIC_HEAD}). Take a backup of your database, then run 'mlflow db upgrade <database_uri>' ` +
        'to migrate your database to the latest schema. NOTE: schema migration may result in database ' +
        "downtime - please consult your database's documentation for more detail.",
    );
  }
  const present = new Set(await dialect.listTables());
  const missing = CORE_TABLES.filter((t) => !present.has(t));
  if (missing.length > 0) {
    throw new MlflowError(`Database is stamped ${ALEMBIC_HEAD} but lacks tables: ${missing.join(', ')}`);
  }
  return created ? 'created' : 'verified';
}

async function currentRevision(dialect: StoreDialect): Promise<string | undefined> {
  const tables = await dialect.listTables();
  if (!tables.includes('alembic_version')) return undefined;
  const rows = await sql<{ version_num: string }>`SELECT version_num FROM alembic_version`.execute(
    dialect.db,
  );
  // Alembic's MigrationContext.get_current_revision: one row, or none.
  if (rows.rows.length > 1) {
    throw new MlflowError(
      `Version table 'alembic_version' has more than one head present; found ${rows.rows.map((r) => r.version_num).join(', ')}`,
    );
  }
  return rows.rows[0]?.version_num;
}
