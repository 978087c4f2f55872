/**
 * Offset pages of list_webhooks / list_webhooks_by_event (model-registry SqlAlchemyStore):
 * max_results 0 or absent means 100 and must lie in 1..1000 (checked before the token is read);
 * one row more than the page tells whether a next page (token of offset + max_results) exists.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { StoredWebhook } from '../../stores/webhooks/entities.js';
import { createPageToken, parsePageToken } from '../search/page-token.js';

export interface WebhookPage {
  webhooks: StoredWebhook[];
  nextPageToken: string | undefined;
}

export async function webhookPage(
  fetch: (limit: number, offset: number) => Promise<StoredWebhook[]>,
  maxResults: number | undefined,
  pageToken: string | undefined,
): Promise<WebhookPage> {
  const size = maxResults || 100;
  if (size < 1 || size > 1000) throw MlflowError.invalidParameter('max_results must be between 1 and 1000.');
  const offset = parsePageToken(pageToken);
  const rows = await fetch(size + 1, pageToken ? offset : 0);
  const more = rows.length > size;
  return {
    webhooks: more ? rows.slice(0, size) : rows,
    nextPageToken: more ? createPageToken(offset + size) : undefined,
  };
}
