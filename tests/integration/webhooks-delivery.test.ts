/**
 * Webhook delivery against a receiver on loopback that checks every signature: registry-event
 * delivery to the ACTIVE subscribed webhooks only, test_webhook, MLflow's retry policy, bounded
 * concurrency, and the SSRF checks (at validation and on the connected socket's peer address).
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { deliverWebhooks, emitWebhookEvent } from '../../src/services/webhooks/deliver.js';
import { webhookHandlers } from '../../src/services/webhooks/handlers.js';
import { DEFAULT_WEBHOOK_OPTIONS, type WebhookOptions } from '../../src/stores/webhooks/options.js';
import { DeliveryError, postWebhook } from '../../src/services/webhooks/send.js';
import { validateWebhookUrl } from '../../src/services/webhooks/validation.js';
import { openStores, type Stores } from '../../src/stores/index.js';
import { newBackend, type TestBackend } from '../helpers/store-backends.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const SECRET = 'shh-✓';

/** A receiver: records each POST; `/status/NNN` answers NNN; `/hold` waits until released. */
class Receiver {
  server: Server;
  got: Received[] = [];
  inFlight = 0;
  maxInFlight = 0;
  held: (() => void)[] = [];
  constructor() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.got.push({
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const status = /^\/status\/(\d+)/.exec(req.url ?? '');
        const answer = (): void => {
          this.inFlight--;
          if (/retry-after/.test(req.url ?? '')) res.setHeader('Retry-After', '7');
          res.writeHead(status ? Number(status[1]) : 200, { 'Content-Type': 'text/plain' });
          res.end(`got ${req.url}`);
        };
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        if (req.url === '/hold') this.held.push(answer);
        else answer();
      });
    });
  }
  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

/** What a receiver does with the headers: recompute the signature over id.timestamp.body. */
function verify(r: Received, secret: string): boolean {
  const id = r.headers['x-mlflow-delivery-id'] as string;
  const ts = r.headers['x-mlflow-timestamp'] as string;
  const mac = createHmac('sha256', secret).update(`${id}.${ts}.${r.body}`).digest('base64');
  return r.headers['x-mlflow-signature'] === `v1,${mac}`;
}

const quiet = { error: () => undefined };

