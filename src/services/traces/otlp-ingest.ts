/**
 * OTLP span ingest (otel_api.export_traces after the body is decoded): the batch converted as
 * MLflow stores it (otlp-spans.ts), written in one transaction (SqlAlchemyStore.log_spans), then
 * the completed traces linked to the run of `x-mlflow-run-id` (a failure there is only logged).
 */
import type { OtlpResourceSpans } from './otlp-types.js';
import type { PyDict } from '../../py/json-exact.js';
import { PyFloat } from '../../py/values.js';
import type { Stores } from '../../stores/index.js';
import { COST_KEYS, USAGE_KEYS, USAGE_OPTIONAL_KEYS } from '../../stores/tracking/span-aggregation.js';
import { SpansNotInDatabase } from '../../stores/tracking/span-writes.js';
import { NotNative } from '../raw-reply.js';
import { truncateLongValues } from '../tracking/validation.js';
import { spanBatches } from './otlp-spans.js';

export interface OtlpIngest {
  experimentId: string;
  runId: string | undefined;
  resourceSpans: readonly OtlpResourceSpans[];
  /** Called when linking the traces to the run fails (MLflow logs it and answers 200). */
  onLinkFailure: (err: unknown) => void;
}

/** The usage keys whose values a trace's totals add (built once, not per span). */
const USAGE_ADDENDS: readonly string[] = [...USAGE_KEYS, ...USAGE_OPTIONAL_KEYS];

/** A usage or cost dict whose summed values MLflow adds as numbers (else its sum fails: a 422). */
function checkAddends(data: PyDict | null, keys: readonly string[]): void {
  if (data === null) return;
  for (const k of keys) {
    if (!data.has(k)) continue;
    const v = data.get(k);
    if (typeof v !== 'number' && typeof v !== 'bigint' && !(v instanceof PyFloat)) {
      throw new NotNative(`a ${k} that is not a number`);
    }
  }
}

export async function ingestOtlp(stores: Stores, req: OtlpIngest): Promise<void> {
  const batches = await spanBatches(req.resourceSpans, truncateLongValues(stores));
  if (batches.length === 0) return;
  for (const b of batches) {
    for (const s of b.spans) {
      checkAddends(s.usage, USAGE_ADDENDS);
      checkAddends(s.cost, COST_KEYS);
    }
  }
  try {
    await stores.tracking.logSpans(req.experimentId, batches);
  } catch (err) {
    // A trace no longer in the database (archived, or gone): rolled back; MLflow says which.
    if (err instanceof SpansNotInDatabase) throw new NotNative('a trace whose spans are not in the database');
    throw err;
  }
  const completed = batches.filter((b) => b.rootStatus !== null).map((b) => b.traceId);
  if (req.runId && completed.length > 0) {
    try {
      if (completed.length > 100) throw new Error('more than 100 traces to link');
      await stores.tracking.linkTracesToRun(completed, req.runId);
    } catch (err) {
      req.onLinkFailure(err);
    }
  }
}
