/**
 * The remote model catalog of the LLM cost step (MLFLOW_MODEL_CATALOG_URI): file:// and http
 * catalogs, MLflow's TTL cache (failures cached as empty), unsupported schemes and TTLs.
 * Expected texts were produced by the pinned release with MLFLOW_MODEL_CATALOG_URI=file://<the
 * same catalog files> (calculate_cost_by_model_and_token_usage + dump_span_attribute_value).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { NotNative } from '../../src/services/raw-reply.js';
import { configureModelCost, costAttribute, prepareModelCost } from '../../src/services/traces/model-cost.js';

const USAGE = JSON.stringify({ input_tokens: 100, output_tokens: 10, cache_read_input_tokens: 40 });
const OPENAI = JSON.stringify({
  schema_version: '1',
  models: {
    'gpt-4o': {
      mode: 'chat',
      pricing: {
        input_per_million_tokens: 3,
        output_per_million_tokens: 7.5,
        cache_read_per_million_tokens: true,
      },
    },
  },
});
// An int price past 2**53 (divided exactly, as Python's true division).
const OPENAI_ODD =
  '{"models": {"odd": {"pricing": {"input_per_million_tokens": 123456789012345678901234567}}}}';
/** The remote openai prices applied to USAGE. */
const REMOTE = '{"input_cost": 0.00022, "output_cost": 7.500000000000001e-05, "total_cost": 0.000295}';
/** The bundled gpt-4o prices applied to USAGE. */
const BUNDLED = '{"input_cost": 0.0002, "output_cost": 0.0001, "total_cost": 0.00030000000000000003}';

const q = (v: string): string => JSON.stringify(v);

describe('file:// catalog', () => {
  let dir: string;
  const dirs: string[] = [];
  const uri = (): string => `file://${dir}`;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlflow-ts-catalog-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'openai.json'), OPENAI);
    // A catalog _parse_catalog_models raises on (pricing not a dict): treated as missing.
    writeFileSync(join(dir, 'anthropic.json'), '{"models": {"gpt-4o": {"pricing": "abc"}}}');
  });
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("prices from the provider's remote catalog, the bundled one where it has none or is broken", async () => {
    configureModelCost({ catalogUri: uri(), ttlSeconds: 60 });
    await prepareModelCost(['OpenAI', 'anthropic', 'gemini', null]);
    expect(costAttribute(USAGE, q('gpt-4o'), q('OpenAI'))).toBe(REMOTE);
    expect(costAttribute(USAGE, q('openai/gpt-4o'), q('openai'))).toBe(REMOTE);
    expect(costAttribute(USAGE, q('gpt-4o'), q('anthropic'))).toBe(BUNDLED);
    // Without a provider only the bundled catalog is scanned.
    expect(costAttribute(USAGE, q('gpt-4o'), undefined)).toBe(BUNDLED);
    // A remote catalog without the model: the lookup by provider finds nothing, the scan does.
    expect(costAttribute(USAGE, q('gpt-4o-mini'), q('openai'))).toBe(
      '{"input_cost": 1.2e-05, "output_cost": 6e-06, "total_cost": 1.8e-05}',
    );
  });

  it('divides a huge int price exactly', async () => {
    writeFileSync(join(dir, 'openai.json'), OPENAI_ODD);
    configureModelCost({ catalogUri: uri(), ttlSeconds: 60 });
    await prepareModelCost(['openai']);
    expect(costAttribute('{"input_tokens": 3}', q('odd'), q('openai'))).toBe(
      '{"input_cost": 3.703703670370371e+20, "output_cost": 0.0, "total_cost": 3.703703670370371e+20}',
    );
  });

  it('keeps a catalog for the TTL, failures included, and reloads it after', async () => {
    configureModelCost({ catalogUri: uri(), ttlSeconds: 3600 });
    rmSync(join(dir, 'openai.json'));
    await prepareModelCost(['openai']);
    expect(costAttribute(USAGE, q('gpt-4o'), q('openai'))).toBe(BUNDLED);
    writeFileSync(join(dir, 'openai.json'), OPENAI);
    await prepareModelCost(['openai']);
    // The failed read is cached (as empty) for the TTL.
    expect(costAttribute(USAGE, q('gpt-4o'), q('openai'))).toBe(BUNDLED);

    // A TTL of 0 caches nothing: every batch reads the file again.
    configureModelCost({ catalogUri: uri(), ttlSeconds: 0 });
    await prepareModelCost(['openai']);
    expect(costAttribute(USAGE, q('gpt-4o'), q('openai'))).toBe(REMOTE);
    rmSync(join(dir, 'openai.json'));
    await prepareModelCost(['openai']);
    expect(costAttribute(USAGE, q('gpt-4o'), q('openai'))).toBe(BUNDLED);
  });

  it('hands over a span whose remote catalog was not loaded', () => {
    configureModelCost({ catalogUri: uri(), ttlSeconds: 60 });
    expect(() => costAttribute(USAGE, q('gpt-4o'), q('openai'))).toThrow(NotNative);
    // Databricks endpoint names use the Databricks catalog whatever the provider says.
    expect(() => costAttribute(USAGE, q('databricks-claude-sonnet-4'), undefined)).toThrow(NotNative);
    // Without a provider nothing remote is read.
    expect(costAttribute(USAGE, q('gpt-4o'), undefined)).toBe(BUNDLED);
  });
});

