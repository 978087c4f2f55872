/** The webhooks domain: WebhookService handlers and the delivery of registry events. */
export { webhookHandlers, webhookToWire } from './handlers.js';
export { deliverWebhooks, emitWebhookEvent, type DeliveryLog } from './deliver.js';
export type { WebhookPayload } from './payloads.js';
