/**
 * Trace request checks of mlflow/server/handlers.py and mlflow/utils/validation.py, applied in
 * the order the handler and then the Python store apply them.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { Stores } from '../../stores/index.js';
import { TRACE_NAME_TAG } from '../../stores/tracking/trace-infos.js';
import {
  MAX_ENTITY_KEY_LENGTH,
  truncateLongValues,
  validateLengthLimit,
  validateTagName,
} from '../tracking/validation.js';

/** handlers._HANDLER_BLOCKED_TRACE_TAGS: system-managed tags clients may not set. */
export const BLOCKED_TAGS: ReadonlySet<string> = new Set([
  'mlflow.artifactLocation',
  'mlflow.trace.spansLocation',
  'mlflow.trace.archiveLocation',
  'mlflow.trace.archivalFailure',
]);
/** _HANDLER_TRACE_TAGS_MUTABLE_ON_DELETE: deleting it clears a terminal archival failure. */
const DELETABLE_BLOCKED_TAGS: ReadonlySet<string> = new Set(['mlflow.trace.archivalFailure']);

/** validation.MAX_TRACE_TAG_VAL_LENGTH and tracing's MAX_CHARS_IN_TRACE_INFO_TAGS_VALUE (names). */
const MAX_TRACE_TAG_VAL_LENGTH = 8000;
export const MAX_TRACE_NAME_LENGTH = 4096;
/** mlflow.store.tracking.MAX_TRACE_LINKS_PER_REQUEST. */
export const MAX_TRACE_LINKS_PER_REQUEST = 100;

/** handlers._validate_trace_tag_handler_mutation. */
export function checkTagMutation(key: string, operation: 'set' | 'deleted'): void {
  if (BLOCKED_TAGS.has(key) && !(operation === 'deleted' && DELETABLE_BLOCKED_TAGS.has(key))) {
    throw MlflowError.invalidParameter(`Tag '${key}' is immutable and cannot be ${operation} on a trace.`);
  }
}

/** validation._validate_trace_tag, then validate_trace_name for the trace name tag. */
export function validateTraceTag(stores: Stores, key: string, value: string): { key: string; value: string } {
  validateTagName(key);
  const k = validateLengthLimit('key', MAX_ENTITY_KEY_LENGTH, key);
  let v = validateLengthLimit('value', MAX_TRACE_TAG_VAL_LENGTH, value, {
    truncate: true,
    truncateLongValues: truncateLongValues(stores),
  });
  if (k === TRACE_NAME_TAG) v = validateLengthLimit('Trace name', MAX_TRACE_NAME_LENGTH, v);
  return { key: k, value: v };
}

/** SqlAlchemyStore.link_traces_to_run's limit. */
export function checkTraceLinkCount(count: number): void {
  if (count > MAX_TRACE_LINKS_PER_REQUEST) {
    throw MlflowError.invalidParameter(
      `Cannot link more than ${MAX_TRACE_LINKS_PER_REQUEST} traces to a run in a single request. ` +
        `Provided ${count} traces.`,
    );
  }
}

export interface DeleteTracesRequest {
  maxTimestampMillis?: number;
  maxTraces?: number;
  traceIds: readonly string[];
}

/** AbstractStore.delete_traces' argument checks. */
export function validateDeleteTraces(r: DeleteTracesRequest): void {
  const hasIds = r.traceIds.length > 0;
  if (r.maxTimestampMillis === undefined && !hasIds) {
    throw MlflowError.invalidParameter('Either `max_timestamp_millis` or `trace_ids` must be specified.');
  }
  if (r.maxTimestampMillis !== undefined && hasIds) {
    throw MlflowError.invalidParameter(
      'Only one of `max_timestamp_millis` and `trace_ids` can be specified.',
    );
  }
  if (hasIds && r.maxTraces !== undefined) {
    throw MlflowError.invalidParameter("`max_traces` can't be specified if `trace_ids` is specified.");
  }
  if (r.maxTraces !== undefined && r.maxTraces <= 0) {
    throw MlflowError.invalidParameter(`\`max_traces\` must be a positive integer, received ${r.maxTraces}.`);
  }
}