describe('catalog settings MLflow raises on', () => {
  it('an unsupported scheme or a TTL that is not an int fails the lookup by provider; the scan still prices', async () => {
    const scanned = '{"input_cost": 6.4e-05, "output_cost": 3e-05, "total_cost": 9.4e-05}';
    for (const c of [
      { catalogUri: 's3://bucket/catalog', ttlSeconds: 60 },
      { catalogUri: 'file:///nowhere', ttlSeconds: undefined },
    ]) {
      configureModelCost(c);
      await prepareModelCost(['openai', 'abliteration']);
      expect(costAttribute(USAGE, q('gpt-4o'), q('openai'))).toBe(BUNDLED);
      expect(costAttribute(USAGE, q('abliterated-model'), q('abliteration'))).toBe(scanned);
    }
  });
});

describe('http catalog', () => {
  const hits: string[] = [];
  let status = 200;
  let server: Server;
  let base = '';

  beforeEach(async () => {
    hits.length = 0;
    status = 200;
    if (!server) {
      server = createServer((req, res) => {
        hits.push(req.url ?? '');
        if (status !== 200 || req.url !== '/cat/openai.json') {
          res.writeHead(status === 200 ? 404 : status).end('no');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(OPENAI);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cat/`;
    }
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches once per TTL and prices from it', async () => {
    configureModelCost({ catalogUri: base, ttlSeconds: 60, retryDelaysSeconds: [0, 0, 0] });
    await Promise.all([prepareModelCost(['openai']), prepareModelCost(['openai'])]);
    await prepareModelCost(['openai']);
    expect(costAttribute(USAGE, q('gpt-4o'), q('openai'))).toBe(REMOTE);
    expect(hits).toEqual(['/cat/openai.json']);
  });

  it('retries 404 and 5xx three times, then caches the failure as empty', async () => {
    configureModelCost({ catalogUri: base, ttlSeconds: 60, retryDelaysSeconds: [0, 0, 0] });
    await prepareModelCost(['anthropic']);
    expect(hits).toEqual(Array(4).fill('/cat/anthropic.json'));
    await prepareModelCost(['anthropic']);
    expect(hits.length).toBe(4);
    status = 503;
    await prepareModelCost(['openai']);
    expect(hits.length).toBe(8);
    expect(costAttribute(USAGE, q('gpt-4o'), q('openai'))).toBe(BUNDLED);
  });

  it('does not retry other errors', async () => {
    configureModelCost({ catalogUri: base, ttlSeconds: 60, retryDelaysSeconds: [0, 0, 0] });
    status = 403;
    await prepareModelCost(['openai']);
    expect(hits.length).toBe(1);
    expect(costAttribute(USAGE, q('gpt-4o'), q('openai'))).toBe(BUNDLED);
  });
});

describe('server settings', () => {
  it('reads MLFLOW_MODEL_CATALOG_URI and MLFLOW_MODEL_CATALOG_CACHE_TTL as MLflow does', async () => {
    const { modelCatalogFromEnv } = await import('../../src/cli/model-catalog-env.js');
    expect(modelCatalogFromEnv({})).toEqual({
      catalogUri: 'https://github.com/mlflow/mlflow/releases/download/model-catalog%2Flatest',
      ttlSeconds: 86400,
    });
    expect(
      modelCatalogFromEnv({ MLFLOW_MODEL_CATALOG_URI: '', MLFLOW_MODEL_CATALOG_CACHE_TTL: ' 1_0 ' }),
    ).toEqual({
      catalogUri: '',
      ttlSeconds: 10,
    });
    expect(modelCatalogFromEnv({ MLFLOW_MODEL_CATALOG_CACHE_TTL: '1.5' }).ttlSeconds).toBeUndefined();
  });
});
