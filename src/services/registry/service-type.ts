import type { ModelRegistryService } from '../../gen/services.js';
import type { DomainContext } from '../domains.js';

/** The generated ModelRegistryService interface with the domain context handlers receive. */
export type ModelService = ModelRegistryService<DomainContext>;
