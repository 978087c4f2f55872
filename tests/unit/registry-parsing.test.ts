import { describe, expect, it } from 'vitest';
import { parseModelUri, parseRunsUri } from '../../src/services/registry/model-uri.js';
import { isPromptRequest, tagDict } from '../../src/services/registry/prompts.js';
import {
  MODEL_VERSION_FLAVOR,
  parseModelFilter,
  REGISTERED_MODEL_FLAVOR,
} from '../../src/services/registry/search-filter.js';
import { isLocalUri, pyResolve } from '../../src/services/registry/source.js';
import {
  canonicalStage,
  parseModelVersion,
  validateAliasName,
  validateAliasNameReserved,
  validateModelName,
} from '../../src/services/registry/validation.js';

describe('models:/ and runs:/ URIs', () => {
  it('parses each form of a models:/ URI as _parse_model_uri does', () => {
    expect(parseModelUri('models:/m/3')).toEqual({ name: 'm', version: '3' });
    expect(parseModelUri('models:/m/Production')).toEqual({ name: 'm', stage: 'Production' });
    expect(parseModelUri('models:/m/LATEST')).toEqual({ name: 'm' });
    expect(parseModelUri('models:/m@champ')).toEqual({ name: 'm', alias: 'champ' });
    expect(parseModelUri('models:/m-abc')).toEqual({ modelId: 'm-abc' });
    for (const bad of ['models:/', 'models:/a/b/c', 'models:/m/ ', 'runs:/x', 'models:/m@']) {
      expect(() => parseModelUri(bad)).toThrow(/Not a proper models:\/ URI/);
    }
  });

  it('reads the run id of a runs:/ URI', () => {
    expect(parseRunsUri('runs:/abc/model/x')).toBe('abc');
    expect(() => parseRunsUri('runs:/')).toThrow(/Not a proper runs:\/ URI/);
  });
});

describe('source checks', () => {
  it('treats scheme-less and file: URIs as local, refusing a remote file host', () => {
    expect(isLocalUri('/tmp/x')).toBe(true);
    expect(isLocalUri('relative/x')).toBe(true);
    expect(isLocalUri('file:///tmp/x')).toBe(true);
    expect(isLocalUri('s3://b/x')).toBe(false);
    expect(isLocalUri('databricks')).toBe(false);
    expect(() => isLocalUri('file://remote.example/x')).toThrow(/is not a valid remote uri/);
  });

  it('resolves paths like pathlib (absolute, normalized)', () => {
    expect(pyResolve('/a/./b/')).toBe('/a/b');
    expect(pyResolve('')).toBe(pyResolve(process.cwd()));
  });
});

describe('registry filters', () => {
  it('upper-cases comparators and strips quotes and backticks from tag keys', () => {
    expect(parseModelFilter(REGISTERED_MODEL_FLAVOR, "name like 'a%' and tags.`k.x` = 'v'")).toEqual([
      { type: 'attribute', key: 'name', comparator: 'LIKE', value: 'a%' },
      { type: 'tag', key: 'k.x', comparator: '=', value: 'v' },
    ]);
  });

  it('reads numbers only for model version numeric attributes', () => {
    expect(parseModelFilter(MODEL_VERSION_FLAVOR, 'version_number >= 2')).toEqual([
      { type: 'attribute', key: 'version_number', comparator: '>=', value: 2, isFloat: false },
    ]);
    expect(() => parseModelFilter(REGISTERED_MODEL_FLAVOR, 'name = 2')).toThrow(
      /Expected a quoted string value/,
    );
    expect(() => parseModelFilter(MODEL_VERSION_FLAVOR, 'run_id = 2')).toThrow(
      /support comparison with numeric/,
    );
    expect(() => parseModelFilter(MODEL_VERSION_FLAVOR, 'name IS NULL')).toThrow(
      'IS NULL / IS NOT NULL is not supported for model version search.',
    );
  });
});

describe('registry validation', () => {
  it('checks names, versions, aliases and stages with MLflow messages', () => {
    expect(() => validateModelName('  ')).toThrow("Missing value for required parameter 'name'.");
    expect(() => validateModelName('a:b')).toThrow(
      "Invalid model name 'a:b'. Names cannot contain '/' or ':'.",
    );
    expect(parseModelVersion(' +1_0 ')).toBe(10);
    expect(() => parseModelVersion('1.0')).toThrow("Parameter 'version' must be an integer, got '1.0'.");
    expect(() => validateAliasName('a b')).toThrow(/Invalid alias name: 'a b'/);
    expect(() => validateAliasName('ünïcode_ok-1')).not.toThrow();
    expect(() => validateAliasNameReserved('V12')).toThrow("Version alias name 'V12' is reserved.");
    expect(canonicalStage('pRoDuCtIoN')).toBe('Production');
    expect(() => canonicalStage('Deleted_Internal')).toThrow(/Invalid Model Version stage/);
  });

  it('tells prompts from the last is_prompt tag value', () => {
    const tags = [
      { key: 'mlflow.prompt.is_prompt', value: 'false' },
      { key: 'x', value: '1' },
      { key: 'mlflow.prompt.is_prompt', value: 'TRUE' },
    ];
    expect(isPromptRequest(tags)).toBe(true);
    expect(isPromptRequest([])).toBe(false);
    expect(tagDict(tags, ['x'])).toEqual({ 'mlflow.prompt.is_prompt': 'TRUE' });
  });
});
