/**
 * SqlAlchemyStore._search_datasets: the (experiment, dataset name, digest, context tag) of every
 * dataset logged as a run input in the given experiments, DISTINCT, at most 1000, in the order
 * the database returns them (MLflow sets none). The context tag is a LEFT JOIN: inputs without
 * one still count, with no context.
 */
import { sql } from 'kysely';
import type { StoreContext } from './context.js';

const MAX_DATASET_SUMMARIES_RESULTS = 1000;
const DATASET_CONTEXT_TAG = 'mlflow.data.context';

export interface DatasetSummaryRow {
  experiment_id: number | string;
  name: string;
  digest: string;
  value: string | null;
}

export async function searchDatasetSummaries(
  ctx: StoreContext,
  experimentIds: readonly number[],
): Promise<DatasetSummaryRow[]> {
  const rows =
    await sql<DatasetSummaryRow>`SELECT DISTINCT datasets.experiment_id, datasets.name, datasets.digest, input_tags.value
    FROM datasets
    JOIN inputs ON inputs.source_id = datasets.dataset_uuid
    LEFT OUTER JOIN input_tags ON inputs.input_uuid = input_tags.input_uuid AND input_tags.name = ${DATASET_CONTEXT_TAG}
    WHERE datasets.experiment_id IN (${sql.join(experimentIds)})
    LIMIT ${MAX_DATASET_SUMMARIES_RESULTS}`.execute(ctx.db);
  return rows.rows;
}

export const datasetSummaryOperations = { searchDatasetSummaries };
