/**
 * The webhook store and RPCs on both dialects, and the secret's encryption against Python MLflow:
 * with the same MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY, the registry SqlAlchemyStore decrypts what
 * mlflow-ts stored and mlflow-ts decrypts what it stored.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { withDbErrors } from '../../src/services/db-errors.js';
import { webhookHandlers } from '../../src/services/webhooks/handlers.js';
import { webhookPage } from '../../src/services/webhooks/paging.js';
import { generateFernetKey } from '../../src/stores/webhooks/fernet.js';
import { openStores, type Stores } from '../../src/stores/index.js';
import { SqlWebhookStore } from '../../src/stores/webhooks/store.js';
import { backendNames, newBackend, PYTHON, type TestBackend } from '../helpers/store-backends.js';

const KEY = generateFernetKey();

function python(cmd: 'read' | 'write', uri: string, input: unknown): unknown {
  const res = spawnSync(PYTHON, [resolve(process.cwd(), 'tests/helpers/webhook_secrets.py'), cmd, uri], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    env: {
      ...process.env,
      MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY: KEY,
      MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: 'true',
    },
  });
  if (res.status !== 0) throw new Error(`webhook_secrets.py ${cmd} failed: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

async function rejects(p: Promise<unknown>): Promise<MlflowError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MlflowError);
  return err as MlflowError;
}

describe.each(backendNames)('webhooks on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;
  let ctx: Parameters<typeof webhookHandlers.createWebhook>[1];
  const event = { entity: 'REGISTERED_MODEL', action: 'CREATED' } as const;

  beforeAll(async () => {
    backend = await newBackend(dialect, 'webhooks');
    stores = await openStores(backend.uri, {
      defaultArtifactRoot: 'mlflow-artifacts:/',
      webhooks: { encryptionKey: KEY, allowedSchemes: ['http', 'https'], allowPrivateIps: true },
    });
    ctx = { log: console, stores } as never;
  });
  afterAll(async () => {
    await stores.close();
    await backend.drop();
  });

  it('stores the secret so that Python MLflow decrypts it, and reads what Python stored', async () => {
    const { webhook } = await webhookHandlers.createWebhook(
      { name: 'ts-made', url: 'https://example.com/hook', events: [event], secret: 'from-ts ✓' },
      ctx,
    );
    const raw = await stores.dialect.db
      .selectFrom('webhooks' as never)
      .select('secret' as never)
      .where('webhook_id' as never, '=', webhook.webhook_id as never)
      .executeTakeFirstOrThrow();
    expect((raw as { secret: string }).secret).toMatch(/^gAAAAA/); // a Fernet token, not the secret
    const theirs = python('read', backend.pythonUri, [webhook.webhook_id]) as Record<
      string,
      { secret: string }
    >;
    expect(theirs[webhook.webhook_id!]!.secret).toBe('from-ts ✓');

    const id = python('write', backend.pythonUri, {
      name: 'py-made',
      url: 'https://example.com/x',
      secret: 'from-py',
    });
    const ours = await stores.webhooks.getWebhook(id as string);
    expect(ours.secret).toBe('from-py');
    expect(ours.events).toEqual([{ entity: 'registered_model', action: 'created' }]);
  });

  it('a store with another key cannot read the secret (INTERNAL_ERROR, as MLflow)', async () => {
    const { webhook } = await webhookHandlers.createWebhook(
      { name: 'keyed', url: 'https://example.com/k', events: [event], secret: 's' },
      ctx,
    );
    const other = new SqlWebhookStore(stores.dialect, { encryptionKey: generateFernetKey() });
    const err = await rejects(other.getWebhook(webhook.webhook_id!));
    expect(err.errorCode).toBe('INTERNAL_ERROR');
  });

  it('creates, gets, updates, lists and soft-deletes', async () => {
    const created = (
      await webhookHandlers.createWebhook(
        {
          name: 'crud',
          url: 'https://example.com/c',
          description: 'd',
          events: [
            { entity: 'MODEL_VERSION_TAG', action: 'SET' },
            { entity: 'PROMPT', action: 'CREATED' },
          ],
          status: 'DISABLED',
        },
        ctx,
      )
    ).webhook;
    expect(created).toMatchObject({ name: 'crud', description: 'd', status: 'DISABLED' });
    expect(created.creation_timestamp).toBe(created.last_updated_timestamp);
    const id = created.webhook_id!;
    expect((await webhookHandlers.getWebhook({ webhook_id: id }, ctx)).webhook).toEqual(created);

    const updated = (
      await webhookHandlers.updateWebhook(
        {
          webhook_id: id,
          name: '',
          description: '',
          events: [{ entity: 'MODEL_VERSION', action: 'CREATED' }],
        },
        ctx,
      )
    ).webhook;
    expect(updated.name).toBe('crud'); // an empty name leaves it
    expect(updated.description).toBeUndefined(); // an empty description is stored, and not shown
    expect(updated.events).toEqual([{ entity: 'MODEL_VERSION', action: 'CREATED' }]);

    const page = await webhookPage((n, o) => stores.webhooks.listWebhooks(n, o), 1, undefined);
    expect(page.webhooks).toHaveLength(1);
    expect(page.nextPageToken).toBe(Buffer.from('{"offset": 1}').toString('base64'));
    const byEvent = await stores.webhooks.listWebhooksByEvent(
      { entity: 'model_version', action: 'created' },
      100,
      0,
    );
    expect(byEvent.map((w) => w.webhookId)).toEqual([id]);

    await webhookHandlers.deleteWebhook({ webhook_id: id }, ctx);
    const err = await rejects(webhookHandlers.getWebhook({ webhook_id: id }, ctx));
    expect([err.errorCode, err.message]).toEqual([
      'RESOURCE_DOES_NOT_EXIST',
      `Webhook with ID ${id} not found.`,
    ]);
    await rejects(webhookHandlers.deleteWebhook({ webhook_id: id }, ctx));
  });

  it('refuses bad input with MLflow messages and stores nothing', async () => {
    const before = (await stores.webhooks.listWebhooks(1001, 0)).length;
    const bad = async (req: Parameters<typeof webhookHandlers.createWebhook>[0]) =>
      (await rejects(webhookHandlers.createWebhook(req, ctx))).message;
    expect(await bad({ name: '-x', url: 'https://a.b', events: [event] })).toMatch(
      /^Webhook name '-x' is invalid/,
    );
    expect(await bad({ name: 'x', url: 'ftp://a.b', events: [event] })).toBe(
      "Invalid webhook URL scheme: 'ftp'. Allowed schemes are: http, https.",
    );
    expect(await bad({ name: 'x', url: 'https://a.b', events: [] })).toBe(
      'Webhook events must be a non-empty list of WebhookEvent objects: [].',
    );
    expect(
      await bad({ name: 'x', url: 'https://a.b', events: [{ entity: 'PROMPT_TAG', action: 'CREATED' }] }),
    ).toBe("Invalid action 'created' for entity 'prompt_tag'. Valid actions are: ['deleted', 'set']");
    const dup = await rejects(
      // bound as the server binds it: database errors read as MLflow's
      withDbErrors(webhookHandlers).createWebhook(
        { name: 'x', url: 'https://a.b', events: [event, event] },
        ctx,
      ),
    );
    expect(dup.errorCode).toBe('BAD_REQUEST');
    expect((await stores.webhooks.listWebhooks(1001, 0)).length).toBe(before);
    expect((await rejects(webhookPage(() => Promise.resolve([]), 1001, undefined))).message).toBe(
      'max_results must be between 1 and 1000.',
    );
  });
});
