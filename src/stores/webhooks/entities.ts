/** What the webhook store holds and returns (dbmodels SqlWebhook / SqlWebhookEvent, decrypted). */

/** An event as stored: entity and action values in lower case (`registered_model`, `created`). */
export interface StoredWebhookEvent {
  entity: string;
  action: string;
}

export interface StoredWebhook {
  webhookId: string;
  name: string;
  description: string | null;
  url: string;
  /** Sorted by entity and action (see SqlWebhookStore.withEvents). */
  events: StoredWebhookEvent[];
  /** `ACTIVE` | `DISABLED` */
  status: string;
  /** The decrypted HMAC secret, if any. */
  secret: string | null;
  creationTimestamp: number | null;
  lastUpdatedTimestamp: number | null;
  workspace: string;
}

export interface NewWebhook {
  name: string;
  url: string;
  events: StoredWebhookEvent[];
  description: string | null;
  secret: string | null;
  status: string;
}

/** Fields update_webhook changes; undefined leaves a field as it is. */
export interface WebhookChanges {
  name?: string;
  description?: string;
  url?: string;
  events?: StoredWebhookEvent[];
  secret?: string;
  status?: string;
}

/** The webhook half of MLflow's model registry store (store/model_registry/sqlalchemy_store.py). */
export interface WebhookStore {
  createWebhook(webhook: NewWebhook): Promise<StoredWebhook>;
  getWebhook(webhookId: string): Promise<StoredWebhook>;
  /** Live webhooks, newest first (creation time), `limit` from `offset`. */
  listWebhooks(limit: number, offset: number): Promise<StoredWebhook[]>;
  /** The same, of the webhooks subscribed to `event`. */
  listWebhooksByEvent(event: StoredWebhookEvent, limit: number, offset: number): Promise<StoredWebhook[]>;
  updateWebhook(webhookId: string, changes: WebhookChanges): Promise<StoredWebhook>;
  deleteWebhook(webhookId: string): Promise<void>;
}
