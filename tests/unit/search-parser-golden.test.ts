/**
 * The filter / order_by / page-token parsers against what the pinned MLflow returns or raises for
 * the same input (golden file written by tests/integration/search-fixture/gen_parser_golden.py).
 * Python prints sets in hash order, so set literals inside messages are compared member-sorted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { parseExperimentFilter } from '../../src/services/search/experiment-filter.js';
import type { FilterClause } from '../../src/services/search/filter-types.js';
import { parseExperimentOrderBy, parseRunOrderBy } from '../../src/services/search/order-by.js';
import { createPageToken, parsePageToken } from '../../src/services/search/page-token.js';
import { parseRunFilter } from '../../src/services/search/run-filter.js';

interface Case {
  input: string;
  ok?: unknown;
  error?: string;
  error_code?: string;
}
interface Golden {
  run_filters: Case[];
  experiment_filters: Case[];
  run_order_bys: Case[];
  experiment_order_bys: Case[];
  page_tokens: Case[];
  created_tokens: Record<string, string>;
}

const golden = JSON.parse(
  readFileSync(new URL('./search-parser-golden.json', import.meta.url), 'utf8'),
) as Golden;

function normalizeSets(msg: string): string {
  return msg.replace(/\{('[^']*'(?:, '[^']*')*)\}/g, (_m, inner: string) => {
    const members = inner.split(', ').sort();
    return '{' + members.join(', ') + '}';
  });
}

function clauseJson(c: FilterClause): unknown {
  const v = c.value;
  const value = v.kind === 'none' ? null : v.value;
  return { type: c.type, key: c.key, comparator: c.comparator, value };
}

function outcome(fn: () => unknown): { ok?: unknown; error?: string; error_code?: string } {
  try {
    return { ok: fn() };
  } catch (e) {
    if (e instanceof MlflowError) return { error: normalizeSets(e.message), error_code: e.errorCode };
    throw e;
  }
}

function expected(c: Case): { ok?: unknown; error?: string; error_code?: string } {
  if (c.error !== undefined)
    return { error: normalizeSets(c.error), error_code: c.error_code ?? 'INTERNAL_ERROR' };
  return { ok: c.ok };
}

describe('run filter parser matches MLflow', () => {
  for (const c of golden.run_filters) {
    it(JSON.stringify(c.input), () => {
      expect(outcome(() => parseRunFilter(c.input).map(clauseJson))).toEqual(expected(c));
    });
  }
});

describe('experiment filter parser matches MLflow', () => {
  for (const c of golden.experiment_filters) {
    it(JSON.stringify(c.input), () => {
      expect(outcome(() => parseExperimentFilter(c.input).map(clauseJson))).toEqual(expected(c));
    });
  }
});

describe('order_by parser matches MLflow', () => {
  for (const c of golden.run_order_bys) {
    it(`runs ${JSON.stringify(c.input)}`, () => {
      expect(
        outcome(() => {
          const o = parseRunOrderBy(c.input);
          return [o.type, o.key, o.ascending];
        }),
      ).toEqual(expected(c));
    });
  }
  for (const c of golden.experiment_order_bys) {
    it(`experiments ${JSON.stringify(c.input)}`, () => {
      expect(
        outcome(() => {
          const o = parseExperimentOrderBy(c.input);
          return [o.type, o.key, o.ascending];
        }),
      ).toEqual(expected(c));
    });
  }
});

describe('page tokens match MLflow', () => {
  for (const c of golden.page_tokens) {
    it(JSON.stringify(c.input), () => {
      expect(outcome(() => parsePageToken(c.input))).toEqual(expected(c));
    });
  }
  it('creates the same tokens', () => {
    for (const [n, tok] of Object.entries(golden.created_tokens)) {
      expect(createPageToken(Number(n))).toBe(tok);
    }
  });
});
