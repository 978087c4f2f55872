/**
 * The MLFLOW_WEBHOOK_* variables (mlflow/environment_variables.py) read the way MLflow reads them:
 * ints with int(), the private-address opt-in with MLflow's boolean parser, the scheme list split on
 * commas and stripped. Unset variables keep MLflow's defaults (services/webhooks/options.ts).
 */
import { generateFernetKey } from '../stores/webhooks/fernet.js';
import type { WebhookOptions } from '../stores/webhooks/options.js';

type Env = Readonly<Record<string, string | undefined>>;

function envInt(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  if (!/^\s*[+-]?\d+\s*$/.test(raw))
    throw new Error(`invalid literal for int() with base 10: '${raw}' (${name})`);
  return Number(raw.trim());
}

function envBool(env: Env, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const v = raw.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new Error(
    `${name} value must be one of ['true', 'false', '1', '0'] (case-insensitive), but got ${raw}`,
  );
}

export function webhookOptionsFromEnv(env: Env): Partial<WebhookOptions> {
  const out: Partial<WebhookOptions> = {};
  const key = env.MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY;
  if (key) out.encryptionKey = key;
  const schemes = env.MLFLOW_WEBHOOK_ALLOWED_SCHEMES;
  if (schemes !== undefined) out.allowedSchemes = schemes.split(',').map((s) => s.trim());
  const allow = envBool(env, 'MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS');
  if (allow !== undefined) out.allowPrivateIps = allow;
  const timeout = envInt(env, 'MLFLOW_WEBHOOK_REQUEST_TIMEOUT');
  if (timeout !== undefined) out.requestTimeoutSec = timeout;
  const retries = envInt(env, 'MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES');
  if (retries !== undefined) out.maxRetries = retries;
  const workers = envInt(env, 'MLFLOW_WEBHOOK_DELIVERY_MAX_WORKERS');
  if (workers !== undefined) out.deliveryMaxWorkers = workers;
  const ttl = envInt(env, 'MLFLOW_WEBHOOK_CACHE_TTL');
  if (ttl !== undefined) out.cacheTtlSec = ttl;
  return out;
}

const KEY_VAR = 'MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY';

/**
 * Without a configured key MLflow encrypts webhook secrets with a random key per process, so its
 * own workers cannot read each other's secrets. The primary makes that random key once instead
 * and hands it to every process of this server (Node workers inherit process.env, the Python
 * child gets `env`): one key per server start, still never stored anywhere.
 */
export function shareGeneratedWebhookKey(
  webhooks: Partial<WebhookOptions>,
  env: Record<string, string | undefined>,
  processEnv: Record<string, string | undefined>,
): void {
  if (webhooks.encryptionKey) return;
  const key = generateFernetKey();
  webhooks.encryptionKey = key;
  env[KEY_VAR] = key;
  processEnv[KEY_VAR] = key;
}
