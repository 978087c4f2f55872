import { describe, expect, it } from 'vitest';
import { HANDLER_SCHEMAS } from '../../src/gen/handler-schemas.js';
import { RPCS_BY_KEY } from '../../src/gen/routes.js';
import { readsNoMessage, rulesFor, unsupportedValidators } from '../../src/http/validation/rules.js';
import { NATIVE_RPC_KEYS } from '../../src/services/native.js';

describe('validation rules from the generated handler schemas', () => {
  it('covers every tracking RPC served natively, in MLflow order', () => {
    // every RPC served natively gets MLflow's handler checks (grows with the native registry),
    // but for the artifact transfers whose MLflow handlers never parse a request message
    const unparsed = new Set([
      'MlflowArtifactsService.downloadArtifact',
      'MlflowArtifactsService.uploadArtifact',
      'MlflowArtifactsService.getPresignedDownloadUrl',
    ]);
    for (const key of NATIVE_RPC_KEYS) {
      if (unparsed.has(key)) continue;
      // An RPC MLflow maps to no handler (its `_not_implemented` 404) parses nothing.
      if (!RPCS_BY_KEY.get(key)!.handledByMlflow) continue;
      const type = RPCS_BY_KEY.get(key)!.requestType;
      // get/delete_webhook read only their path parameter (no request message, no schema)
      if (readsNoMessage(type)) {
        expect(HANDLER_SCHEMAS[type], key).toBeUndefined();
        continue;
      }
      expect(HANDLER_SCHEMAS[type], key).toBeTruthy();
      expect(rulesFor(type)!.schema.map(([p]) => p)).toEqual(HANDLER_SCHEMAS[type]!.map(([p]) => p));
    }
    expect(HANDLER_SCHEMAS['mlflow.LogMetric']!.map(([p, v]) => `${p}:${v.join(',')}`)).toEqual([
      'run_id:_assert_required,_assert_string',
      'key:_assert_required,_assert_string',
      'value:_assert_required,_assert_floatlike',
      'timestamp:_assert_intlike,_assert_required',
      'step:_assert_intlike',
      'model_id:_assert_string',
      'dataset_name:_assert_string',
      'dataset_digest:_assert_string',
    ]);
    expect(rulesFor('mlflow.LogBatch')!.pre).toBeTypeOf('function');
  });

  it('knows every validator of the pinned release but these (review on a pin bump)', () => {
    expect(unsupportedValidators()).toEqual([
      'mlflow.issues.CreateIssue.last_seen_timestamp: _validate_issue_last_seen_timestamp',
      'mlflow.issues.CreateIssue.metadata: unsupported',
      'mlflow.issues.UpdateIssue.last_seen_timestamp: _validate_issue_last_seen_timestamp',
      'mlflow.issues.UpdateIssue.metadata: unsupported',
    ]);
  });
});
