import type { DialectName } from '../../dialects/dialect.js';
import { postgresRegistryOps } from './postgres.js';
import { sqliteRegistryOps } from './sqlite.js';

/**
 * What the registry store does differently per database: the order in which a search lists each
 * model's latest versions. MLflow reads them with a window-function query without ORDER BY, so the
 * order is whatever each database's plan yields.
 */
export interface RegistryDialectOps {
  /** ORDER BY keys (after the model name) of the searched models' latest versions. */
  readonly searchLatestOrder: 'stage' | 'version';
}

const OPS: Readonly<Record<DialectName, RegistryDialectOps>> = {
  sqlite: sqliteRegistryOps,
  postgresql: postgresRegistryOps,
};

export const registryOps = (name: DialectName): RegistryDialectOps => OPS[name];
