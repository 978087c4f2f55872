/**
 * Random filter strings (tests/integration/search-fixture/gen_parser_fuzz.py) through our
 * parsers and the pinned MLflow's: same clauses or the same message. Inputs MLflow answers with
 * a non-MLflow exception (a 500) only need to fail with INTERNAL_ERROR here too.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { parseExperimentFilter } from '../../src/services/search/experiment-filter.js';
import type { FilterClause } from '../../src/services/search/filter-types.js';
import { parseRunOrderBy } from '../../src/services/search/order-by.js';
import { parseRunFilter } from '../../src/services/search/run-filter.js';

interface Answer {
  ok?: unknown;
  error?: string;
  exc?: string;
}
interface FuzzCase {
  input: string;
  run: Answer;
  exp: Answer;
  order: Answer;
}

const cases = JSON.parse(
  readFileSync(new URL('./search-parser-fuzz-golden.json', import.meta.url), 'utf8'),
) as FuzzCase[];

const norm = (m: string): string =>
  m.replace(
    /\{('[^']*'(?:, '[^']*')*)\}/g,
    (_x, inner: string) => '{' + inner.split(', ').sort().join(', ') + '}',
  );

function outcome(fn: () => unknown): { ok?: unknown; error?: string; internal?: boolean } {
  try {
    return { ok: fn() };
  } catch (e) {
    if (e instanceof MlflowError)
      return { error: norm(e.message), internal: e.errorCode === 'INTERNAL_ERROR' };
    throw e;
  }
}

const clause = (c: FilterClause): unknown => ({
  type: c.type,
  key: c.key,
  comparator: c.comparator,
  value: c.value.kind === 'none' ? null : c.value.value,
});

it('parsers agree with MLflow on random filter strings', () => {
  const mismatches: unknown[] = [];
  for (const c of cases) {
    const ours = {
      run: outcome(() => parseRunFilter(c.input).map(clause)),
      exp: outcome(() => parseExperimentFilter(c.input).map(clause)),
      order: outcome(() => {
        const o = parseRunOrderBy(c.input);
        return [o.type, o.key, o.ascending];
      }),
    };
    for (const k of ['run', 'exp', 'order'] as const) {
      const want = c[k];
      const got = ours[k];
      if (want.error !== undefined && want.exc !== 'MlflowException') {
        if (!got.internal) mismatches.push({ input: c.input, k, got, want });
        continue;
      }
      const w = want.error !== undefined ? { error: norm(want.error), internal: false } : { ok: want.ok };
      if (JSON.stringify(got) !== JSON.stringify(w)) mismatches.push({ input: c.input, k, got, want: w });
    }
  }
  expect(mismatches).toEqual([]);
});
