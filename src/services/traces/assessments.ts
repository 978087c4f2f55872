/**
 * Assessment RPCs of MlflowService served natively: createAssessment (feedback and expectations,
 * handlers._create_assessment: Assessment.from_proto, then SqlAlchemyStore.create_assessment),
 * GetAssessment and deleteAssessment (which read only their path parameters). Issue references
 * and updates still go to the Python server.
 */
import { randomUUID } from 'node:crypto';
import type { Assessment, JsonValue } from '../../gen/messages.js';
import type { MlflowService } from '../../gen/services.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { jsonDumpsDefault } from '../../py/json.js';
import { pyJsonLoadsFaithful } from '../../py/json-loads.js';
import { PyFloat, type PyJson } from '../../py/values.js';
import type { NewAssessment } from '../../stores/tracking/assessments.js';
import { NotNative } from '../raw-reply.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { timestampMillis } from './proto-time.js';
import { assessmentMessage } from './trace-info-message.js';

/** AssessmentMetadataKey.SOURCE_RUN_ID */
const SOURCE_RUN_ID_KEY = 'mlflow.assessment.sourceRunId';

/** MessageToDict of a google.protobuf.Value: every number is a Python float. */
function fromValue(v: JsonValue | undefined): PyJson {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return new PyFloat(v);
  if (Array.isArray(v)) return v.map(fromValue);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromValue(x)]));
  return v;
}

/** trace_analytics.assessment_aggregate: (aggregate_value, is_numeric_value). */
function aggregate(v: PyJson): [number | null, boolean] {
  if (typeof v === 'boolean') return [v ? 1 : 0, false];
  if (v instanceof PyFloat || typeof v === 'number') {
    const n = v instanceof PyFloat ? v.value : v;
    return Number.isFinite(n) ? [n, true] : [null, false];
  }
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'yes' || s === 'no') return [s === 'yes' ? 1 : 0, false];
  }
  return [null, false];
}

/** AssessmentSource.from_proto (an unset source reads as SOURCE_TYPE_UNSPECIFIED, no id). */
function source(a: Assessment): { type: string; id: string | null } {
  return { type: a.source?.source_type ?? 'SOURCE_TYPE_UNSPECIFIED', id: a.source?.source_id || null };
}

/** Assessment.from_proto + SqlAssessments.from_mlflow_entity for feedback and expectations. */
function newAssessment(a: Assessment, traceId: string): NewAssessment {
  const kind =
    a.feedback !== undefined
      ? 'feedback'
      : a.expectation !== undefined
        ? 'expectation'
        : a.issue !== undefined
          ? 'issue'
          : undefined;
  if (kind === undefined) throw MlflowError.invalidParameter('Unknown assessment type: None');
  if (kind === 'issue') throw new NotNative('an issue reference');
  let value: PyJson;
  let error: string | null = null;
  if (kind === 'feedback') {
    value = fromValue(a.feedback!.value);
    const e = a.feedback!.error;
    if (e !== undefined) {
      error = jsonDumpsDefault({
        error_code: e.error_code ?? '',
        error_message: e.error_message || null,
        stack_trace: e.stack_trace || null,
      });
    }
  } else {
    const ser = a.expectation!.serialized_value;
    if (ser !== undefined) {
      if ((ser.serialization_format ?? '') !== 'JSON_FORMAT') {
        throw MlflowError.invalidParameter(
          `Unknown serialization format: ${ser.serialization_format ?? ''}. Only JSON_FORMAT is supported.`,
        );
      }
      const parsed = pyJsonLoadsFaithful(ser.value ?? '');
      if (parsed === undefined) throw new NotNative('an expectation whose serialized value is not JSON');
      value = parsed;
    } else value = fromValue(a.expectation!.value);
    if (value === null) throw MlflowError.invalidParameter('The `value` field must be specified.');
  }
  const metadata = a.metadata && Object.keys(a.metadata).length > 0 ? a.metadata : undefined;
  const now = Date.now();
  const [aggregateValue, isNumeric] = aggregate(value);
  return {
    assessment_id: a.assessment_id || `a-${randomUUID().replace(/-/g, '')}`,
    trace_id: traceId,
    name: a.assessment_name ?? '',
    assessment_type: kind,
    value: jsonDumpsDefault(value),
    error,
    created_timestamp: timestampMillis(a.create_time) || now,
    last_updated_timestamp: timestampMillis(a.last_update_time) || now,
    source_type: source(a).type,
    source_id: source(a).id,
    run_id: metadata?.[SOURCE_RUN_ID_KEY] ?? null,
    span_id: a.span_id || null,
    // Expectation.from_proto takes neither a rationale nor an override.
    rationale: kind === 'feedback' ? a.rationale || null : null,
    overrides: kind === 'feedback' ? a.overrides || null : null,
    assessment_metadata: metadata ? jsonDumpsDefault(metadata) : null,
    aggregate_value: aggregateValue,
    is_numeric_value: isNumeric,
  };
}

export const assessmentHandlers = {
  async createAssessment(req, { stores, pathParams }) {
    const row = await stores.tracking.createAssessment(
      newAssessment(req.assessment ?? {}, pathParams?.trace_id ?? ''),
    );
    return { assessment: assessmentMessage(row) };
  },

  async GetAssessment(req, { stores }) {
    const row = await stores.tracking.getAssessment(req.trace_id ?? '', req.assessment_id ?? '');
    return { assessment: assessmentMessage(row) };
  },

  async deleteAssessment(req, { stores }) {
    await stores.tracking.deleteAssessment(req.trace_id ?? '', req.assessment_id ?? '');
    return {};
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
