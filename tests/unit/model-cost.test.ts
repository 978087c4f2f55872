/**
 * The LLM cost step (src/services/traces/model-cost.ts) against the pinned release: golden
 * mlflow.llm.cost texts written by tests/integration/search-fixture/gen_model_cost_golden.py
 * (calculate_cost_by_model_and_token_usage + dump_span_attribute_value, bundled catalog only).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import {
  configureModelCost,
  costAttribute,
  modelCostProvider,
  prepareModelCost,
} from '../../src/services/traces/model-cost.js';

const golden = JSON.parse(readFileSync(new URL('./model-cost-golden.json', import.meta.url), 'utf8')) as {
  cases: [string, string, string | null, string | null][];
};

beforeAll(() => configureModelCost({ catalogUri: '', ttlSeconds: 86400 }));

it('stores the cost text MLflow stores, or none, for every golden case', async () => {
  await prepareModelCost(golden.cases.map((c) => c[2]));
  const wrong = golden.cases
    .map(([usage, model, provider, want]) => ({
      usage,
      model,
      provider,
      want,
      got: costAttribute(usage, model, provider ?? undefined),
    }))
    .filter((c) => c.got !== c.want);
  expect(wrong).toEqual([]);
});

it('covers priced and unpriced cases, cache and odd token values', () => {
  const priced = golden.cases.filter((c) => c[3] !== null);
  expect(priced.length).toBeGreaterThan(500);
  expect(golden.cases.length - priced.length).toBeGreaterThan(100);
  expect(priced.some((c) => c[0].includes('cache_creation_input_tokens_above_1hr'))).toBe(true);
  expect(priced.some((c) => c[3]!.includes('NaN'))).toBe(true);
});

it('needs no more than the catalogs modelCostProvider names (a remote catalog with no files)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlflow-ts-empty-catalog-'));
  try {
    configureModelCost({ catalogUri: `file://${dir}`, ttlSeconds: 60 });
    await prepareModelCost(
      golden.cases.map(([, model, provider]) => modelCostProvider(model, provider ?? undefined)),
    );
    const wrong = golden.cases.filter(([u, m, p, want]) => costAttribute(u, m, p ?? undefined) !== want);
    expect(wrong).toEqual([]);
  } finally {
    configureModelCost({ catalogUri: '', ttlSeconds: 86400 });
    rmSync(dir, { recursive: true, force: true });
  }
});
