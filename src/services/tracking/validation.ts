/**
 * Store-level validation of mlflow/utils/validation.py (limits, names, messages), applied by the
 * tracking services before the store is called, in the order the Python store applies it.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { jsonDumps } from '../../py/json.js';
import type { PyJson } from '../../py/values.js';
import type { Stores } from '../../stores/index.js';
import { floatRepr } from '../../py/numbers.js';
import { normpath } from '../../py/path.js';
import { reprStr } from '../../py/repr.js';
import { strLen, strSlice } from '../../py/str.js';
import { unquoteFully, urlScheme, USES_PARAMS } from '../../py/urlparse.js';

export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_ENTITIES_PER_BATCH = 1000;
export const MAX_PARAM_VAL_LENGTH = 6000;
export const MAX_TAG_VAL_LENGTH = 8000;
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
export const MAX_EXPERIMENT_TAG_KEY_LENGTH = 250;
export const MAX_EXPERIMENT_TAG_VAL_LENGTH = 20000;
export const MAX_ENTITY_KEY_LENGTH = 250;
export const MAX_DATASET_NAME_SIZE = 500;
export const MAX_DATASET_DIGEST_SIZE = 36;
export const MAX_DATASET_SCHEMA_SIZE = 1048575;
export const MAX_DATASET_SOURCE_SIZE = 65535;
export const MAX_DATASET_PROFILE_SIZE = 16777215;
export const MAX_INPUT_TAG_KEY_SIZE = 255;
export const MAX_INPUT_TAG_VALUE_SIZE = 500;
export const MAX_CUSTOM_VIEWS_PER_EXPERIMENT = 50;

const RUN_ID_REGEX = /^[a-zA-Z0-9][\p{L}\p{N}_-]{0,255}$/u;
const NAME_REGEX = /^[/\p{L}\p{N}_.\- :]*$/u;
/** The ASCII subset of NAME_REGEX: the common case, without the Unicode property tables. */
const ASCII_NAME_REGEX = /^[/A-Za-z0-9_.\- :]*$/;
const MISSING_KEY_NAME_MESSAGE = 'A key name must be provided.';

const invalid = (msg: string): MlflowError => MlflowError.invalidParameter(msg);

export function invalidValue(path: string, value: unknown, message?: string): string {
  const v = jsonDumps(value as PyJson);
  return message
    ? `Invalid value ${v} for parameter '${path}' supplied: ${message}`
    : `Invalid value ${v} for parameter '${path}' supplied.`;
}
export const missingValue = (path: string): string => `Missing value for required parameter '${path}'.`;
export const exceedsMaximumLength = (path: string, limit: number): string =>
  `'${path}' exceeds the maximum length of ${limit} characters`;

const appendPath = (current: string, value: string): string =>
  !current ? value : value.startsWith('[') ? `${current}${value}` : `${current}.${value}`;

const badCharacterMessage = (): string =>
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).';

const badPathMessage = (name: string): string =>
  'Names may be treated as files in certain cases, and must not resolve to other names when treated as such. ' +
  `This name would resolve to ${reprStr(normpath(name))}`;

function pathNotUnique(name: string): boolean {
  // Without a slash normpath only changes '' (to '.'); '.' and '..'-prefixed names are refused.
  if (!name.includes('/')) return name === '' || name === '.' || name.startsWith('..');
  const norm = normpath(name);
  return norm !== name || norm === '.' || norm.startsWith('..') || norm.startsWith('/');
}

function checkName(name: string, path: string): void {
  if (!ASCII_NAME_REGEX.test(name) && !NAME_REGEX.test(name))
    throw invalid(invalidValue(path, name, badCharacterMessage()));
  if (pathNotUnique(name)) throw invalid(invalidValue(path, name, badPathMessage(name)));
}

export interface LengthOptions {
  truncate?: boolean;
  /** MLFLOW_TRUNCATE_LONG_VALUES (default true). */
  truncateLongValues?: boolean;
}

