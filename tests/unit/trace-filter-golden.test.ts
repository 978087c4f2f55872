/**
 * Random trace filter and order_by strings (tests/integration/search-fixture/gen_trace_filter_golden.py)
 * through our parser and search plan and through the pinned MLflow's parser and SQL store: the
 * same clauses, the same message and error code, or, where the pinned store crashed with a
 * driver or Python error, a hand-over to the Python server.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { NotNative } from '../../src/services/raw-reply.js';
import { parseTraceFilter, type TraceClause } from '../../src/services/search/trace-filter.js';
import { planTraceFilter, planTraceOrder } from '../../src/services/traces/trace-search-plan.js';

interface Answer {
  ok?: unknown;
  error?: string;
  code?: string;
  exc?: string;
}
interface Golden {
  filters: { input: string; parse: Answer; store: Answer }[];
  orders: { input: string | string[]; store: Answer }[];
}

const golden = JSON.parse(
  readFileSync(new URL('./trace-filter-golden.json', import.meta.url), 'utf8'),
) as Golden;

/** A Python set printed in a message: its order is the process's hash order. */
const norm = (m: string): string =>
  m.replace(
    /\{('[^']*'(?:, '[^']*')*)\}/g,
    (_x, inner: string) => '{' + inner.split(', ').sort().join(', ') + '}',
  );

type Outcome = { ok?: unknown; error?: string; code?: string; handedOver?: boolean };

function outcome(fn: () => unknown): Outcome {
  try {
    return { ok: fn() };
  } catch (e) {
    if (e instanceof MlflowError) return { error: norm(e.message), code: e.errorCode };
    if (e instanceof NotNative) return { handedOver: true };
    throw e;
  }
}

const clause = (c: TraceClause): unknown => ({
  type: c.type,
  key: c.key,
  comparator: c.comparator,
  value: c.value.kind === 'none' ? null : c.value.value,
});

/** What the pinned store's answer requires of ours. */
function agrees(ours: Outcome, theirs: Answer): boolean {
  if (
    theirs.exc !== undefined ||
    (theirs.code !== undefined &&
      theirs.code !== 'INVALID_PARAMETER_VALUE' &&
      !theirs.error?.startsWith('`order_by`'))
  ) {
    // A crash in the pinned store (a driver or Python error): handed over, never answered natively.
    return ours.handedOver === true;
  }
  if (theirs.error !== undefined) return ours.error === norm(theirs.error) && ours.code === theirs.code;
  return ours.ok !== undefined || ours.handedOver === true;
}

it('the trace filter parser agrees with MLflow on random filter strings', () => {
  const mismatches: unknown[] = [];
  for (const c of golden.filters) {
    const ours = outcome(() => parseTraceFilter(c.input).map(clause));
    const theirs = c.parse.error !== undefined ? { error: norm(c.parse.error) } : { ok: c.parse.ok };
    const mine = ours.error !== undefined ? { error: ours.error } : { ok: ours.ok };
    if (JSON.stringify(mine) !== JSON.stringify(theirs))
      mismatches.push({ input: c.input, ours: mine, theirs });
  }
  expect(mismatches).toEqual([]);
  expect(golden.filters.length).toBeGreaterThan(1000);
});

it("the search plan answers as MLflow's SQL store does for each filter", () => {
  const mismatches: unknown[] = [];
  let native = 0;
  for (const c of golden.filters) {
    const ours = outcome(() => planTraceFilter(c.input));
    if (!agrees(ours, c.store)) mismatches.push({ input: c.input, ours, theirs: c.store });
    if (ours.ok !== undefined) native++;
  }
  expect(mismatches).toEqual([]);
  // Most well-formed filters are served natively.
  expect(native).toBeGreaterThan(200);
});

it("order_by clauses are checked as MLflow's SQL store checks them", () => {
  const mismatches: unknown[] = [];
  for (const c of golden.orders) {
    const list = Array.isArray(c.input) ? c.input : [c.input];
    const ours = outcome(() => planTraceOrder(list));
    if (!agrees(ours, c.store)) mismatches.push({ input: c.input, ours, theirs: c.store });
  }
  expect(mismatches).toEqual([]);
});
