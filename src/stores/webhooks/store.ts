/**
 * The SQL webhook store: the webhook methods of MLflow's model-registry SqlAlchemyStore on Kysely.
 * Rows live in `webhooks` / `webhook_events` of the registry database, in the `default` workspace;
 * deletion is soft (deleted_timestamp). Secrets are stored Fernet-encrypted (fernet.ts) and
 * decrypted whenever a row is read, as MLflow's EncryptedString column type does.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { MlflowError } from '../../errors/mlflow-error.js';
import type { StoreDialect } from '../dialects/dialect.js';
import type {
  NewWebhook,
  StoredWebhook,
  StoredWebhookEvent,
  WebhookChanges,
  WebhookStore,
} from './entities.js';
import { Fernet, generateFernetKey } from './fernet.js';
import type { TrackingDatabase } from '../tables.js';

const DEFAULT_WORKSPACE = 'default';

export interface SqlWebhookStoreOptions {
  /** MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY; without one a random key is made (as MLflow does). */
  encryptionKey?: string | undefined;
}

type Db = Kysely<TrackingDatabase> | Transaction<TrackingDatabase>;
type WebhookRow = {
  webhook_id: string;
  name: string;
  description: string | null;
  url: string;
  status: string;
  secret: string | null;
  creation_timestamp: number | null;
  last_updated_timestamp: number | null;
  workspace: string;
};

const COLUMNS = [
  'webhook_id',
  'name',
  'description',
  'url',
  'status',
  'secret',
  'creation_timestamp',
  'last_updated_timestamp',
  'workspace',
] as const;

function notFound(webhookId: string): MlflowError {
  return MlflowError.notFound(`Webhook with ID ${webhookId} not found.`);
}

export class SqlWebhookStore implements WebhookStore {
  private readonly db: Kysely<TrackingDatabase>;
  private readonly cipher: Fernet;

  constructor(dialect: StoreDialect, opts: SqlWebhookStoreOptions = {}) {
    this.db = dialect.db;
    // A malformed key throws here, at start-up, as MLflow fails importing its models.
    this.cipher = new Fernet(opts.encryptionKey || generateFernetKey());
  }

