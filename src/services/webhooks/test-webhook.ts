/**
 * `test_webhook` (mlflow/webhooks/delivery.py): sends the example payload of the given event (else
 * the webhook's first event) and reports the outcome; a failure is a result, never an error.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { WebhookTestResult } from '../../gen/messages.js';
import type { StoredWebhook, StoredWebhookEvent } from '../../stores/webhooks/entities.js';
import { reprStr } from '../../py/repr.js';
import { eventKey } from './events.js';
import type { WebhookOptions } from '../../stores/webhooks/options.js';
import { EXAMPLE_PAYLOADS } from './payloads.js';
import { sendWebhookRequest } from './request.js';
import { DeliveryError, type SendOptions } from './send.js';

function pyExceptionRepr(err: unknown): string {
  if (err instanceof DeliveryError) return err.pyRepr;
  if (err instanceof MlflowError) return `MlflowException(${reprStr(err.message)})`;
  return `Exception(${reprStr(err instanceof Error ? err.message : String(err))})`;
}

export async function testWebhook(
  webhook: StoredWebhook,
  event: StoredWebhookEvent | undefined,
  opts: WebhookOptions,
  send?: SendOptions,
): Promise<WebhookTestResult> {
  const testEvent = event ?? webhook.events[0]!;
  try {
    const payload = EXAMPLE_PAYLOADS[eventKey(testEvent)];
    if (!payload) throw new Error(`Unknown event type: ${eventKey(testEvent)}`);
    const res = await sendWebhookRequest(webhook, payload, testEvent, opts, send);
    return { success: res.status < 400, response_status: res.status, response_body: res.body };
  } catch (err) {
    return { success: false, error_message: `Failed to test webhook: ${pyExceptionRepr(err)}` };
  }
}
