/**
 * Per-RPC request validation, transcribed from the pinned MLflow's handlers.py: the `schema=`
 * passed to `_get_request_message` by each handler (parameter order and validator order matter:
 * the first failure is the one reported), plus checks a handler makes before it
 * (`pre`, e.g. logBatch's request-size check). RPCs absent here are only parsed.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { PythonCrash, type Json } from '../codec-python.js';
import { getRequestJson, type RawRequest } from '../codec.js';
import {
  AssertionFailure,
  assertArray,
  assertBool,
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

const req = assertRequired;
const str = assertString;
const int = assertIntlike;
const arr = assertArray;

/** Runs `check` over each item of a list, as logBatch's nested `_assert_required(path=...)` do. */
function eachItem(check: (item: Json, idx: number) => void): Validator {
  return (v) => {
    if (!Array.isArray(v)) throw new PythonCrash('not iterable');
    v.forEach((item, idx) => check(item, idx));
  };
}

const MAX_BATCH_LOG_REQUEST_SIZE = 1_000_000;
const MAX_RUNS_GET_METRIC_HISTORY_BULK = 100;
const MAX_RESULTS_PER_RUN = 2500;

/** `_validate_batch_log_api_req(_get_request_json())`: len() of the decoded body. */
function logBatchPre(r: RawRequest): void {
  const json = getRequestJson(r);
  if (json === undefined || json === null) throw new PythonCrash("object of type 'NoneType' has no len()");
  let size: number;
  if (typeof json === 'string') size = [...json].length;
  else if (Array.isArray(json)) size = json.length;
  else if (typeof json === 'object') size = Object.keys(json).length;
  else throw new PythonCrash('object has no len()');
  if (size > MAX_BATCH_LOG_REQUEST_SIZE) {
    throw MlflowError.invalidParameter(
      `Batched logging API requests must be at most ${MAX_BATCH_LOG_REQUEST_SIZE} bytes, got a request of size ${size}.`,
    );
  }
}

export const RPC_RULES: Readonly<Record<string, RpcRules>> = {
  'MlflowService.createExperiment': {
    schema: [
      ['name', [req, str]],
      ['artifact_location', [str]],
      ['tags', [arr]],
    ],
  },
  'MlflowService.getExperiment': { schema: [['experiment_id', [req, str]]] },
  'MlflowService.getExperimentByName': { schema: [['experiment_name', [req, str]]] },
  'MlflowService.searchExperiments': {
    schema: [
      ['view_type', [int]],
      ['max_results', [int]],
      ['order_by', [arr]],
      ['filter', [str]],
      ['page_token', [str]],
    ],
  },
  'MlflowService.updateExperiment': {
    schema: [
      ['experiment_id', [req, str]],
      ['new_name', [str, req]],
    ],
  },
  'MlflowService.deleteExperiment': { schema: [['experiment_id', [req, str]]] },
  'MlflowService.restoreExperiment': { schema: [['experiment_id', [req, str]]] },
  'MlflowService.setExperimentTag': {
    schema: [
      ['experiment_id', [req, str]],
      ['key', [req, str]],
      ['value', [str]],
    ],
  },
  'MlflowService.deleteExperimentTag': {
    schema: [
      ['experiment_id', [req, str]],
      ['key', [req, str]],
    ],
  },
  'MlflowService.createRun': {
    schema: [
      ['experiment_id', [str]],
      ['start_time', [int]],
      ['run_name', [str]],
    ],
  },
  'MlflowService.getRun': { schema: [['run_id', [req, str]]] },
  'MlflowService.updateRun': {
    schema: [
      ['run_id', [req, str]],
      ['end_time', [int]],
      ['status', [str]],
      ['run_name', [str]],
    ],
  },
  'MlflowService.deleteRun': { schema: [['run_id', [req, str]]] },
  'MlflowService.restoreRun': { schema: [['run_id', [req, str]]] },
  'MlflowService.searchRuns': {
    schema: [
      ['experiment_ids', [arr]],
      ['filter', [str]],
      ['max_results', [int, intAtMost(50000)]],
      ['order_by', [arr, assertItemTypeString]],
    ],
  },
  'MlflowService.setTag': {
    schema: [
      ['run_id', [req, str]],
      ['key', [req, str]],
      ['value', [str]],
    ],
  },
  'MlflowService.deleteTag': {
    schema: [
      ['run_id', [req, str]],
      ['key', [req, str]],
    ],
  },
  'MlflowService.logMetric': {
    schema: [
      ['run_id', [req, str]],
      ['key', [req, str]],
      ['value', [req, assertFloatlike]],
      ['timestamp', [int, req]],
      ['step', [int]],
      ['model_id', [str]],
      ['dataset_name', [str]],
      ['dataset_digest', [str]],
    ],
  },
  'MlflowService.logParam': {
    schema: [
      ['run_id', [req, str]],
      ['key', [req, str]],
      ['value', [str]],
    ],
  },
  'MlflowService.logBatch': {
    pre: logBatchPre,
    schema: [
      ['run_id', [str, req]],
      [
        'metrics',
        [
          arr,
          eachItem((m, idx) => {
            requiredAt(pyGet(m, 'key'), `metrics[${idx}].key`);
            requiredAt(pyGet(m, 'value'), `metrics[${idx}].value`);
            requiredAt(pyGet(m, 'timestamp'), `metrics[${idx}].timestamp`);
          }),
        ],
      ],
      ['params', [arr, eachItem((p, idx) => requiredAt(pyGet(p, 'key'), `params[${idx}].key`))]],
      ['tags', [arr, eachItem((t, idx) => requiredAt(pyGet(t, 'key'), `tags[${idx}].key`))]],
    ],
  },
  'MlflowService.logInputs': {
    schema: [
      ['run_id', [req, str]],
      ['datasets', [arr]],
      ['models', [arr]],
    ],
  },
  'MlflowService.logOutputs': {
    schema: [
      ['run_id', [req, str]],
      ['models', [req, arr]],
    ],
  },
  'MlflowService.getMetricHistory': {
    schema: [
      ['run_id', [str, req]],
      ['metric_key', [str, req]],
      ['page_token', [str]],
    ],
  },
  'MlflowService.getMetricHistoryBulkInterval': {
    schema: [
      [
        'run_ids',
        [
          req,
          arr,
          assertItemTypeString,
          lengthAtMost(
            MAX_RUNS_GET_METRIC_HISTORY_BULK,
            (n) =>
              `GetMetricHistoryBulkInterval request must specify at most ${MAX_RUNS_GET_METRIC_HISTORY_BULK} run_ids. Received ${n} run_ids.`,
          ),
        ],
      ],
      ['metric_key', [req, str]],
      ['start_step', [int]],
      ['end_step', [int]],
      [
        'max_results',
        [int, intWithin(1, MAX_RESULTS_PER_RUN, `max_results must be between 1 and ${MAX_RESULTS_PER_RUN}.`)],
      ],
    ],
  },
};

// Referenced so the full validator vocabulary stays in one import for table authors.
void assertBool;
void assertMapKeyPresent;
void AssertionFailure;
