/**
 * The TraceInfo entity as MLflow's messages carry it: TraceInfo.to_proto (v3, with assessments)
 * and TraceInfoV2.from_v3(...).to_proto (the v2 routes), with MLflow's truncation of tag and
 * metadata keys and values (_truncate_tags, _truncate_request_metadata).
 */
import type {
  Assessment,
  AssessmentSource_SourceType,
  JsonValue,
  TraceInfo,
  TraceInfoV3,
  TraceInfoV3_State,
  TraceStatus,
} from '../../gen/messages.js';
import { pyJsonLoadsFaithful } from '../../py/json-loads.js';
import { jsonDumpsDefault } from '../../py/json.js';
import { reprJson } from '../../py/repr.js';
import { strSlice } from '../../py/str.js';
import { PyFloat, type PyJson } from '../../py/values.js';
import type { AssessmentRow, TraceInfoEntity } from '../../stores/tracking/trace-infos.js';
import { durationJson, timestampJson } from './proto-time.js';

/** mlflow.tracing.constant: MAX_CHARS_IN_TRACE_INFO_METADATA, _TAGS_KEY, _TAGS_VALUE. */
const METADATA_MAX = 250;
const TAG_KEY_MAX = 250;
const TAG_VALUE_MAX = 4096;

/** assessment_error: stack traces longer than this keep their tail behind a prefix. */
const STACK_TRACE_MAX = 10000;
const STACK_TRACE_PREFIX = '[Stack trace is truncated]\n...\n';

/**
 * json.loads of a stored JSON column. Texts that may hold floats (or NaN / Infinity, which
 * Python writes) take the faithful reader, so `1.0` stays a float when it is dumped again.
 */
function loads(text: string): PyJson | undefined {
  if (!/[.eEIN]/.test(text)) {
    try {
      return JSON.parse(text) as PyJson;
    } catch {
      return undefined;
    }
  }
  return pyJsonLoadsFaithful(text);
}

/** str() of a stored value: None reads "None". */
const pyStr = (v: string | null): string => (v === null ? 'None' : v);

/** {k[:kmax]: str(v)[:vmax]} in the dict's order (a later duplicate keeps the first's place). */
function truncated(m: Map<string, string | null>, kmax: number, vmax: number): Record<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of m) out.set(strSlice(k, kmax), strSlice(pyStr(v), vmax));
  return Object.fromEntries(out);
}

/** str() of a json.loads value (metadata values may be any JSON). */
function strOfJson(v: PyJson): string {
  return typeof v === 'string' ? v : reprJson(v);
}

/** ParseDict(value, Value()): the JSON as it is, floats as numbers. */
function asValue(v: PyJson | undefined): JsonValue {
  if (v === undefined || v === null) return null;
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v.map(asValue);
  if (typeof v === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) out[k] = asValue(x);
    return out;
  }
  return v;
}

/** SqlAssessments.to_mlflow_entity().to_proto(). */
export function assessmentMessage(row: AssessmentRow): Assessment {
  const value = loads(row.value) ?? null;
  const out: Assessment = {
    assessment_id: row.assessment_id,
    assessment_name: row.name,
    trace_id: row.trace_id ?? '',
  };
  if (row.span_id !== null) out.span_id = row.span_id;
  out.source = { source_type: row.source_type as AssessmentSource_SourceType };
  if (row.source_id !== null) out.source.source_id = row.source_id;
  out.create_time = timestampJson(Number(row.created_timestamp));
  out.last_update_time = timestampJson(Number(row.last_updated_timestamp));
  if (row.assessment_type === 'expectation') {
    const simple = value === null || typeof value !== 'object' || value instanceof PyFloat;
    out.expectation = simple
      ? { value: asValue(value) }
      : { serialized_value: { serialization_format: 'JSON_FORMAT', value: jsonDumpsDefault(value) } };
  } else if (row.assessment_type === 'issue') {
    const issueName =
      value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof PyFloat)
        ? (value as Record<string, PyJson>)['issue_name']
        : undefined;
    out.issue = typeof issueName === 'string' ? { issue_name: issueName } : {};
    if (row.rationale !== null) out.rationale = row.rationale;
  } else {
    out.feedback = { value: asValue(value) };
    if (row.error !== null) {
      const e = loads(row.error) as Record<string, PyJson> | undefined;
      const error: NonNullable<Assessment['error']> = { error_code: String(e?.['error_code'] ?? '') };
      const message = e?.['error_message'];
      if (typeof message === 'string' && message) error.error_message = message;
      const stack = e?.['stack_trace'];
      if (typeof stack === 'string' && stack) {
        error.stack_trace =
          [...stack].length > STACK_TRACE_MAX
            ? STACK_TRACE_PREFIX + [...stack].slice(-(STACK_TRACE_MAX - STACK_TRACE_PREFIX.length)).join('')
            : stack;
      }
      out.feedback.error = error;
    }
    if (row.rationale !== null) out.rationale = row.rationale;
  }
  if (row.assessment_metadata !== null) {
    const meta = loads(row.assessment_metadata);
    if (meta !== null && typeof meta === 'object' && !Array.isArray(meta) && !(meta instanceof PyFloat)) {
      const entries = Object.entries(meta as Record<string, PyJson>);
      if (entries.length > 0) out.metadata = Object.fromEntries(entries.map(([k, v]) => [k, strOfJson(v)]));
    }
  }
  if (row.overrides) out.overrides = row.overrides;
  out.valid = Boolean(row.valid);
  return out;
}

/** TraceInfo.to_proto (v3). */
export function traceInfoV3(info: TraceInfoEntity): TraceInfoV3 {
  const out: TraceInfoV3 = {
    trace_id: info.traceId,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: info.experimentId } },
    request_time: timestampJson(info.requestTime),
    state: info.state as TraceInfoV3_State,
    trace_metadata: truncated(info.metadata, METADATA_MAX, METADATA_MAX),
    tags: truncated(info.tags, TAG_KEY_MAX, TAG_VALUE_MAX),
  };
  if (info.clientRequestId !== null) out.client_request_id = info.clientRequestId;
  if (info.requestPreview !== null) out.request_preview = info.requestPreview;
  if (info.responsePreview !== null) out.response_preview = info.responsePreview;
  if (info.executionDuration !== null) out.execution_duration = durationJson(info.executionDuration);
  if (info.assessments.length > 0) out.assessments = info.assessments.map(assessmentMessage);
  return out;
}

/** TraceStatus.from_state. */
const STATUS_OF_STATE: Record<string, TraceStatus> = {
  STATE_UNSPECIFIED: 'TRACE_STATUS_UNSPECIFIED',
  OK: 'OK',
  ERROR: 'ERROR',
  IN_PROGRESS: 'IN_PROGRESS',
};

/** TraceInfoV2.from_v3(info).to_proto(): lists of key/value pairs, a missing duration as 0. */
export function traceInfoV2(info: TraceInfoEntity): TraceInfo {
  const pairs = (r: Record<string, string>) => Object.entries(r).map(([key, value]) => ({ key, value }));
  return {
    request_id: info.traceId,
    experiment_id: info.experimentId,
    timestamp_ms: info.requestTime,
    execution_time_ms: info.executionDuration ?? 0,
    status: STATUS_OF_STATE[info.state] ?? 'TRACE_STATUS_UNSPECIFIED',
    request_metadata: pairs(truncated(info.metadata, METADATA_MAX, METADATA_MAX)),
    tags: pairs(truncated(info.tags, TAG_KEY_MAX, TAG_VALUE_MAX)),
  };
}
