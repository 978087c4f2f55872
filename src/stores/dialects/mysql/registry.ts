import type { RegistryDialectOps } from '../../registry/dialect-ops.js';

export const mysqlRegistryOps: RegistryDialectOps = {
  // MySQL / MariaDB evaluate the window by sorting on its partition (name, current_stage) and
  // return the rows in that order.
  searchLatestOrder: 'stage',
};
