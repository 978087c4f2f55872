/**
 * Per-RPC request validation. The schemas come generated from the pinned handlers.py
 * (src/gen/handler-schemas.ts: parameters and validators in MLflow's order); this file maps each
 * validator name to its TS twin and keeps by hand what a handler checks before decoding (`pre`,
 * e.g. logBatch's request-size check). Validators we do not know are skipped and listed by
 * `unsupportedValidators()` (MLflow would refuse some requests we accept there, never the reverse).
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { HANDLER_SCHEMAS, type ValidatorSpec } from '../../gen/handler-schemas.js';
import { strLen } from '../../py/str.js';
import { PythonCrash, type Json } from '../../py/values.js';
import { getRequestJson, type RawRequest } from '../codec.js';
import {
  assertArray,
  assertBool,
  assertDict,
  assertFloatlike,
  assertIntlike,
  assertItemTypeString,
  assertMapKeyPresent,
  assertRequired,
  assertString,
  intAtMost,
  intWithin,
  lengthAtMost,
  pyGet,
  requiredAt,
  type Validator,
} from './validators.js';

export type Schema = readonly (readonly [param: string, validators: readonly Validator[]])[];

export interface RpcRules {
  schema: Schema;
  /** Runs before decoding, on the raw request (as the handler does before `_get_request_message`). */
  pre?: (req: RawRequest) => void;
}

/** Runs `check` over each item of a list, as logBatch's nested `_assert_required(path=...)` do. */
function eachItem(check: (item: Json, idx: number) => void): Validator {
  return (v) => {
    if (!Array.isArray(v)) throw new PythonCrash('not iterable');
    v.forEach((item, idx) => check(item, idx));
  };
}

const SEARCH_MAX_RESULTS_THRESHOLD = 50000;

/** handlers.py validator name -> TS twin. */
const NAMED: Readonly<Record<string, Validator>> = {
  _assert_string: assertString,
  _assert_required: assertRequired,
  _assert_array: assertArray,
  _assert_intlike: assertIntlike,
  _assert_floatlike: assertFloatlike,
  _assert_bool: assertBool,
  _assert_dict: assertDict,
  _assert_item_type_string: assertItemTypeString,
  _assert_map_key_present: assertMapKeyPresent,
  _assert_metrics_fields_present: eachItem((m, idx) => {
    requiredAt(pyGet(m, 'key'), `metrics[${idx}].key`);
    requiredAt(pyGet(m, 'value'), `metrics[${idx}].value`);
    requiredAt(pyGet(m, 'timestamp'), `metrics[${idx}].timestamp`);
  }),
  _assert_params_fields_present: eachItem((p, idx) => requiredAt(pyGet(p, 'key'), `params[${idx}].key`)),
  _assert_tags_fields_present: eachItem((t, idx) => requiredAt(pyGet(t, 'key'), `tags[${idx}].key`)),
  _review_queue_max_results_validator: intWithin(
    1,
    SEARCH_MAX_RESULTS_THRESHOLD,
    `max_results must be between 1 and ${SEARCH_MAX_RESULTS_THRESHOLD}.`,
  ),
  // Raises MlflowException itself (not AssertionError): no "See the API docs" suffix.
  _assert_secret_value: (v) => {
    if (v === undefined || v === null) {
      throw MlflowError.invalidParameter("Missing value for required parameter 'secret_value'.");
    }
  },
};

const MAX_BATCH_LOG_REQUEST_SIZE = 1_000_000;

/** `_validate_batch_log_api_req(_get_request_json())`: len() of the decoded body. */
function logBatchPre(r: RawRequest): void {
  const json = getRequestJson(r);
  if (json === undefined || json === null) throw new PythonCrash("object of type 'NoneType' has no len()");
  let size: number;
  if (typeof json === 'string') size = strLen(json);
  else if (Array.isArray(json)) size = json.length;
  else if (typeof json === 'object') size = Object.keys(json).length;
  else throw new PythonCrash('object has no len()');
  if (size > MAX_BATCH_LOG_REQUEST_SIZE) {
    throw MlflowError.invalidParameter(
      `Batched logging API requests must be at most ${MAX_BATCH_LOG_REQUEST_SIZE} bytes, got a request of size ${size}.`,
    );
  }
}

/**
 * Request messages whose handler never calls `_get_request_message` (it takes only its path
 * parameters, and getLoggedModel one `request.args` flag): the request's query string and body are
 * not decoded at all, so a body that is not a JSON object changes nothing.
 */
const READS_NO_MESSAGE: ReadonlySet<string> = new Set([
  'mlflow.GetWebhook',
  'mlflow.DeleteWebhook',
  'mlflow.GetLoggedModel',
  'mlflow.DeleteLoggedModel',
  'mlflow.DeleteLoggedModelTag',
  'mlflow.GetTraceInfoV3',
  'mlflow.GetTraceInfo',
  'mlflow.GetAssessmentRequest',
  'mlflow.DeleteAssessment',
]);

export const readsNoMessage = (requestType: string): boolean => READS_NO_MESSAGE.has(requestType);

/** Checks a handler makes before `_get_request_message`, by request message. */
const PRE: Readonly<Record<string, (req: RawRequest) => void>> = {
  'mlflow.LogBatch': logBatchPre,
};

function toValidator(spec: ValidatorSpec): Validator | undefined {
  if (typeof spec === 'string') return NAMED[spec];
  switch (spec.op) {
    case 'int_at_most':
      return intAtMost(spec.max);
    case 'len_at_most': {
      const message = spec.message;
      return lengthAtMost(
        spec.max,
        message === undefined ? undefined : (n) => message.replace('{n}', String(n)),
      );
    }
    case 'int_within':
      return intWithin(spec.min, spec.max, spec.message);
    default:
      return undefined;
  }
}

const cache = new Map<string, RpcRules | undefined>();

/** The rules of the RPC whose request message is `requestType` (undefined: parse only). */
export function rulesFor(requestType: string): RpcRules | undefined {
  if (cache.has(requestType)) return cache.get(requestType);
  const specs = HANDLER_SCHEMAS[requestType];
  let rules: RpcRules | undefined;
  if (specs || PRE[requestType]) {
    const schema = (specs ?? []).map(
      ([param, vs]) => [param, vs.map(toValidator).filter((v): v is Validator => v !== undefined)] as const,
    );
    rules = { schema, ...(PRE[requestType] ? { pre: PRE[requestType] } : {}) };
  }
  cache.set(requestType, rules);
  return rules;
}

/** Validators of the generated schemas that have no TS twin (skipped), as `Type.param: spec`. */
export function unsupportedValidators(): string[] {
  const out: string[] = [];
  for (const [type, params] of Object.entries(HANDLER_SCHEMAS)) {
    for (const [param, vs] of params ?? []) {
      for (const v of vs)
        if (!toValidator(v)) out.push(`${type}.${param}: ${typeof v === 'string' ? v : v.op}`);
    }
  }
  return out;
}
