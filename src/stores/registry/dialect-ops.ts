/**
 * What the registry store does differently per database (each engine's folder under
 * stores/dialects/ implements it as `registry.ts`): the order in which a search lists each model's
 * latest versions. MLflow reads them with a window-function query without ORDER BY, so the order is
 * whatever each database's plan yields.
 */
export interface RegistryDialectOps {
  /** ORDER BY keys (after the model name) of the searched models' latest versions. */
  readonly searchLatestOrder: 'stage' | 'version';
}
