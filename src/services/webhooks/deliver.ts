/**
 * Delivery of registry events to webhooks (`deliver_webhook` in mlflow/webhooks/delivery.py): the
 * webhooks subscribed to the event (all pages, reused for the cache TTL), the ACTIVE ones, each sent
 * on a bounded pool of `deliveryMaxWorkers` concurrent deliveries. Fire and forget: the caller is
 * never delayed or failed by it; every failure is logged.
 */
import type { StoredWebhook, StoredWebhookEvent, WebhookStore } from '../../stores/webhooks/entities.js';
import { eventKey } from './events.js';
import { resolveWebhookOptions, type WebhookOptions } from '../../stores/webhooks/options.js';
import { webhookPage } from './paging.js';
import type { WebhookPayload } from './payloads.js';
import { sendWebhookRequest } from './request.js';
import type { DeliveryError } from './send.js';

/** The logger calls delivery makes (pino / Fastify loggers fit). */
export interface DeliveryLog {
  error(obj: object, msg: string): void;
}

interface Dispatcher {
  cache: Map<string, { until: number; webhooks: Promise<StoredWebhook[]> }>;
  running: number;
  waiting: (() => void)[];
}

const dispatchers = new WeakMap<WebhookStore, Dispatcher>();

function dispatcherFor(store: WebhookStore): Dispatcher {
  let d = dispatchers.get(store);
  if (!d) {
    d = { cache: new Map(), running: 0, waiting: [] };
    dispatchers.set(store, d);
  }
  return d;
}

async function listAll(store: WebhookStore, event: StoredWebhookEvent): Promise<StoredWebhook[]> {
  const out: StoredWebhook[] = [];
  let token: string | undefined;
  do {
    const page = await webhookPage((n, o) => store.listWebhooksByEvent(event, n, o), 100, token);
    out.push(...page.webhooks);
    token = page.nextPageToken;
  } while (token);
  return out;
}

/** `_get_cached_webhooks_by_event`: one listing per event per TTL (a failed one is not kept). */
function subscribed(d: Dispatcher, store: WebhookStore, event: StoredWebhookEvent, ttlSec: number) {
  const key = eventKey(event);
  const now = Date.now();
  const hit = d.cache.get(key);
  if (hit && hit.until > now) return hit.webhooks;
  const webhooks = listAll(store, event);
  if (ttlSec > 0) {
    d.cache.set(key, { until: now + ttlSec * 1000, webhooks });
    webhooks.catch(() => d.cache.delete(key));
  }
  return webhooks;
}

async function withSlot<T>(d: Dispatcher, max: number, fn: () => Promise<T>): Promise<T> {
  while (d.running >= Math.max(1, max)) await new Promise<void>((r) => d.waiting.push(r));
  d.running++;
  try {
    return await fn();
  } finally {
    d.running--;
    d.waiting.shift()?.();
  }
}

/**
 * Delivers `payload` for `event` to every ACTIVE webhook subscribed to it. The promise settles when
 * every delivery has (tests wait on it); it never rejects.
 */
export async function deliverWebhooks(
  store: WebhookStore,
  opts: WebhookOptions,
  event: StoredWebhookEvent,
  payload: WebhookPayload,
  log: DeliveryLog,
): Promise<void> {
  const d = dispatcherFor(store);
  let webhooks: StoredWebhook[];
  try {
    webhooks = await subscribed(d, store, event, opts.cacheTtlSec);
  } catch (err) {
    log.error({ err, event: eventKey(event) }, `Failed to deliver webhook for event ${eventKey(event)}`);
    return;
  }
  const active = webhooks.filter((w) => w.status === 'ACTIVE');
  await Promise.all(
    active.map((w) =>
      withSlot(d, opts.deliveryMaxWorkers, () => sendWebhookRequest(w, payload, event, opts)).catch((err) => {
        const detail = (err as DeliveryError).pyRepr ?? (err as Error).message;
        log.error(
          { err, webhookId: w.webhookId, event: eventKey(event) },
          `Failed to send webhook to ${w.url} for event ${eventKey(event)}: ${detail}`,
        );
      }),
    ),
  );
}

/**
 * What a registry handler calls after its change is stored (MLflow's `deliver_webhook(event=...,
 * payload=..., store=...)`): the delivery starts on a later turn of the event loop, so the
 * request's own answer never waits for the webhook lookup or any send, and nothing it does can
 * fail the request. `entity` / `action` as MLflow's values (`model_version_tag`, `set`) or the
 * proto enum names (`MODEL_VERSION_TAG`, `SET`).
 */
export function emitWebhookEvent(
  stores: { webhooks: WebhookStore; options: { webhooks?: Partial<WebhookOptions> | undefined } },
  event: { entity: string; action: string },
  payload: WebhookPayload,
  log: DeliveryLog,
): void {
  const ev = { entity: event.entity.toLowerCase(), action: event.action.toLowerCase() };
  const opts = resolveWebhookOptions(stores.options.webhooks);
  setImmediate(() => void deliverWebhooks(stores.webhooks, opts, ev, payload, log));
}
