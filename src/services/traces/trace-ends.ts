/**
 * The v2 endTrace (handlers._deprecated_end_trace_v2, PATCH /api/2.0/mlflow/traces/<request_id>),
 * which older clients still send when a trace finishes.
 */
import type { MlflowService } from '../../gen/services.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { TRACE_NAME_TAG } from '../../stores/tracking/trace-infos.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { validateLengthLimit } from '../tracking/validation.js';
import { traceInfoV2 } from './trace-info-message.js';
import { BLOCKED_TAGS, MAX_TRACE_NAME_LENGTH } from './validation.js';

/** TraceState values: a TraceStatus outside them (TRACE_STATUS_UNSPECIFIED) cannot be read back. */
const READABLE_STATUSES = new Set(['OK', 'ERROR', 'IN_PROGRESS']);

const toMap = (list: readonly { key?: string; value?: string }[] | undefined) =>
  new Map((list ?? []).map((e) => [e.key ?? '', e.value ?? ''] as const));

export const traceEndHandlers = {
  async endTrace(req, { stores }) {
    const traceId = req.request_id ?? '';
    const status = req.status ?? 'TRACE_STATUS_UNSPECIFIED';
    // Legacy clients send back every tag, system ones included: those are dropped, not refused.
    const tags = toMap(req.tags);
    for (const key of BLOCKED_TAGS) tags.delete(key);
    const name = tags.get(TRACE_NAME_TAG);
    const metadata = toMap(req.request_metadata);
    const info = await stores.tracking.endTraceV2(traceId, {
      timestampMs: req.timestamp_ms ?? 0,
      status,
      metadata,
      tags,
      // After the trace lookup and the session id check (the store's), as in MLflow.
      validate: () => {
        if (name !== undefined) validateLengthLimit('Trace name', MAX_TRACE_NAME_LENGTH, name);
        // MLflow stores the status, then fails reading it back as a TraceState: that error (a
        // 500) rolls the write back.
        if (!READABLE_STATUSES.has(status)) {
          throw new MlflowError(
            `<TraceStatus.UNSPECIFIED: '${status}'> is not a valid TraceState`,
            'INTERNAL_ERROR',
          );
        }
      },
    });
    return { trace_info: traceInfoV2(info) };
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
