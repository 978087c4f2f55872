/**
 * Input checks of the model registry (mlflow/utils/validation.py: _validate_model_name,
 * _validate_model_version, _validate_registered_model_tag, _validate_model_version_tag,
 * _validate_alias_name, _validate_alias_name_reserved; model_version_stages.get_canonical_stage),
 * with MLflow's messages.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { reprStr } from '../../py/repr.js';
import { strLen } from '../../py/str.js';
import {
  exceedsMaximumLength,
  invalidValue,
  missingValue,
  validateLengthLimit,
  validateTagName,
} from '../tracking/validation.js';

export const MAX_MODEL_REGISTRY_TAG_KEY_LENGTH = 250;
export const MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH = 100_000;
export const MAX_REGISTERED_MODEL_ALIAS_LENGTH = 255;
export const PROMPT_TEXT_TAG_KEY = 'mlflow.prompt.text';

export const ALL_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
/** DEFAULT_STAGES_FOR_GET_LATEST_VERSIONS: the "active" stages. */
export const ACTIVE_STAGES = ['Staging', 'Production'];

const invalid = (msg: string): MlflowError => MlflowError.invalidParameter(msg);

/** _validate_model_name (the request's unset string reaches it as ''). */
export function validateModelName(name: string | undefined, path = 'name'): asserts name is string {
  if (name === undefined || name.trim() === '') throw invalid(missingValue(path));
  if (name.includes('/') || name.includes(':')) {
    throw invalid(`Invalid model name '${name}'. Names cannot contain '/' or ':'.`);
  }
  // path_not_unique without a '/': normpath changes nothing, so only '.' and '..'-prefixed names.
  if (name === '.' || name.startsWith('..')) {
    throw invalid(
      invalidValue(
        'name',
        name,
        'Names may be treated as files in certain cases, and must not resolve to other names when ' +
          `treated as such. This name would resolve to ${reprStr(name)}`,
      ),
    );
  }
}

/** _validate_model_renaming: the new name is checked as a name (messages say 'name'). */
export function validateModelRenaming(newName: string | undefined): asserts newName is string {
  if (newName === undefined || newName.trim() === '') throw invalid(missingValue('new_name'));
  validateModelName(newName);
}

/** _validate_model_version: Python's int() of the version string. */
export function parseModelVersion(version: string | undefined): number {
  const s = (version ?? '').trim();
  if (/^[+-]?\d+(_\d+)*$/.test(s)) return Number(s.replace(/_/g, ''));
  throw invalid(`Parameter 'version' must be an integer, got '${version ?? ''}'.`);
}

export function validateRegisteredModelTag(key: string | undefined, value: string): asserts key is string {
  validateTagName(key);
  validateLengthLimit('key', MAX_MODEL_REGISTRY_TAG_KEY_LENGTH, key);
  validateLengthLimit('value', MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH, value);
}

export function validateModelVersionTag(key: string | undefined, value: string): asserts key is string {
  validateTagName(key);
  validateLengthLimit('key', MAX_MODEL_REGISTRY_TAG_KEY_LENGTH, key);
  if (key === PROMPT_TEXT_TAG_KEY && strLen(value) > MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH) {
    throw invalid(`Prompt text exceeds max length of ${MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH} characters.`);
  }
  validateLengthLimit('value', MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH, value);
}

export { validateTagName };

// Python's `\w` (str patterns) is Unicode-aware: letters, digits and underscore of any script.
const ALIAS_REGEX = /^[\p{L}\p{N}\p{Mn}\p{Mc}_-]*$/u;
const VERSION_ALIAS_REGEX = /^[vV]\p{Nd}+$/u;

/** _validate_alias_name. */
export function validateAliasName(alias: string | undefined): asserts alias is string {
  if (alias === undefined || alias === '') throw invalid('Registered model alias name cannot be empty.');
  if (!ALIAS_REGEX.test(alias)) {
    throw invalid(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  if (strLen(alias) > MAX_REGISTERED_MODEL_ALIAS_LENGTH) {
    throw invalid(exceedsMaximumLength('Registered model alias name', MAX_REGISTERED_MODEL_ALIAS_LENGTH));
  }
}

/** _validate_alias_name_reserved: 'latest' and version-like names ('v1') are reserved. */
export function validateAliasNameReserved(alias: string): void {
  if (alias.toLowerCase() === 'latest') throw invalid("'latest' alias name (case insensitive) is reserved.");
  if (VERSION_ALIAS_REGEX.test(alias)) throw invalid(`Version alias name '${alias}' is reserved.`);
}

/** get_canonical_stage: case-insensitive stage name -> its canonical spelling. */
export function canonicalStage(stage: string): string {
  const found = ALL_STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
  if (!found) {
    throw invalid(`Invalid Model Version stage: ${stage}. Value must be one of ${ALL_STAGES.join(', ')}.`);
  }
  return found;
}
