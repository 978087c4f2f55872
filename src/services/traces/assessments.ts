/**
 * Assessment RPCs of MlflowService served natively: createAssessment (feedback and expectations,
 * handlers._create_assessment: Assessment.from_proto, then SqlAlchemyStore.create_assessment),
 * GetAssessment and deleteAssessment (which read only their path parameters), updateAssessment
 * (handlers._update_assessment over SqlAlchemyStore.update_assessment). Issue references are
 * created natively; updating one goes to the Python server (MLflow fails on it).
 */
import { randomUUID } from 'node:crypto';
import type { Assessment, JsonValue } from '../../gen/messages.js';
import type { MlflowService } from '../../gen/services.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { jsonDumpsDefault } from '../../py/json.js';
import { pyJsonLoadsFaithful } from '../../py/json-loads.js';
import { PyFloat, type PyJson } from '../../py/values.js';
import { pyJsonLoadsExact } from '../../py/json-exact.js';
import type { AssessmentUpdate, NewAssessment } from '../../stores/tracking/assessments.js';
import type { AssessmentRow } from '../../stores/tracking/trace-infos.js';
import { NotNative } from '../raw-reply.js';
import { PythonCrash } from '../../py/values.js';
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

/** AssessmentError.to_dictionary, dumped. */
function errorJson(e: NonNullable<NonNullable<Assessment['feedback']>['error']>): string {
  return jsonDumpsDefault({
    error_code: e.error_code ?? '',
    error_message: e.error_message || null,
    stack_trace: e.stack_trace || null,
  });
}

/** ExpectationValue.from_proto: the value, or its JSON_FORMAT serialization loaded. */
function expectationValue(e: NonNullable<Assessment['expectation']>): PyJson {
  const ser = e.serialized_value;
  if (ser === undefined) return fromValue(e.value);
  if ((ser.serialization_format ?? '') !== 'JSON_FORMAT') {
    throw MlflowError.invalidParameter(
      `Unknown serialization format: ${ser.serialization_format ?? ''}. Only JSON_FORMAT is supported.`,
    );
  }
  const parsed = pyJsonLoadsFaithful(ser.value ?? '');
  if (parsed === undefined) throw new NotNative('an expectation whose serialized value is not JSON');
  return parsed;
}

/** Assessment.from_proto + SqlAssessments.from_mlflow_entity for feedback and expectations. */
export function newAssessment(a: Assessment, traceId: string): NewAssessment {
  const kind =
    a.feedback !== undefined
      ? 'feedback'
      : a.expectation !== undefined
        ? 'expectation'
        : a.issue !== undefined
          ? 'issue'
          : undefined;
  if (kind === undefined) throw MlflowError.invalidParameter('Unknown assessment type: None');
  let value: PyJson;
  let error: string | null = null;
  if (kind === 'issue') {
    // IssueReference.from_proto: the issue id is the name, the value IssueReferenceValue's dict.
    value = { issue_name: a.issue!.issue_name ?? '' };
  } else if (kind === 'feedback') {
    value = fromValue(a.feedback!.value);
    const e = a.feedback!.error;
    if (e !== undefined) error = errorJson(e);
  } else {
    value = expectationValue(a.expectation!);
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
    // Expectation.from_proto takes neither a rationale nor an override; IssueReference no override.
    rationale: kind !== 'expectation' ? a.rationale || null : null,
    overrides: kind === 'feedback' ? a.overrides || null : null,
    assessment_metadata: metadata ? jsonDumpsDefault(metadata) : null,
    aggregate_value: aggregateValue,
    is_numeric_value: isNumeric,
  };
}

/** FieldMask.FromJsonString: comma-separated lowerCamelCase paths, as snake_case. */
function maskPaths(mask: string): string[] {
  if (mask === '') return [];
  return mask.split(',').map((p) => {
    // MLflow's ParseDict refuses a path with an underscore (a 400 the Python server words).
    if (p.includes('_')) throw new NotNative('an update_mask path with an underscore');
    return p.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
  });
}

/** The stored metadata as an ordered list of string items (its JSON object, loaded). */
function storedMetadata(json: string | null): [string, string][] {
  if (json === null) return [];
  const v = pyJsonLoadsExact(json);
  if (!(v instanceof Map)) throw new NotNative('stored assessment metadata that is not an object');
  const out: [string, string][] = [];
  for (const [k, x] of v) {
    if (typeof x !== 'string') throw new NotNative('stored assessment metadata with a non-string value');
    out.push([k, x]);
  }
  return out;
}

/** What the update request carries once the handler has read it. */
interface ParsedUpdate {
  paths: readonly string[];
  expectation?: PyJson;
  feedback?: { value: PyJson; error: string | null };
}