/** _validate_length_limit: error, or truncation where MLflow truncates (param / run tag values). */
export function validateLengthLimit(
  entity: string,
  limit: number,
  value: string,
  opts: LengthOptions = {},
): string {
  if (value.length <= limit || strLen(value) <= limit) return value;
  if (opts.truncate && (opts.truncateLongValues ?? true)) return strSlice(value, limit);
  throw invalid(exceedsMaximumLength(entity, limit));
}

export interface MetricLike {
  key: string | undefined;
  value: unknown;
  timestamp: unknown;
  step: unknown;
}

/**
 * _validate_metric; `path` is '' for logMetric, `metrics[i]` in a batch. `validKeys` (a batch's)
 * holds keys already found valid: their name checks are skipped, and a key is added once valid.
 */
export function validateMetric(m: MetricLike, path = '', validKeys?: Set<string>): void {
  const known = m.key !== undefined && m.key !== null && validKeys?.has(m.key) === true;
  if (!known) {
    const namePath = appendPath(path, 'name');
    if (m.key === undefined || m.key === null) {
      throw invalid(invalidValue(namePath, null, `Metric name cannot be None. ${MISSING_KEY_NAME_MESSAGE}`));
    }
    checkName(m.key, namePath);
  }
  if (m.value === undefined || m.value === null) throw invalid(missingValue(appendPath(path, 'value')));
  if (typeof m.value !== 'number') {
    throw invalid(
      invalidValue(
        appendPath(path, 'value'),
        m.value,
        `(timestamp=${String(m.timestamp)}). Please specify value as a valid double (64-bit floating point)`,
      ),
    );
  }
  if (typeof m.timestamp !== 'number' || m.timestamp < 0) {
    throw invalid(
      invalidValue(
        appendPath(path, 'timestamp'),
        m.timestamp ?? null,
        `metric '${m.key}' (value=${floatRepr(m.value)}). Timestamp must be a nonnegative long (64-bit integer) `,
      ),
    );
  }
  if (typeof m.step !== 'number') {
    throw invalid(
      invalidValue(
        appendPath(path, 'step'),
        m.step ?? null,
        `metric '${m.key}' (value=${floatRepr(m.value)}). Step must be a valid long (64-bit integer).`,
      ),
    );
  }
  if (known) return;
  validateLengthLimit('Metric name', MAX_ENTITY_KEY_LENGTH, m.key!);
  validKeys?.add(m.key!);
}

/** _validate_param: returns the (possibly truncated) param. */
export function validateParam(
  key: string | undefined,
  value: string,
  path = '',
  truncateLongValues = true,
): { key: string; value: string } {
  const keyPath = appendPath(path, 'key');
  if (key === undefined || key === null) throw invalid(invalidValue(keyPath, '', MISSING_KEY_NAME_MESSAGE));
  checkName(key, keyPath);
  return {
    key: validateLengthLimit('Param key', MAX_ENTITY_KEY_LENGTH, key),
    value: validateLengthLimit('Param value', MAX_PARAM_VAL_LENGTH, value, {
      truncate: true,
      truncateLongValues,
    }),
  };
}

export function validateTagName(name: string | undefined, path = 'key'): asserts name is string {
  if (name === undefined || name === null) throw invalid(missingValue(path));
  checkName(name, path);
}

/** _validate_tag (run tags): returns the (possibly truncated) tag. */
export function validateTag(
  key: string | undefined,
  value: string,
  path = '',
  truncateLongValues = true,
): { key: string; value: string } {
  validateTagName(key, appendPath(path, 'key'));
  return {
    key: validateLengthLimit(appendPath(path, 'key'), MAX_ENTITY_KEY_LENGTH, key),
    value: validateLengthLimit(appendPath(path, 'value'), MAX_TAG_VAL_LENGTH, value, {
      truncate: true,
      truncateLongValues,
    }),
  };
}

