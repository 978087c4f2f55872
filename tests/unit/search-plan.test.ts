/**
 * Store-side checks and their precedence, with MLflow's messages written out (checked against the
 * pinned SqlAlchemyStore by tests/integration/search-runs.test.ts; here without Python). Python
 * prints the comparator sets in hash order; ours are fixed.
 */
import { describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { planExperimentSearch } from '../../src/services/search/experiment-search-plan.js';
import { createPageToken } from '../../src/services/search/page-token.js';
import { planRunSearch, type SearchRunsParams } from '../../src/services/search/run-search-plan.js';

function runErr(p: Partial<SearchRunsParams>): { message: string; code: string } | undefined {
  try {
    planRunSearch({ experimentIds: ['1'], maxResults: 1000, orderBy: [], ...p });
    return undefined;
  } catch (e) {
    if (e instanceof MlflowError) return { message: e.message, code: e.errorCode };
    throw e;
  }
}

const BAD = 'INVALID_PARAMETER_VALUE';

describe('searchRuns store checks', () => {
  it.each([
    ['metrics.a LIKE 1', "Invalid comparator 'LIKE' not one of '{'>', '>=', '!=', '=', '<', '<='}"],
    ['metrics.a == 1', "Invalid comparator '==' not one of '{'>', '>=', '!=', '=', '<', '<='}"],
    [
      "params.p > 'a'",
      "Invalid comparator '>' not one of '{'!=', '=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL'}'",
    ],
    [
      "params.p NOT LIKE 'a'",
      "Invalid comparator 'NOT LIKE' not one of '{'!=', '=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL'}'",
    ],
    [
      "tags.t < 'a'",
      "Invalid comparator '<' not one of '{'!=', '=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL'}",
    ],
    ["status > 'a'", "Invalid comparator '>' not one of '{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}'"],
    [
      'start_time LIKE 5',
      "Invalid comparator 'LIKE' not one of '{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}",
    ],
    ["dataset.name > 'a'", "Invalid comparator '>' not one of '{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}"],
  ])('%s', (filter, message) => {
    expect(runErr({ filter })).toEqual({ message, code: BAD });
  });

  it('order_by: duplicates (after alias translation) are an internal error, as in MLflow', () => {
    expect(runErr({ orderBy: ['created', 'start_time DESC'] })).toEqual({
      message: "`order_by` contains duplicate fields: ['created', 'start_time DESC']",
      code: 'INTERNAL_ERROR',
    });
  });

  it('order_by: datasets cannot be sorted on', () => {
    expect(runErr({ orderBy: ['dataset.name'] })).toEqual({
      message: "Invalid identifier type 'dataset'",
      code: BAD,
    });
  });

  it('max_results bounds', () => {
    expect(runErr({ maxResults: 0 })?.message).toBe(
      "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
    );
    expect(runErr({ maxResults: 50001 })?.message).toBe(
      "Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000",
    );
  });

  it('experiment ids must be integers', () => {
    expect(runErr({ experimentIds: ['1', 'x'] })).toEqual({
      message: "Invalid experiment ID 'x'. Experiment ID must be a valid integer.",
      code: BAD,
    });
  });

  it('checks run in MLflow order: max_results, filter syntax, order_by, operators, page token, ids', () => {
    const all = {
      maxResults: 0,
      filter: 'metrics.a LIKE 1 OR x',
      orderBy: ['bogus'],
      pageToken: 'abcde',
      experimentIds: ['x'],
    };
    expect(runErr(all)?.message).toMatch(/^Invalid value 0/);
    expect(runErr({ ...all, maxResults: 10 })?.message).toBe("Invalid clause(s) in filter string: 'OR', 'x'");
    expect(runErr({ ...all, maxResults: 10, filter: 'metrics.a LIKE 1' })?.message).toMatch(
      /^Invalid attribute key 'bogus'/,
    );
    expect(runErr({ ...all, maxResults: 10, filter: 'metrics.a LIKE 1', orderBy: [] })?.message).toMatch(
      /^Invalid comparator 'LIKE'/,
    );
    expect(runErr({ ...all, maxResults: 10, filter: '', orderBy: [] })?.message).toBe(
      'Invalid page token, could not base64-decode',
    );
    expect(runErr({ ...all, maxResults: 10, filter: '', orderBy: [], pageToken: '' })?.message).toMatch(
      /^Invalid experiment ID 'x'/,
    );
  });

  it('builds the store query', () => {
    const q = planRunSearch({
      experimentIds: ['1', '2'],
      filter: "attributes.`Run Name` LIKE 'a%' AND run_id IN ('x') AND metrics.m > 1e3 AND params.p IS NULL",
      runViewType: 'ALL',
      maxResults: 10,
      orderBy: ['created DESC', 'run_name', 'metrics.`my m`'],
      pageToken: createPageToken(20),
    });
    expect(q).toEqual({
      experimentIds: [1, 2],
      lifecycleStages: ['active', 'deleted'],
      predicates: [
        { on: 'run_name_tag', op: 'LIKE', value: 'a%' },
        { on: 'column', column: 'run_uuid', op: 'IN', value: ['x'] },
        { on: 'metric', key: 'm', op: '>', value: 1000 },
        { on: 'param', key: 'p', op: 'IS NULL' },
      ],
      sort: [
        { on: 'column', column: 'start_time', ascending: false },
        { on: 'column', column: 'name', ascending: true },
        { on: 'metric', key: 'my m', ascending: true },
      ],
      offset: 20,
      limit: 11,
      maxResults: 10,
    });
  });
});

function expErr(p: Partial<Parameters<typeof planExperimentSearch>[0]>): string | undefined {
  try {
    planExperimentSearch({ maxResults: 10, orderBy: [], ...p });
    return undefined;
  } catch (e) {
    if (e instanceof MlflowError) return e.message;
    throw e;
  }
}

describe('searchExperiments store checks', () => {
  it.each([
    ["experiment_id > '1'", 'Invalid comparator for experiment_id: >'],
    ["experiment_id = 'x'", "Invalid experiment ID 'x'. Experiment ID must be a valid integer."],
    ["name > 'a'", "Invalid comparator '>' not one of '{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}'"],
    ["tags.t > 'a'", 'Invalid comparator for tag: >'],
    ['creation_time > 1.5', "Invalid value for numeric attribute 'creation_time': '1.5'"],
    ['creation_time > 1e3', "Invalid value for numeric attribute 'creation_time': '1000.0'"],
    [
      'creation_time LIKE 5',
      "Invalid comparator 'LIKE' not one of '{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}",
    ],
  ])('%s', (filter, message) => {
    expect(expErr({ filter })).toBe(message);
  });

  it('an absent max_results (0) is refused, as the pinned server does', () => {
    expect(expErr({ maxResults: 0 })).toBe(
      "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
    );
  });

  it('order_by on tags is refused; default order and tie-breaker', () => {
    expect(expErr({ orderBy: ['tags.t'] })).toBe('Invalid order_by entity: tag');
    expect(planExperimentSearch({ maxResults: 5, orderBy: [] }).sort).toEqual([
      { column: 'creation_time', ascending: false },
      { column: 'experiment_id', ascending: true },
    ]);
    expect(planExperimentSearch({ maxResults: 5, orderBy: ['name'] }).sort).toEqual([
      { column: 'name', ascending: true },
      { column: 'experiment_id', ascending: false },
    ]);
  });
});
