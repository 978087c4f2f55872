/**
 * searchRuns / searchExperiments on SQLite and PostgreSQL against the pinned MLflow's SQL store:
 * the same database is loaded by Python MLflow, which records its answers for a battery of
 * filters, orderings, views, limits and page tokens; our services must return the same run ids in
 * the same order, the same next-page tokens, the same errors, and the same run / experiment shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { searchExperiments } from '../../src/services/tracking/search-experiments.js';
import { searchRuns } from '../../src/services/tracking/search-runs.js';
import { backendNames } from '../helpers/store-backends.js';
import {
  canonical,
  HAVE_PYTHON,
  normalizeSets,
  openFixture,
  viewName,
  type Fixture,
} from './search-fixture/fixture.js';

async function outcome<T>(fn: () => Promise<T>): Promise<T | { error: string; error_code: string }> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof MlflowError) return { error: normalizeSets(e.message), error_code: e.errorCode };
    throw e;
  }
}

function expectedOf(a: {
  ids?: string[];
  token?: string | null;
  error?: string;
  error_code?: string;
}): unknown {
  if (a.error !== undefined)
    return { error: normalizeSets(a.error), error_code: a.error_code ?? 'INTERNAL_ERROR' };
  return { ids: a.ids, token: a.token ?? undefined };
}

for (const name of backendNames) {
  describe.skipIf(!HAVE_PYTHON)(`search on ${name} matches MLflow`, () => {
    let fx: Fixture;
    beforeAll(async () => {
      fx = await openFixture(name);
    }, 240_000);
    afterAll(async () => {
      await fx?.cleanup();
    });

    it('searchRuns: every query of the battery', async () => {
      const mismatches: unknown[] = [];
      for (const a of fx.answers.runs) {
        const q = a.query;
        const got = await outcome(async () => {
          const r = await searchRuns(fx.dialect, {
            experiment_ids: q.experiment_ids,
            filter: q.filter,
            run_view_type: viewName(q.view),
            max_results: q.max_results,
            order_by: q.order_by,
            ...(q.page_token ? { page_token: q.page_token } : {}),
          });
          return { ids: r.runs.map((x) => x.info.run_id), token: r.nextPageToken };
        });
        const want = expectedOf(a);
        if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push({ query: q, got, want });
      }
      expect(mismatches).toEqual([]);
    });

    it('searchRuns: following page tokens visits the same pages', async () => {
      const pages: string[][] = [];
      let token: string | undefined;
      do {
        const r = await searchRuns(fx.dialect, {
          experiment_ids: ['1', '2'],
          run_view_type: 'ALL',
          max_results: 7,
          order_by: ['metrics.acc DESC', 'params.model'],
          ...(token ? { page_token: token } : {}),
        });
        pages.push(r.runs.map((x) => x.info.run_id));
        token = r.nextPageToken;
      } while (token);
      expect(pages).toEqual(fx.answers.pages);
    });

    it('searchRuns: full runs have the same content as MLflow sends', async () => {
      const r = await searchRuns(fx.dialect, {
        experiment_ids: ['1', '2'],
        run_view_type: 'ALL',
        max_results: 1000,
        order_by: ['attributes.run_id'],
      });
      expect(
        canonical(
          JSON.parse(
            JSON.stringify(r.runs, (_k, v: unknown) =>
              typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
            ),
          ),
        ),
      ).toEqual(canonical(fx.answers.full_runs));
    });

    it('searchRuns: metrics, params and tags come in the order MLflow lists them', async () => {
      const r = await searchRuns(fx.dialect, {
        experiment_ids: ['1', '2'],
        run_view_type: 'ALL',
        max_results: 1000,
        order_by: ['attributes.run_id'],
      });
      const keys = (runs: unknown[]): string[][] =>
        (runs as { data: Record<string, { key: string }[] | undefined> }[]).map((run) =>
          ['metrics', 'params', 'tags'].map((k) => (run.data[k] ?? []).map((x) => x.key).join(',')),
        );
      expect(keys(r.runs)).toEqual(keys(fx.answers.full_runs));
    });

    it('searchExperiments: every query of the battery', async () => {
      const mismatches: unknown[] = [];
      for (const a of fx.answers.experiments) {
        const q = a.query;
        const got = await outcome(async () => {
          const r = await searchExperiments(fx.dialect, {
            filter: q.filter,
            order_by: q.order_by,
            view_type: viewName(q.view),
            max_results: q.max_results,
            ...(q.page_token ? { page_token: q.page_token } : {}),
          });
          return { ids: r.experiments.map((x) => x.experiment_id), token: r.nextPageToken };
        });
        const want = expectedOf(a);
        if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push({ query: q, got, want });
      }
      expect(mismatches).toEqual([]);
    });

    it('searchExperiments: full experiments have the same content as MLflow sends', async () => {
      const r = await searchExperiments(fx.dialect, {
        view_type: 'ALL',
        max_results: 100,
        order_by: ['name'],
      });
      expect(canonical(r.experiments)).toEqual(canonical(fx.answers.full_experiments));
    });
  });
}