/** _validate_experiment_tag, including the trace-archival tags' JSON values. */
export function validateExperimentTag(key: string | undefined, value: string): void {
  validateTagName(key);
  validateLengthLimit('key', MAX_EXPERIMENT_TAG_KEY_LENGTH, key);
  validateLengthLimit('value', MAX_EXPERIMENT_TAG_VAL_LENGTH, value);
  if (key === 'mlflow.trace.archivalRetention')
    parseArchivalDurationConfig(value, 'value', 'duration', false);
  else if (key === 'mlflow.trace.archiveNow')
    parseArchivalDurationConfig(value, 'older_than', undefined, true);
}

const RETENTION_FORM_MESSAGE =
  "Trace archival retention must be in the form `<int><unit>`, where unit is one of 'm', 'h', or 'd'.";

/** _parse_trace_archival_duration_config + _validate_trace_archival_retention_string */
function parseArchivalDurationConfig(
  value: string,
  durationKey: string,
  expectedType: string | undefined,
  allowMissing: boolean,
): void {
  let payload: unknown;
  try {
    payload = JSON.parse(value);
  } catch {
    throw invalid('Trace archival config must be encoded as a JSON object.');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw invalid('Trace archival config must be encoded as a JSON object.');
  }
  const obj = payload as Record<string, unknown>;
  if (expectedType !== undefined && obj.type !== expectedType) {
    throw invalid(`Trace archival config must use type '${expectedType}'.`);
  }
  const duration = obj[durationKey];
  if ((duration === undefined || duration === null) && allowMissing) return;
  if (typeof duration !== 'string') throw invalid(RETENTION_FORM_MESSAGE);
  const trimmed = duration.trim();
  if (strLen(trimmed) > 32) throw invalid('Trace archival duration must be at most 32 characters.');
  if (!/^[1-9][0-9]*[mhd]$/.test(trimmed)) throw invalid(RETENTION_FORM_MESSAGE);
}

export function validateExperimentName(name: string | undefined): asserts name is string {
  if (name === undefined || name === null || !name.trim()) {
    throw invalid(`Invalid experiment name: '${name ?? 'None'}'`);
  }
  if (strLen(name) > MAX_EXPERIMENT_NAME_LENGTH)
    throw invalid(exceedsMaximumLength('name', MAX_EXPERIMENT_NAME_LENGTH));
}

export function validateRunId(runId: string, path = 'run_id'): void {
  if (!RUN_ID_REGEX.test(runId)) throw invalid(invalidValue(path, runId));
}

function batchLimit(entity: string, limit: number, length: number): void {
  if (length > limit) {
    throw invalid(
      `A batch logging request can contain at most ${limit} ${entity}. Got ${length} ${entity}. ` +
        `Please split up ${entity} across multiple requests and try again.`,
    );
  }
}

export function validateBatchLimits(metrics: number, params: number, tags: number): void {
  batchLimit('metrics', MAX_METRICS_PER_BATCH, metrics);
  batchLimit('params', MAX_PARAMS_TAGS_PER_BATCH, params);
  batchLimit('tags', MAX_PARAMS_TAGS_PER_BATCH, tags);
  batchLimit('metrics, params, and tags', MAX_ENTITIES_PER_BATCH, metrics + params + tags);
}

export function validateParamKeysUnique(params: { key: string }[]): void {
  const seen = new Set<string>();
  const dupes: string[] = [];
  for (const p of params) {
    if (seen.has(p.key)) dupes.push(p.key);
    else seen.add(p.key);
  }
  if (dupes.length > 0) {
    throw invalid(
      `Duplicate parameter keys have been submitted: [${dupes.map(reprStr).join(', ')}]. Please ensure ` +
        'the request contains only one param value per param key.',
    );
  }
}

export interface DatasetInputLike {
  dataset?: {
    name?: string;
    digest?: string;
    source_type?: string;
    source?: string;
    schema?: string;
    profile?: string;
  };
  tags?: { key?: string; value?: string }[];
}

