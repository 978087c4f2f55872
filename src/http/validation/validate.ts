/**
 * `_validate_request_json_with_schema` + `_validate_param_against_schema` of the pinned MLflow:
 * which parameters are checked (present keys, or required ones), the run_uuid fallback for
 * run_id, type validators skipped after a successful parse, and the exact messages.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { pyJsonLoadsFaithful } from '../codec-json.js';
import { jsonDumps } from '../../py/json.js';
import { PythonCrash, isObject, typeName, type Json, type PyJson } from '../../py/values.js';
import type { Schema } from './rules.js';
import { AssertionFailure } from './validators.js';

const SEE_DOCS = ' See the API docs for more information about request parameters.';

/** `invalid_value(path, value, message)` of mlflow/utils/validation.py. */
export function invalidValueMessage(param: string, value: PyJson | undefined, message?: string): string {
  const formatted = jsonDumps(value);
  return message
    ? `Invalid value ${formatted} for parameter '${param}' supplied: ${message}`
    : `Invalid value ${formatted} for parameter '${param}' supplied.`;
}

/**
 * Runs one parameter's validators. `pyValue` gives the value as Python holds it (floats told
 * from ints) for the message; it is only computed when a message needs it.
 */
export function validateParam(
  validators: Schema[number][1],
  param: string,
  value: Json | undefined,
  parsed: boolean,
  pyValue: () => PyJson | undefined = () => value,
): void {
  for (const f of validators) {
    if (f.isType && parsed) continue;
    try {
      f(value);
    } catch (e) {
      if (!(e instanceof AssertionFailure)) throw e;
      let message: string;
      if (e.detail !== undefined) message = e.detail;
      else if (f.isRequired) message = `Missing value for required parameter '${param}'.`;
      else {
        const shown = pyValue();
        message = invalidValueMessage(param, shown, ` Hint: Value was of type '${typeName(shown)}'.`);
      }
      throw MlflowError.invalidParameter(message + SEE_DOCS);
    }
  }
}

export function validateRequestJson(
  raw: Json,
  schema: Schema,
  parsed: boolean,
  rawText?: () => string,
): void {
  if (!schema.length) return;
  if (!isObject(raw)) {
    // MLflow indexes the body as a dict: a JSON array/scalar body crashes the handler.
    if (Array.isArray(raw) && !schema.some(([, vs]) => vs.some((v) => v.isRequired))) {
      const present = schema.filter(([k]) => raw.includes(k));
      if (!present.length) return;
    }
    throw new PythonCrash("'list' object has no attribute 'get'");
  }
  for (const [key, validators] of schema) {
    const present = Object.hasOwn(raw, key);
    if (!present && !validators.some(isRequired)) continue;
    const value = paramValue(raw, key);
    validateParam(validators, key, value, parsed, () => {
      const faithful = rawText === undefined ? undefined : pyJsonLoadsFaithful(rawText());
      return isObject(faithful) ? paramValue(faithful as { [k: string]: PyJson }, key) : value;
    });
  }
}

function isRequired(v: Schema[number][1][number]): boolean {
  return v.isRequired === true;
}

/** The parameter as the handler reads it: `run_id` falls back to `run_uuid` when missing. */
function paramValue<T>(obj: { [k: string]: T }, key: string): T | undefined {
  const v = obj[key];
  const missing = v === undefined || v === null;
  return key === 'run_id' && missing && Object.hasOwn(obj, 'run_uuid') ? obj['run_uuid'] : v;
}
