/**
 * The logged-models domain (MLflow 3's LoggedModel records: create, read, finalize, delete, tags,
 * params, search, and a run's model outputs), over the tracking store's database.
 */
import type { MlflowService } from '../../gen/services.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { loggedModelHandlers } from './models.js';
import { searchLoggedModelsHandlers } from './search.js';

export const loggedModelsHandlers = {
  ...loggedModelHandlers,
  ...searchLoggedModelsHandlers,
} satisfies DomainHandlers<MlflowService<DomainContext>>;
