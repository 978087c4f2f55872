/**
 * The registry's webhook hook. MLflow's handlers call `deliver_webhook(event, payload)` after
 * these writes succeed (server/handlers.py); mlflow-ts handlers call `emitRegistryEvent` at the same
 * points with the same payloads (mlflow/webhooks/types.py), the prompt variant when the model is a
 * prompt. Delivery (matching webhooks, signing, sending) lives with the webhooks domain; a failure
 * there never fails the request (MLflow logs and goes on). The payloads' keys are in MLflow's order:
 * the signature covers the exact bytes.
 */
import type { DomainContext } from '../types.js';
import { emitWebhookEvent } from '../webhooks/index.js';

type Tags = Record<string, string>;

/** Entity / action / payload of each event the registry RPCs fire. */
export type RegistryEvent =
  | {
      entity: 'registered_model';
      action: 'created';
      payload: { name: string; tags: Tags; description: string };
    }
  | {
      /** Tags without mlflow.prompt.is_prompt and _mlflow_prompt_type. */
      entity: 'prompt';
      action: 'created';
      payload: { name: string; tags: Tags; description: string };
    }
  | { entity: 'prompt_tag'; action: 'set'; payload: { name: string; key: string; value: string } }
  | { entity: 'prompt_tag'; action: 'deleted'; payload: { name: string; key: string } }
  | {
      entity: 'model_version';
      action: 'created';
      payload: {
        name: string;
        version: string;
        source: string;
        run_id: string | null;
        tags: Tags;
        description: string | null;
      };
    }
  | {
      /** Tags without mlflow.prompt.text (the template), is_prompt and _mlflow_prompt_type. */
      entity: 'prompt_version';
      action: 'created';
      payload: {
        name: string;
        version: string;
        template: string | null;
        tags: Tags;
        description: string | null;
      };
    }
  | {
      entity: 'model_version_tag' | 'prompt_version_tag';
      action: 'set';
      payload: { name: string; version: string; key: string; value: string };
    }
  | {
      entity: 'model_version_tag' | 'prompt_version_tag';
      action: 'deleted';
      payload: { name: string; version: string; key: string };
    }
  | {
      entity: 'model_version_alias' | 'prompt_alias';
      action: 'created';
      payload: { name: string; alias: string; version: string };
    }
  | {
      entity: 'model_version_alias' | 'prompt_alias';
      action: 'deleted';
      payload: { name: string; alias: string };
    };

/**
 * Called once per successful registry write that MLflow fires a webhook for, after the write
 * committed. Never throws and never delays the response: delivery starts on a later turn of the
 * event loop (fire and forget).
 */
export function emitRegistryEvent(ctx: DomainContext, event: RegistryEvent): void {
  emitWebhookEvent(ctx.stores, { entity: event.entity, action: event.action }, event.payload, ctx.log);
}
