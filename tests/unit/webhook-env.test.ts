import { describe, expect, it } from 'vitest';
import { shareGeneratedWebhookKey, webhookOptionsFromEnv } from '../../src/cli/webhook-env.js';
import { Fernet } from '../../src/stores/webhooks/fernet.js';

describe('MLFLOW_WEBHOOK_* variables', () => {
  it('are read as MLflow reads them; unset ones keep the defaults', () => {
    expect(webhookOptionsFromEnv({})).toEqual({});
    expect(
      webhookOptionsFromEnv({
        MLFLOW_WEBHOOK_ALLOWED_SCHEMES: ' http , https',
        MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: 'TRUE',
        MLFLOW_WEBHOOK_REQUEST_TIMEOUT: '5',
        MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES: '0',
        MLFLOW_WEBHOOK_DELIVERY_MAX_WORKERS: '2',
        MLFLOW_WEBHOOK_CACHE_TTL: '0',
        MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY: 'k',
      }),
    ).toEqual({
      allowedSchemes: ['http', 'https'],
      allowPrivateIps: true,
      requestTimeoutSec: 5,
      maxRetries: 0,
      deliveryMaxWorkers: 2,
      cacheTtlSec: 0,
      encryptionKey: 'k',
    });
    expect(() => webhookOptionsFromEnv({ MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: 'yes' })).toThrow(
      "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS value must be one of ['true', 'false', '1', '0'] (case-insensitive), but got yes",
    );
    expect(() => webhookOptionsFromEnv({ MLFLOW_WEBHOOK_REQUEST_TIMEOUT: '1.5' })).toThrow(/int\(\)/);
  });

  it('without a key, one random key is shared with the other processes of the server', () => {
    const opts: { encryptionKey?: string } = {};
    const env: Record<string, string | undefined> = {};
    const processEnv: Record<string, string | undefined> = {};
    shareGeneratedWebhookKey(opts, env, processEnv);
    expect(() => new Fernet(opts.encryptionKey!)).not.toThrow();
    expect(env.MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY).toBe(opts.encryptionKey);
    expect(processEnv.MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY).toBe(opts.encryptionKey);
    const given = { encryptionKey: 'mine' };
    shareGeneratedWebhookKey(given, env, processEnv);
    expect(given.encryptionKey).toBe('mine');
  });
});
