/** `SqlAlchemyStore._validate_max_results_param` and the search limits of the pinned release. */
import { MlflowError } from '../../errors/mlflow-error.js';

/** SEARCH_MAX_RESULTS_DEFAULT (the SearchRuns proto default too). */
export const SEARCH_MAX_RESULTS_DEFAULT = 1000;
/** SEARCH_MAX_RESULTS_THRESHOLD. */
export const SEARCH_MAX_RESULTS_THRESHOLD = 50000;

export function validateMaxResults(maxResults: number): void {
  if (maxResults < 1) {
    throw MlflowError.invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`,
    );
  }
  if (maxResults > SEARCH_MAX_RESULTS_THRESHOLD) {
    throw MlflowError.invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${SEARCH_MAX_RESULTS_THRESHOLD}`,
    );
  }
}

/** ViewType by name (or proto number) -> lifecycle stages (`LifecycleStage.view_type_to_stages`). */
export function viewTypeStages(view: string | number | undefined | null): string[] {
  if (view === 'DELETED_ONLY' || view === 2) return ['deleted'];
  if (view === 'ALL' || view === 3) return ['active', 'deleted'];
  return ['active'];
}
