/**
 * The delivery signature (mlflow/webhooks/delivery.py, `_generate_hmac_signature`):
 * `v1,` + base64(HMAC-SHA256(secret, "<delivery id>.<unix seconds>.<payload JSON>")).
 */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-MLflow-Signature';
export const TIMESTAMP_HEADER = 'X-MLflow-Timestamp';
export const DELIVERY_ID_HEADER = 'X-MLflow-Delivery-Id';
const SIGNATURE_VERSION = 'v1';

export function webhookSignature(
  secret: string,
  deliveryId: string,
  timestamp: string,
  payload: string,
): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${deliveryId}.${timestamp}.${payload}`, 'utf8')
    .digest('base64');
  return `${SIGNATURE_VERSION},${mac}`;
}
