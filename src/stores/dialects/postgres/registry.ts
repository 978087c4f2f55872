import type { RegistryDialectOps } from '../../registry/dialect-ops.js';

export const postgresRegistryOps: RegistryDialectOps = {
  // PostgreSQL merge-joins the window query with model_versions on its primary key: version order.
  searchLatestOrder: 'version',
};