/** _validate_dataset_inputs */
export function validateDatasetInputs(inputs: DatasetInputLike[]): void {
  for (const input of inputs) {
    const d = input.dataset;
    if (!d) throw invalid('Dataset cannot be None');
    if (d.name === undefined) throw invalid('Dataset name cannot be None');
    if (d.digest === undefined) throw invalid('Dataset digest cannot be None');
    if (d.source_type === undefined) throw invalid('Dataset source_type cannot be None');
    if (d.source === undefined) throw invalid('Dataset source cannot be None');
    if (strLen(d.name) > MAX_DATASET_NAME_SIZE)
      throw invalid(exceedsMaximumLength('name', MAX_DATASET_NAME_SIZE));
    if (strLen(d.digest) > MAX_DATASET_DIGEST_SIZE)
      throw invalid(exceedsMaximumLength('digest', MAX_DATASET_DIGEST_SIZE));
    if (strLen(d.source) > MAX_DATASET_SOURCE_SIZE)
      throw invalid(exceedsMaximumLength('source', MAX_DATASET_SOURCE_SIZE));
    if (d.schema !== undefined && strLen(d.schema) > MAX_DATASET_SCHEMA_SIZE) {
      throw invalid(exceedsMaximumLength('schema', MAX_DATASET_SCHEMA_SIZE));
    }
    if (d.profile !== undefined && strLen(d.profile) > MAX_DATASET_PROFILE_SIZE) {
      throw invalid(exceedsMaximumLength('profile', MAX_DATASET_PROFILE_SIZE));
    }
    for (const t of input.tags ?? []) {
      if (t.key === undefined) throw invalid('InputTag key cannot be None');
      if (t.value === undefined) throw invalid('InputTag value cannot be None');
      if (strLen(t.key) > MAX_INPUT_TAG_KEY_SIZE)
        throw invalid(exceedsMaximumLength('key', MAX_INPUT_TAG_KEY_SIZE));
      if (strLen(t.value) > MAX_INPUT_TAG_VALUE_SIZE)
        throw invalid(exceedsMaximumLength('value', MAX_INPUT_TAG_VALUE_SIZE));
    }
  }
}

/** handlers._validate_storage_location_uri (minus the host-addressed scheme policy) + runs:/ check. */
export function validateArtifactLocation(
  location: string,
  field = 'artifact_location',
  checkHost?: () => void,
): void {
  // urllib.parse.urlparse: a non-empty fragment for any scheme; `;params` on the last path
  // segment only for the schemes in urllib.parse.uses_params.
  const scheme = urlScheme(location);
  const beforeFragment = location.split('#')[0]!;
  const hasFragment = location.length > beforeFragment.length + 1;
  const lastSegment = beforeFragment.split('?')[0]!.split('/').pop() ?? '';
  const hasParams = USES_PARAMS.has(scheme) && /;./.test(lastSegment);
  if (hasFragment || hasParams) {
    throw invalid(`'${field}' URL can't include fragments or params.`);
  }
  const q = location.indexOf('?');
  if (q >= 0) {
    if (unquoteFully(location.slice(q + 1)).includes('..')) throw invalid('Invalid query string');
  }
  checkHost?.();
  if (location.startsWith('runs:')) {
    throw invalid(`Artifact location cannot be a runs:/ URI. Given: '${location}'`);
  }
}

/** mlflow.utils.mlflow_tags.MLFLOW_CUSTOM_VIEW_TAG_PREFIX */
const CUSTOM_VIEW_TAG_PREFIX = 'mlflow.customView.view';

export function isCustomViewTag(key: string): boolean {
  return key.startsWith(CUSTOM_VIEW_TAG_PREFIX);
}

export function customViewLimitError(experimentId?: string): MlflowError {
  const ref = experimentId ? ` for experiment ${experimentId}` : '';
  return invalid(
    `Unable to create another custom view${ref}; the maximum number of custom views per experiment is ` +
      `${MAX_CUSTOM_VIEWS_PER_EXPERIMENT}. Delete an existing custom view before creating a new one.`,
  );
}

/** MLFLOW_TRUNCATE_LONG_VALUES of the server (MLflow's default: true). */
export function truncateLongValues(stores: Stores): boolean {
  return stores.options.truncateLongValues ?? true;
}