/** The handler's part: the mask read and Feedback.from_proto / Expectation.from_proto run. */
function parseUpdate(a: Assessment, mask: string): ParsedUpdate {
  const paths = maskPaths(mask);
  const out: ParsedUpdate = { paths };
  if (paths.includes('expectation')) {
    const v = expectationValue(a.expectation ?? {});
    if (v === null) throw MlflowError.invalidParameter('The `value` field must be specified.');
    out.expectation = v;
  }
  if (paths.includes('feedback')) {
    out.feedback = {
      value: fromValue(a.feedback?.value),
      error: a.feedback?.error ? errorJson(a.feedback.error) : null,
    };
  }
  // The handler passes `valid=` to update_assessment(), which takes no such argument: a TypeError
  // before the store reads anything (Flask's bare 500).
  if (paths.includes('valid'))
    throw new PythonCrash("update_assessment() got an unexpected keyword argument 'valid'");
  return out;
}

/**
 * The handler's kwargs (from the mask) applied as update_assessment does: the kinds checked, the
 * metadata merged (stored items first, new values winning), the value and error of the new
 * feedback or expectation, the name and rationale replaced when given.
 */
function updateFrom(a: Assessment, u: ParsedUpdate, existing: AssessmentRow): AssessmentUpdate {
  const has = (p: string): boolean => u.paths.includes(p);
  if (existing.assessment_type !== 'feedback' && existing.assessment_type !== 'expectation') {
    throw new NotNative(`an update of a ${existing.assessment_type} assessment`);
  }
  const newExpectation = u.expectation;
  const newFeedback = u.feedback;
  if (newExpectation !== undefined && newFeedback !== undefined) {
    throw MlflowError.invalidParameter('Cannot specify both `expectation` and `feedback` parameters.');
  }
  if (newExpectation !== undefined && existing.assessment_type !== 'expectation') {
    throw MlflowError.invalidParameter('Cannot update expectation value on a Feedback assessment.');
  }
  if (newFeedback !== undefined && existing.assessment_type === 'expectation') {
    throw MlflowError.invalidParameter('Cannot update feedback value on an Expectation assessment.');
  }
  const isExpectation = existing.assessment_type === 'expectation';
  if (newExpectation !== undefined && !isExpectation) {
    throw MlflowError.invalidParameter('Cannot update expectation value on a Feedback assessment.');
  }
  if (newFeedback !== undefined && isExpectation) {
    throw MlflowError.invalidParameter('Cannot update feedback value on an Expectation assessment.');
  }
  const merged = new Map(storedMetadata(existing.assessment_metadata));
  if (has('metadata')) for (const [k, v] of Object.entries(a.metadata ?? {})) merged.set(k, v);
  const metadataJson =
    merged.size > 0
      ? '{' + [...merged].map(([k, v]) => `${jsonDumpsDefault(k)}: ${jsonDumpsDefault(v)}`).join(', ') + '}'
      : null;
  let value: PyJson;
  let valueJson: string;
  let error: string | null;
  if (isExpectation) {
    value = newExpectation !== undefined ? newExpectation : loadsStored(existing.value);
    valueJson = newExpectation !== undefined ? jsonDumpsDefault(newExpectation) : existing.value;
    error = null;
  } else if (newFeedback !== undefined) {
    value = newFeedback.value;
    valueJson = jsonDumpsDefault(newFeedback.value);
    error = newFeedback.error;
  } else {
    value = loadsStored(existing.value);
    valueJson = existing.value;
    error = existing.error;
  }
  const [aggregateValue, isNumeric] = aggregate(value);
  return {
    name: has('assessment_name') ? (a.assessment_name ?? '') : existing.name,
    value: valueJson,
    error,
    last_updated_timestamp: Date.now(),
    // Expectation entities carry no rationale: the update clears the column.
    rationale: isExpectation ? null : has('rationale') ? (a.rationale ?? '') : existing.rationale,
    assessment_metadata: metadataJson,
    aggregate_value: aggregateValue,
    is_numeric_value: isNumeric,
  };
}

/** A stored value as update_assessment re-dumps it: only the forms that dump back unchanged. */
function loadsStored(json: string): PyJson {
  const v = pyJsonLoadsFaithful(json);
  if (v === undefined || jsonDumpsDefault(v) !== json)
    throw new NotNative('a stored value in another JSON form');
  return v;
}

export const assessmentHandlers = {
  async updateAssessment(req, { stores, pathParams }) {
    const a = req.assessment ?? {};
    const parsed = parseUpdate(a, req.update_mask ?? '');
    const row = await stores.tracking.updateAssessment(
      pathParams?.trace_id ?? '',
      pathParams?.assessment_id ?? '',
      (existing) => updateFrom(a, parsed, existing),
    );
    return { assessment: assessmentMessage(row) };
  },

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