  async createWebhook(w: NewWebhook): Promise<StoredWebhook> {
    return this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const webhookId = randomUUID();
      await trx
        .insertInto('webhooks')
        .values({
          webhook_id: webhookId,
          name: w.name,
          url: w.url,
          description: w.description,
          secret: w.secret === null ? null : this.cipher.encrypt(w.secret),
          status: w.status,
          creation_timestamp: now,
          last_updated_timestamp: now,
          workspace: DEFAULT_WORKSPACE,
        })
        .execute();
      await insertEvents(trx, webhookId, w.events);
      return this.loadOne(trx, webhookId);
    });
  }

  getWebhook(webhookId: string): Promise<StoredWebhook> {
    return this.loadOne(this.db, webhookId);
  }

  async listWebhooks(limit: number, offset: number): Promise<StoredWebhook[]> {
    const rows = await this.db
      .selectFrom('webhooks')
      .select(COLUMNS)
      .where('workspace', '=', DEFAULT_WORKSPACE)
      .where('deleted_timestamp', 'is', null)
      .orderBy('creation_timestamp', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
    return this.withEvents(this.db, rows);
  }

  async listWebhooksByEvent(
    event: StoredWebhookEvent,
    limit: number,
    offset: number,
  ): Promise<StoredWebhook[]> {
    const rows = await this.db
      .selectFrom('webhooks as w')
      .innerJoin('webhook_events as e', 'e.webhook_id', 'w.webhook_id')
      .select(COLUMNS.map((c) => `w.${c}` as const))
      .where('w.workspace', '=', DEFAULT_WORKSPACE)
      .where('w.deleted_timestamp', 'is', null)
      .where('e.entity', '=', event.entity)
      .where('e.action', '=', event.action)
      .orderBy('w.creation_timestamp', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
    return this.withEvents(this.db, rows);
  }

  async updateWebhook(webhookId: string, c: WebhookChanges): Promise<StoredWebhook> {
    return this.db.transaction().execute(async (trx) => {
      await this.findRow(trx, webhookId);
      const set: Record<string, string | number | null> = {};
      if (c.name !== undefined) set.name = c.name;
      if (c.url !== undefined) set.url = c.url;
      if (c.events !== undefined) {
        await trx.deleteFrom('webhook_events').where('webhook_id', '=', webhookId).execute();
        await insertEvents(trx, webhookId, c.events);
      }
      if (c.description !== undefined) set.description = c.description;
      if (c.secret !== undefined) set.secret = this.cipher.encrypt(c.secret);
      if (c.status !== undefined) set.status = c.status;
      set.last_updated_timestamp = Date.now();
      await trx.updateTable('webhooks').set(set).where('webhook_id', '=', webhookId).execute();
      return this.loadOne(trx, webhookId);
    });
  }

  async deleteWebhook(webhookId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.findRow(trx, webhookId);
      const now = Date.now();
      await trx
        .updateTable('webhooks')
        .set({ deleted_timestamp: now, last_updated_timestamp: now })
        .where('webhook_id', '=', webhookId)
        .execute();
    });
  }

  /** `_get_webhook_by_id`: a live webhook of the workspace, else RESOURCE_DOES_NOT_EXIST. */
  private async findRow(db: Db, webhookId: string): Promise<WebhookRow> {
    const row = await db
      .selectFrom('webhooks')
      .select(COLUMNS)
      .where('workspace', '=', DEFAULT_WORKSPACE)
      .where('webhook_id', '=', webhookId)
      .where('deleted_timestamp', 'is', null)
      .limit(1)
      .executeTakeFirst();
    if (!row) throw notFound(webhookId);
    return row;
  }

  private async loadOne(db: Db, webhookId: string): Promise<StoredWebhook> {
    const row = await this.findRow(db, webhookId);
    return (await this.withEvents(db, [row]))[0]!;
  }

  /**
   * Events of each webhook by entity and action: the order MLflow's lazy load (no ORDER BY) gets
   * through the primary key index, always on SQLite (on PostgreSQL it depends on the plan).
   */
  private async withEvents(db: Db, rows: WebhookRow[]): Promise<StoredWebhook[]> {
    const byId = new Map<string, StoredWebhookEvent[]>(rows.map((r) => [r.webhook_id, []]));
    if (rows.length > 0) {
      const events = await db
        .selectFrom('webhook_events')
        .select(['webhook_id', 'entity', 'action'])
        .where('webhook_id', 'in', [...byId.keys()])
        .orderBy('entity')
        .orderBy('action')
        .execute();
      for (const e of events) byId.get(e.webhook_id)?.push({ entity: e.entity, action: e.action });
    }
    return rows.map((r) => this.entity(r, byId.get(r.webhook_id) ?? []));
  }

  private entity(r: WebhookRow, events: StoredWebhookEvent[]): StoredWebhook {
    let secret: string | null = null;
    if (r.secret !== null) {
      try {
        secret = this.cipher.decrypt(r.secret);
      } catch {
        // cryptography's InvalidToken (another key) inside the session: INTERNAL_ERROR, empty text.
        throw new MlflowError('', 'INTERNAL_ERROR');
      }
    }
    return {
      webhookId: r.webhook_id,
      name: r.name,
      description: r.description,
      url: r.url,
      events,
      status: r.status,
      secret,
      creationTimestamp: r.creation_timestamp,
      lastUpdatedTimestamp: r.last_updated_timestamp,
      workspace: r.workspace,
    };
  }
}

async function insertEvents(db: Db, webhookId: string, events: StoredWebhookEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('webhook_events')
    .values(events.map((e) => ({ webhook_id: webhookId, entity: e.entity, action: e.action })))
    .execute();
}
