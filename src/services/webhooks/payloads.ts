/**
 * Webhook payloads (mlflow/webhooks/types.py): the `example()` payload of each event, which
 * test_webhook sends, keyed `entity.action`. Registry events bring their own payload of the same shape.
 */
import { PyFloat, type PyJson } from '../../py/values.js';

export type WebhookPayload = { [key: string]: PyJson };

const TAGS = { example_key: 'example_value' };

export const EXAMPLE_PAYLOADS: Readonly<Record<string, WebhookPayload>> = {
  'registered_model.created': {
    name: 'example_model',
    tags: TAGS,
    description: 'An example registered model',
  },
  'model_version.created': {
    name: 'example_model',
    version: '1',
    source: 'models:/123',
    run_id: 'abcd1234abcd5678',
    tags: TAGS,
    description: 'An example model version',
  },
  'model_version_tag.set': {
    name: 'example_model',
    version: '1',
    key: 'example_key',
    value: 'example_value',
  },
  'model_version_tag.deleted': { name: 'example_model', version: '1', key: 'example_key' },
  'model_version_alias.created': { name: 'example_model', alias: 'example_alias', version: '1' },
  'model_version_alias.deleted': { name: 'example_model', alias: 'example_alias' },
  'prompt.created': { name: 'example_prompt', tags: TAGS, description: 'An example prompt' },
  'prompt_version.created': {
    name: 'example_prompt',
    version: '1',
    template: 'Hello {{name}}!',
    tags: TAGS,
    description: 'An example prompt version',
  },
  'prompt_tag.set': { name: 'example_prompt', key: 'example_key', value: 'example_value' },
  'prompt_tag.deleted': { name: 'example_prompt', key: 'example_key' },
  'prompt_version_tag.set': {
    name: 'example_prompt',
    version: '1',
    key: 'example_key',
    value: 'example_value',
  },
  'prompt_version_tag.deleted': { name: 'example_prompt', version: '1', key: 'example_key' },
  'prompt_alias.created': { name: 'example_prompt', alias: 'example_alias', version: '1' },
  'prompt_alias.deleted': { name: 'example_prompt', alias: 'example_alias' },
  'budget_policy.exceeded': {
    budget_policy_id: 'bp-abc123',
    budget_unit: 'USD',
    budget_amount: new PyFloat(100.0),
    current_spend: new PyFloat(105.5),
    duration_unit: 'MONTHS',
    duration_value: 1,
    target_scope: 'ENDPOINT',
    workspace: 'default',
    target_value: 'ep-abc123',
    window_start: 1704067200000,
  },
};
