/**
 * Builds and sends one delivery as `_send_webhook_request` does: the URL validated again, the
 * envelope `{"entity", "action", "timestamp", "data"}` as Python's json.dumps writes it, a new
 * delivery id (UUID4) and unix timestamp, and the signature when the webhook has a secret.
 */
import { randomUUID } from 'node:crypto';
import { jsonDumpsDefault } from '../../py/json.js';
import type { StoredWebhook, StoredWebhookEvent } from '../../stores/webhooks/entities.js';
import type { WebhookOptions } from '../../stores/webhooks/options.js';
import type { WebhookPayload } from './payloads.js';
import { postWebhook, type SendOptions, type WebhookResponse } from './send.js';
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from './signature.js';
import { validateWebhookUrl } from './validation.js';

/** `datetime.now(timezone.utc).isoformat()`: microseconds, `+00:00`. */
export function pyUtcIsoNow(nowMs: number = performance.timeOrigin + performance.now()): string {
  const ms = Math.floor(nowMs);
  const micros = Math.floor((nowMs - ms) * 1000) + (ms % 1000) * 1000;
  const base = new Date(ms).toISOString().slice(0, 19);
  return micros === 0 ? `${base}+00:00` : `${base}.${String(micros).padStart(6, '0')}+00:00`;
}

export function sendOptions(opts: WebhookOptions): SendOptions {
  return {
    allowPrivateIps: opts.allowPrivateIps,
    timeoutMs: opts.requestTimeoutSec * 1000,
    maxRetries: opts.maxRetries,
  };
}

export async function sendWebhookRequest(
  webhook: StoredWebhook,
  payload: WebhookPayload,
  event: StoredWebhookEvent,
  opts: WebhookOptions,
  send: SendOptions = sendOptions(opts),
): Promise<WebhookResponse> {
  await validateWebhookUrl(webhook.url, opts);
  const json = jsonDumpsDefault({
    entity: event.entity,
    action: event.action,
    timestamp: pyUtcIsoNow(),
    data: payload,
  });
  const deliveryId = randomUUID();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: '*/*',
    [DELIVERY_ID_HEADER]: deliveryId,
    [TIMESTAMP_HEADER]: timestamp,
  };
  if (webhook.secret)
    headers[SIGNATURE_HEADER] = webhookSignature(webhook.secret, deliveryId, timestamp, json);
  return postWebhook(webhook.url, Buffer.from(json, 'utf8'), headers, send);
}
