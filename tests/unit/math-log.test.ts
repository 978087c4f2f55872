/**
 * pyLog against the pinned Python's math.log, and the correlation's NPMI against
 * mlflow.store.analytics.trace_correlation.calculate_npmi_from_counts: golden values written by
 * the pinned release (tests/integration/search-fixture/gen_math_log_golden.py).
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { pyLog } from '../../src/py/math-log.js';
import { npmiFromCounts } from '../../src/services/traces/trace-correlation.js';

const golden = JSON.parse(readFileSync(new URL('./math-log-golden.json', import.meta.url), 'utf8')) as {
  logs: [number, number][];
  npmi: [number, number, number, number, number | null, number | null][];
};

it('gives math.log digit for digit on integers and halves (the NPMI inputs)', () => {
  const halves = golden.logs.slice(0, 6000);
  expect(halves.filter(([x, y]) => pyLog(x) !== y)).toEqual([]);
});

it('is within one ulp of math.log elsewhere, and mostly equal', () => {
  const rest = golden.logs.slice(6000);
  const off = rest.filter(([x, y]) => pyLog(x) !== y);
  expect(off.length).toBeLessThan(rest.length / 100);
  for (const [x, y] of off) expect(Math.abs(pyLog(x) - y)).toBeLessThanOrEqual(Math.abs(y) * 2 ** -52);
});

it('computes NPMI and its smoothed value as the pinned release does', () => {
  const bad = golden.npmi.filter(([j, f1, f2, t, npmi, smoothed]) => {
    const [a, b] = npmiFromCounts(j, f1, f2, t);
    return (Number.isNaN(a) ? null : a) !== npmi || (Number.isNaN(b) ? null : b) !== smoothed;
  });
  expect(bad).toEqual([]);
});
