/**
 * Webhook settings, as MLflow reads them from its environment (mlflow/environment_variables.py);
 * src/cli resolves the variables and passes them to openStores (`OpenStoresOptions.webhooks`),
 * where the webhook store takes its key and the webhook services the rest.
 */
export interface WebhookOptions {
  /** MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY (Fernet key); none: a random key per process. */
  encryptionKey?: string | undefined;
  /** MLFLOW_WEBHOOK_ALLOWED_SCHEMES, split on commas and stripped (default `https`). */
  allowedSchemes: readonly string[];
  /** MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: no public-address checks, at validation or connect time. */
  allowPrivateIps: boolean;
  /** MLFLOW_WEBHOOK_REQUEST_TIMEOUT (s): connect and read timeout of one attempt. */
  requestTimeoutSec: number;
  /** MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES. */
  maxRetries: number;
  /** MLFLOW_WEBHOOK_DELIVERY_MAX_WORKERS: deliveries in flight at once. */
  deliveryMaxWorkers: number;
  /** MLFLOW_WEBHOOK_CACHE_TTL (s): how long the webhooks of an event are reused. */
  cacheTtlSec: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  allowedSchemes: ['https'],
  allowPrivateIps: false,
  requestTimeoutSec: 30,
  maxRetries: 3,
  deliveryMaxWorkers: 10,
  cacheTtlSec: 60,
};

/** The settings given, MLflow's defaults for the others. */
export function resolveWebhookOptions(given: Partial<WebhookOptions> | undefined): WebhookOptions {
  return { ...DEFAULT_WEBHOOK_OPTIONS, ...given };
}
