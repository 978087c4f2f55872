/**
 * The one-statement path of log_spans (span-writes.ts) for the commonest OTLP batch: one trace, not
 * stored yet. Its rows are exactly those the transactional path inserts for a trace it creates
 * (newTraceRow, the artifact-location tag then the batch's tags, the user metadata, the span
 * rows); the dialect writes them at once (TrackingDialectOps.insertNewTrace) or reports why it
 * did not, and the caller then takes the transactional path.
 */
import { appendToUriPath } from '../artifact-uri.js';
import type { StoreContext } from './context.js';
import { getExperimentRow } from './experiments.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import {
  aggregateNodes,
  COST_KEYS,
  costNodes,
  USAGE_KEYS,
  USAGE_OPTIONAL_KEYS,
  usageNodes,
} from './span-aggregation.js';
import type { TraceSpans } from './span-rows.js';
import { batchTraceTags, newTraceRow, TRACE_USER_KEY } from './span-trace-rows.js';
import { ARTIFACT_LOCATION_TAG } from './trace-infos.js';

/**
 * Experiments' artifact locations by id, per store: MLflow never changes one, and the statement
 * re-checks it anyway (a mismatch writes nothing and the entry is dropped).
 */
const locations = new WeakMap<StoreContext, Map<string, string | null>>();

/**
 * Traces this process saw stored (created or found), per store: a later batch of one (an
 * exporter sends a long trace's spans as they end) goes straight to the transactional path
 * instead of shipping its spans in a statement that would write nothing.
 */
const seen = new WeakMap<StoreContext, Set<string>>();
const SEEN_LIMIT = 10_000;

function markSeen(ctx: StoreContext, traceId: string): void {
  let ids = seen.get(ctx);
  if (!ids) seen.set(ctx, (ids = new Set()));
  if (ids.size >= SEEN_LIMIT) ids.clear();
  ids.add(traceId);
}

/** Experiment id and artifact location, or undefined when the transactional path should decide. */
async function experimentLocation(
  ctx: StoreContext,
  experimentId: string,
): Promise<string | null | undefined> {
  let known = locations.get(ctx);
  if (!known) locations.set(ctx, (known = new Map()));
  if (known.has(experimentId)) return known.get(experimentId);
  try {
    const exp = await getExperimentRow(ctx.db, experimentId, 'ALL');
    // Keyed by the header's text: only an id that reads back as itself is kept.
    if (String(exp.experiment_id) !== experimentId) return undefined;
    if (known.size >= 10_000) known.clear();
    known.set(experimentId, exp.artifact_location);
    return exp.artifact_location;
  } catch (err) {
    // A missing experiment or a malformed id: the transactional path raises what MLflow raises.
    if (err instanceof MlflowError) return undefined;
    throw err;
  }
}

/** True when the batch's one trace was created here; false when nothing was written. */
export async function logNewTraceAtOnce(
  ctx: StoreContext,
  experimentId: string,
  t: TraceSpans,
): Promise<boolean> {
  const insert = ctx.dialect.tracking.insertNewTrace;
  if (!insert || ctx.traceRollups || t.spans.length === 0) return false;
  // A span sent twice in one batch is merged by the transactional path.
  if (new Set(t.spans.map((s) => s.spanId)).size !== t.spans.length) return false;
  if (seen.get(ctx)?.has(t.traceId)) return false;
  const location = await experimentLocation(ctx, experimentId);
  if (location === undefined) return false;
  const usage = aggregateNodes(usageNodes(t.spans), USAGE_KEYS, USAGE_OPTIONAL_KEYS);
  const cost = aggregateNodes(costNodes(t.spans), COST_KEYS);
  const uri = appendToUriPath(location ?? '', 'traces', t.traceId, 'artifacts');
  const outcome = await insert({
    experimentId: Number(experimentId),
    artifactLocation: location,
    row: newTraceRow(t, experimentId, usage, cost),
    tags: [...batchTraceTags(t, new Map([[ARTIFACT_LOCATION_TAG, uri]]))],
    metadata: t.userId ? [[TRACE_USER_KEY, t.userId]] : [],
    spans: t.spans,
  });
  if (outcome === 'relocated') locations.get(ctx)?.delete(experimentId);
  else markSeen(ctx, t.traceId);
  return outcome === 'created';
}
