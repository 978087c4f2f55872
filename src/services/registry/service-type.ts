import type { ModelRegistryService } from '../../gen/services.js';
import type { DomainContext } from '../types.js';

/** The generated ModelRegistryService interface with the domain context handlers receive. */
export type ModelService = ModelRegistryService<DomainContext>;
