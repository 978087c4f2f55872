/**
 * Webhook events (mlflow/entities/webhook.py): the entity / action pairs MLflow accepts, and the
 * conversions between the wire enums (`REGISTERED_MODEL`) and the stored values (`registered_model`).
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { WebhookAction, WebhookEntity, WebhookEvent } from '../../gen/messages.js';
import { PythonCrash } from '../../py/values.js';
import type { StoredWebhookEvent } from '../../stores/webhooks/entities.js';

/** VALID_ENTITY_ACTIONS: entity value -> its actions (sorted, as the error message lists them). */
export const VALID_ENTITY_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  registered_model: ['created'],
  model_version: ['created'],
  model_version_tag: ['deleted', 'set'],
  model_version_alias: ['created', 'deleted'],
  prompt: ['created'],
  prompt_version: ['created'],
  prompt_tag: ['deleted', 'set'],
  prompt_version_tag: ['deleted', 'set'],
  prompt_alias: ['created', 'deleted'],
  budget_policy: ['exceeded'],
};

const ACTIONS = new Set(['created', 'updated', 'deleted', 'set', 'exceeded']);

/** `str(WebhookEvent)`: `entity.action`. */
export const eventKey = (e: StoredWebhookEvent): string => `${e.entity}.${e.action}`;

/**
 * `WebhookEvent(entity, action)` from values: an unknown value is Python's ValueError (a bare 500),
 * a pair the entity does not support is INVALID_PARAMETER_VALUE.
 */
export function makeEvent(entity: string, action: string): StoredWebhookEvent {
  const valid = VALID_ENTITY_ACTIONS[entity];
  if (valid === undefined) throw new PythonCrash(`ValueError: '${entity}' is not a valid WebhookEntity`);
  if (!ACTIONS.has(action)) throw new PythonCrash(`ValueError: '${action}' is not a valid WebhookAction`);
  if (!valid.includes(action)) {
    throw MlflowError.invalidParameter(
      `Invalid action '${action}' for entity '${entity}'. Valid actions are: [${valid.map((a) => `'${a}'`).join(', ')}]`,
    );
  }
  return { entity, action };
}

/** `WebhookEvent.from_proto`: an unset enum is its first value (`*_UNSPECIFIED`: a ValueError). */
export function eventFromWire(e: WebhookEvent): StoredWebhookEvent {
  const entity: WebhookEntity = e.entity ?? 'ENTITY_UNSPECIFIED';
  const action: WebhookAction = e.action ?? 'ACTION_UNSPECIFIED';
  if (action === 'ACTION_UNSPECIFIED') {
    // from_proto converts the entity first; both unspecified values fail as a ValueError.
    if (entity === 'ENTITY_UNSPECIFIED') throw new PythonCrash("ValueError: 'entity_unspecified'");
    throw new PythonCrash('ValueError: Unknown proto action: ACTION_UNSPECIFIED');
  }
  return makeEvent(entity.toLowerCase(), action.toLowerCase());
}

export function eventToWire(e: StoredWebhookEvent): WebhookEvent {
  return { entity: e.entity.toUpperCase() as WebhookEntity, action: e.action.toUpperCase() as WebhookAction };
}
