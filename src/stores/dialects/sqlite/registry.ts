import type { RegistryDialectOps } from '../../registry/dialect-ops.js';

export const sqliteRegistryOps: RegistryDialectOps = {
  // SQLite materializes the window query sorted by its partition (name, stage) and joins in that order.
  searchLatestOrder: 'stage',
};
