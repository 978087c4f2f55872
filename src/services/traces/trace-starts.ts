/**
 * startTraceV3 (handlers._start_trace_v3, POST /api/3.0/mlflow/traces): the record of a finished
 * trace, as the Python client's exporter sends it (after the spans, through OTLP); and the v2
 * startTrace that older clients send when a trace begins.
 *
 * Served natively for a trace in an experiment: a new trace is inserted with the assessments sent
 * along, a trace whose spans arrived first (through OTLP) is merged into under a row lock, its
 * assessments merged by id.
 */
import { randomUUID } from 'node:crypto';
import type { MlflowService } from '../../gen/services.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { TRACE_NAME_TAG } from '../../stores/tracking/trace-infos.js';
import { newAssessment } from './assessments.js';
import { NotNative } from '../raw-reply.js';
import { invalidValue, validateLengthLimit } from '../tracking/validation.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { durationMillis, timestampMillis } from './proto-time.js';
import { traceInfoV2, traceInfoV3 } from './trace-info-message.js';
import { BLOCKED_TAGS, MAX_TRACE_NAME_LENGTH } from './validation.js';

/** file_store._validate_new_trace_id (a single path component, nothing URL parsing changes). */
function validateNewTraceId(traceId: string): void {
  const basename = traceId.slice(traceId.lastIndexOf('/') + 1);
  if (!traceId || traceId.replace(/[ .]+$/, '') !== traceId || basename !== traceId) {
    throw MlflowError.invalidParameter(invalidValue('trace_id', traceId, 'must be a single path component'));
  }
  for (const ch of traceId) {
    const c = ch.codePointAt(0)!;
    if ('%?#'.includes(ch) || c < 32 || c === 127) {
      throw MlflowError.invalidParameter(
        invalidValue('trace_id', traceId, "must not contain '%', '?', '#' or control characters"),
      );
    }
  }
}

export const traceStartHandlers = {
  async startTraceV3(req, { stores }) {
    const info = req.trace?.trace_info ?? {};
    const experimentId = info.trace_location?.mlflow_experiment?.experiment_id;
    if (!experimentId) throw new NotNative('a trace outside an experiment');
    const traceId = info.trace_id ?? '';
    // TraceInfo.from_proto reads the assessments (and may refuse one) before the store runs.
    const assessments = (info.assessments ?? []).map((x) => newAssessment(x, traceId));
    if (new Set(assessments.map((x) => x.assessment_id)).size !== assessments.length) {
      throw new NotNative('an assessment id listed twice');
    }
    const tags = new Map(Object.entries(info.tags ?? {}));
    for (const key of BLOCKED_TAGS) tags.delete(key);
    const name = tags.get(TRACE_NAME_TAG);
    if (name !== undefined) validateLengthLimit('Trace name', MAX_TRACE_NAME_LENGTH, name);
    const created = await stores.tracking.startTrace({
      traceId,
      experimentId,
      requestTime: timestampMillis(info.request_time),
      executionDuration:
        info.execution_duration === undefined ? null : durationMillis(info.execution_duration),
      state: info.state ?? 'STATE_UNSPECIFIED',
      clientRequestId: info.client_request_id ?? null,
      requestPreview: info.request_preview ?? null,
      responsePreview: info.response_preview ?? null,
      metadata: new Map(Object.entries(info.trace_metadata ?? {})),
      tags,
      validateTraceId: validateNewTraceId,
      finalized: true,
      assessments,
    });
    if (!created) throw new MlflowError('The trace could not be stored: try again.', 'INTERNAL_ERROR');
    return { trace: { trace_info: traceInfoV3(created) } };
  },

  /** The v2 start (handlers._deprecated_start_trace_v2): a new IN_PROGRESS trace with a random id. */
  async startTrace(req, { stores }) {
    const tags = new Map((req.tags ?? []).map((t) => [t.key ?? '', t.value ?? ''] as const));
    for (const key of BLOCKED_TAGS) tags.delete(key);
    const name = tags.get(TRACE_NAME_TAG);
    if (name !== undefined) validateLengthLimit('Trace name', MAX_TRACE_NAME_LENGTH, name);
    const experimentId = req.experiment_id ?? '';
    const created = await stores.tracking.startTrace({
      traceId: randomUUID().replace(/-/g, ''),
      experimentId,
      requestTime: req.timestamp_ms ?? 0,
      executionDuration: null,
      state: 'IN_PROGRESS',
      clientRequestId: null,
      requestPreview: null,
      responsePreview: null,
      metadata: new Map((req.request_metadata ?? []).map((m) => [m.key ?? '', m.value ?? ''] as const)),
      tags,
      validateTraceId: () => {
        // An empty experiment id finds the default experiment, then fails MLflow's int('') (a 500).
        if (experimentId === '') {
          throw new MlflowError("invalid literal for int() with base 10: ''", 'INTERNAL_ERROR');
        }
      },
      finalized: false,
    });
    if (!created) throw new MlflowError('A random trace id collided: try again.', 'INTERNAL_ERROR');
    return { trace_info: traceInfoV2(created) };
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
