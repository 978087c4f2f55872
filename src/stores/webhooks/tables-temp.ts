/**
 * TEMPORARY Kysely table types of the webhook tables (dbmodels SqlWebhook / SqlWebhookEvent at the
 * pinned alembic head), until the generated ones (src/gen/sql/tables.ts) land; then deleted.
 */
import type { ColumnType } from 'kysely';

export interface WebhooksTable {
  webhook_id: string;
  name: string;
  description: string | null;
  url: string;
  status: ColumnType<string, string | undefined, string>;
  secret: string | null;
  creation_timestamp: number | null;
  last_updated_timestamp: number | null;
  deleted_timestamp: number | null;
  workspace: ColumnType<string, string | undefined, string>;
}

export interface WebhookEventsTable {
  webhook_id: string;
  entity: string;
  action: string;
}

export interface WebhookTables {
  webhooks: WebhooksTable;
  webhook_events: WebhookEventsTable;
}
