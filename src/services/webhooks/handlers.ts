/**
 * The WebhookService RPCs (`_create_webhook` ... `_test_webhook` in mlflow/server/handlers.py and
 * the webhook methods of the registry SqlAlchemyStore), in MLflow's order of checks: the request's
 * events and status are converted first, then name, URL and events are validated, then the store.
 */
import type {
  CreateWebhook,
  DeleteWebhook,
  GetWebhook,
  ListWebhooks,
  TestWebhook,
  UpdateWebhook,
  Webhook,
} from '../../gen/messages.js';
import type { WebhookService as WebhookServiceInterface } from '../../gen/services.js';
import type { StoredWebhook, WebhookChanges } from '../../stores/webhooks/entities.js';
import { resolveWebhookOptions } from '../../stores/webhooks/options.js';
import type { DomainContext } from '../types.js';
import { webhookPage } from './paging.js';
import { eventFromWire, eventToWire } from './events.js';
import { testWebhook } from './test-webhook.js';
import { validateWebhookEvents, validateWebhookName, validateWebhookUrl } from './validation.js';

/** `Webhook.to_proto`: an empty description is left out. */
export function webhookToWire(w: StoredWebhook): Webhook {
  const out: Webhook = { webhook_id: w.webhookId, name: w.name };
  if (w.description) out.description = w.description;
  out.url = w.url;
  out.events = w.events.map(eventToWire);
  out.status = w.status as Webhook['status'];
  if (w.creationTimestamp !== null) out.creation_timestamp = w.creationTimestamp;
  if (w.lastUpdatedTimestamp !== null) out.last_updated_timestamp = w.lastUpdatedTimestamp;
  return out;
}

export const webhookHandlers = {
  async createWebhook(req: CreateWebhook, ctx: DomainContext) {
    const events = (req.events ?? []).map(eventFromWire);
    const name = req.name ?? '';
    const url = req.url ?? '';
    const opts = resolveWebhookOptions(ctx.stores.options.webhooks);
    validateWebhookName(name);
    await validateWebhookUrl(url, opts);
    validateWebhookEvents(events);
    const webhook = await ctx.stores.webhooks.createWebhook({
      name,
      url,
      events,
      description: req.description || null,
      secret: req.secret || null,
      status: req.status ?? 'ACTIVE',
    });
    return { webhook: webhookToWire(webhook) };
  },

  async listWebhooks(req: ListWebhooks, ctx: DomainContext) {
    const store = ctx.stores.webhooks;
    const page = await webhookPage(
      (n, o) => store.listWebhooks(n, o),
      req.max_results,
      req.page_token || undefined,
    );
    return {
      webhooks: page.webhooks.map(webhookToWire),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    };
  },

  async getWebhook(req: GetWebhook, ctx: DomainContext) {
    return { webhook: webhookToWire(await ctx.stores.webhooks.getWebhook(req.webhook_id ?? '')) };
  },

  async updateWebhook(req: UpdateWebhook, ctx: DomainContext) {
    const id = req.webhook_id ?? '';
    const events = req.events && req.events.length > 0 ? req.events.map(eventFromWire) : undefined;
    const store = ctx.stores.webhooks;
    const opts = resolveWebhookOptions(ctx.stores.options.webhooks);
    // update_webhook finds the webhook before it validates anything.
    await store.getWebhook(id);
    const changes: WebhookChanges = {};
    if (req.name) {
      validateWebhookName(req.name);
      changes.name = req.name;
    }
    if (req.url) {
      await validateWebhookUrl(req.url, opts);
      changes.url = req.url;
    }
    if (events) {
      validateWebhookEvents(events);
      changes.events = events;
    }
    if (req.description !== undefined) changes.description = req.description;
    if (req.secret !== undefined) changes.secret = req.secret;
    if (req.status !== undefined) changes.status = req.status;
    return { webhook: webhookToWire(await store.updateWebhook(id, changes)) };
  },

  async deleteWebhook(req: DeleteWebhook, ctx: DomainContext) {
    await ctx.stores.webhooks.deleteWebhook(req.webhook_id ?? '');
    return {};
  },

  async testWebhook(req: TestWebhook, ctx: DomainContext) {
    const event = req.event !== undefined ? eventFromWire(req.event) : undefined;
    const webhook = await ctx.stores.webhooks.getWebhook(req.webhook_id ?? '');
    return { result: await testWebhook(webhook, event, resolveWebhookOptions(ctx.stores.options.webhooks)) };
  },
} satisfies Partial<WebhookServiceInterface<DomainContext>>;
