/**
 * The registry's webhook hook. MLflow's handlers call `deliver_webhook(event, payload)` after
 * these writes succeed (server/handlers.py); mlflow-ts handlers call `emitRegistryEvent` at the same
 * points with the same payloads (mlflow/webhooks/types.py), the prompt variant when the model is a
 * prompt. Delivery (matching webhooks, signing, sending) lives with the webhooks domain, which
 * replaces the body below; a failure there must never fail the request (MLflow logs and goes on).
 */
import type { DomainContext } from '../domains.js';

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
 * committed. Must not throw and must not delay the response (fire and forget). No-op until the
 * webhooks domain provides delivery.
 */
export function emitRegistryEvent(ctx: DomainContext, event: RegistryEvent): void {
  void ctx;
  void event;
}
