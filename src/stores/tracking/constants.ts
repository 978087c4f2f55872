/** MLflow's fixed names and values of the tracking schema (entities/lifecycle_stage.py, ...). */
import type { ViewType } from '../../gen/messages.js';

export const LIFECYCLE_ACTIVE = 'active';
export const LIFECYCLE_DELETED = 'deleted';
export const RUN_NAME_TAG = 'mlflow.runName';
export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';
export const DEFAULT_WORKSPACE = 'default';

/** LifecycleStage.view_type_to_stages: which lifecycle stages a lookup sees. */
export function stagesFor(view: ViewType): string[] {
  if (view === 'ACTIVE_ONLY') return [LIFECYCLE_ACTIVE];
  if (view === 'DELETED_ONLY') return [LIFECYCLE_DELETED];
  return [LIFECYCLE_ACTIVE, LIFECYCLE_DELETED];
}