describe('webhook delivery (loopback receiver)', () => {
  let backend: TestBackend;
  let stores: Stores;
  let receiver: Receiver;
  let base: string;
  const opts: WebhookOptions = {
    ...DEFAULT_WEBHOOK_OPTIONS,
    allowedSchemes: ['http', 'https'],
    allowPrivateIps: true,
    cacheTtlSec: 0,
    deliveryMaxWorkers: 2,
  };
  const ctx = () => ({ log: console, stores }) as never;
  const create = async (name: string, url: string, extra: object = {}) =>
    (
      await webhookHandlers.createWebhook(
        { name, url, events: [{ entity: 'MODEL_VERSION_TAG', action: 'SET' }], ...extra },
        ctx(),
      )
    ).webhook.webhook_id!;

  beforeAll(async () => {
    backend = await newBackend('sqlite', 'webhook-delivery');
    stores = await openStores(backend.uri, { defaultArtifactRoot: 'mlflow-artifacts:/', webhooks: opts });
    receiver = new Receiver();
    base = await receiver.start();
  });
  afterAll(async () => {
    await new Promise((r) => receiver.server.close(r));
    await stores.close();
    await backend.drop();
  });
  beforeEach(async () => {
    receiver.got = [];
    receiver.maxInFlight = 0;
    for (const w of await stores.webhooks.listWebhooks(1000, 0)) {
      await stores.webhooks.deleteWebhook(w.webhookId);
    }
  });

  it('delivers a registry event to the ACTIVE subscribed webhooks, signed, with MLflow headers and JSON', async () => {
    await create('signed', `${base}/signed`, { secret: SECRET });
    await create('unsigned', `${base}/unsigned`);
    await create('disabled', `${base}/disabled`, { status: 'DISABLED' });
    await create('other-event', `${base}/other`, { events: [{ entity: 'PROMPT', action: 'CREATED' }] });
    const payload = { name: 'm', version: '1', key: 'k', value: 'vé' };
    await deliverWebhooks(
      stores.webhooks,
      opts,
      { entity: 'model_version_tag', action: 'set' },
      payload,
      quiet,
    );

    expect(receiver.got.map((r) => r.path).sort()).toEqual(['/signed', '/unsigned']);
    const signed = receiver.got.find((r) => r.path === '/signed')!;
    expect(verify(signed, SECRET)).toBe(true);
    expect(verify(signed, 'wrong')).toBe(false);
    expect(signed.headers['x-mlflow-delivery-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(signed.headers['x-mlflow-timestamp'])).toBeGreaterThan(1.7e9);
    expect(signed.headers['content-type']).toBe('application/json');
    // Python's json.dumps: ", " / ": " separators, non-ASCII escaped, microsecond UTC timestamp.
    expect(signed.body).toMatch(
      /^\{"entity": "model_version_tag", "action": "set", "timestamp": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00", "data": \{"name": "m", "version": "1", "key": "k", "value": "v\\u00e9"\}\}$/,
    );
    const unsigned = receiver.got.find((r) => r.path === '/unsigned')!;
    expect(unsigned.headers['x-mlflow-signature']).toBeUndefined();
  });

  it('emitWebhookEvent returns before anything is looked up or sent, then delivers', async () => {
    await create('emitted', `${base}/emitted`, { secret: SECRET });
    const before = receiver.got.length;
    const log = { errors: 0, error: () => void log.errors++ };
    expect(
      emitWebhookEvent(stores, { entity: 'MODEL_VERSION_TAG', action: 'SET' }, { name: 'm', key: 'k' }, log),
    ).toBeUndefined();
    expect(receiver.got.length).toBe(before);
    while (receiver.got.length === before) await new Promise((r) => setTimeout(r, 10));
    expect(receiver.got.at(-1)!.path).toBe('/emitted');
    expect(verify(receiver.got.at(-1)!, SECRET)).toBe(true);
    expect(log.errors).toBe(0);
  });

  it('logs a failed delivery and never rejects', async () => {
    await create('unreachable', 'http://127.0.0.1:1/x');
    const messages: string[] = [];
    const log = { error: (_o: object, msg: string) => void messages.push(msg) };
    const fast = { ...opts, maxRetries: 0 };
    await deliverWebhooks(stores.webhooks, fast, { entity: 'model_version_tag', action: 'set' }, {}, log);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(
      /^Failed to send webhook to http:\/\/127\.0\.0\.1:1\/x for event model_version_tag\.set: ConnectionError\(MaxRetryError/,
    );
  });

  it('runs at most deliveryMaxWorkers deliveries at once, and never rejects', async () => {
    for (let i = 0; i < 5; i++) await create(`held-${i}`, `${base}/hold`);
    const done = deliverWebhooks(
      stores.webhooks,
      opts,
      { entity: 'model_version_tag', action: 'set' },
      {},
      quiet,
    );
    while (receiver.got.length < 5) {
      await new Promise((r) => setTimeout(r, 20));
      receiver.held.splice(0).forEach((release) => release());
    }
    await done;
    expect(receiver.got).toHaveLength(5);
    expect(receiver.maxInFlight).toBe(2);
  });

  it('test_webhook sends the example payload of the event and reports the answer', async () => {
    const id = await create('tested', `${base}/status/201`, { secret: SECRET });
    const { result } = await webhookHandlers.testWebhook(
      { webhook_id: id, event: { entity: 'MODEL_VERSION_ALIAS', action: 'DELETED' } },
      ctx(),
    );
    expect(result).toEqual({ success: true, response_status: 201, response_body: 'got /status/201' });
    expect(verify(receiver.got[0]!, SECRET)).toBe(true);
    expect(JSON.parse(receiver.got[0]!.body)).toMatchObject({
      entity: 'model_version_alias',
      action: 'deleted',
      data: { name: 'example_model', alias: 'example_alias' },
    });
  });

  it('retries 429/5xx MaxRetries times with urllib3 backoff, honours Retry-After, then returns the last answer', async () => {
    const sleeps: number[] = [];
    const send = {
      allowPrivateIps: true,
      timeoutMs: 5000,
      maxRetries: 3,
      sleepMs: async (ms: number) => sleeps.push(ms),
    };
    const res = await postWebhook(`${base}/status/502`, Buffer.from('{}'), {}, send);
    expect(res).toEqual({ status: 502, body: 'got /status/502' });
    expect(receiver.got).toHaveLength(4);
    expect(sleeps[0]).toBe(0); // no backoff before the first retry
    expect(sleeps[1]).toBeGreaterThanOrEqual(2000);
    expect(sleeps[1]).toBeLessThanOrEqual(3000);
    expect(sleeps[2]).toBeGreaterThanOrEqual(4000);
    expect(sleeps[2]).toBeLessThanOrEqual(5000);

    sleeps.length = 0;
    await postWebhook(`${base}/status/503/retry-after`, Buffer.from('{}'), {}, { ...send, maxRetries: 1 });
    expect(sleeps).toEqual([7000]);

    receiver.got = [];
    const ok = await postWebhook(`${base}/status/404`, Buffer.from('{}'), {}, send);
    expect(ok.status).toBe(404);
    expect(receiver.got).toHaveLength(1); // not a retried status
  });

  it('reports an unreachable receiver as MLflow words it, after the retries', async () => {
    const send = { allowPrivateIps: true, timeoutMs: 5000, maxRetries: 1, sleepMs: async () => undefined };
    const err = await postWebhook('http://127.0.0.1:1/x', Buffer.from('{}'), {}, send).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).pyRepr).toBe(
      "ConnectionError(MaxRetryError('_SSRFProtectedHTTPConnectionPool(host=\\'127.0.0.1\\', port=1): Max retries " +
        "exceeded with url: /x (Caused by NewConnectionError(\"_SSRFProtectedHTTPConnection(host=\\'127.0.0.1\\', " +
        'port=1): Failed to establish a new connection: [Errno 111] Connection refused"))\'))',
    );
  });

  it('refuses private addresses: at URL validation, and on the connected socket (never retried)', async () => {
    const strict = { ...opts, allowPrivateIps: false };
    const msg = async (url: string) =>
      ((await validateWebhookUrl(url, strict).catch((e: unknown) => e)) as MlflowError).message;
    expect(await msg(`${base}/x`)).toBe(
      "Webhook URL must not resolve to a non-public IP address. '127.0.0.1' resolves to 127.0.0.1.",
    );
    expect(await msg('http://localhost:5/x')).toBe(
      "Webhook URL must not resolve to a non-public IP address. 'localhost' resolves to 127.0.0.1.",
    );
    expect(await msg('http://[::ffff:169.254.169.254]/latest')).toBe(
      "Webhook URL must not resolve to a non-public IP address. '::ffff:169.254.169.254' resolves to ::ffff:a9fe:a9fe.",
    );

    // As after a DNS rebinding: the URL is not validated again here, the socket's peer is checked.
    const send = { allowPrivateIps: false, timeoutMs: 5000, maxRetries: 3, sleepMs: async () => undefined };
    const err = await postWebhook(`${base}/rebound`, Buffer.from('{}'), {}, send).catch((e: unknown) => e);
    expect((err as DeliveryError).pyRepr).toBe(
      "SSRFProtectionError('Webhook connection blocked: 127.0.0.1 is not a public IP address. " +
        "This may indicate a DNS rebinding attempt.')",
    );
    expect(receiver.got).toHaveLength(0);
  });
});
