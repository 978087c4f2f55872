import { MlflowError } from '../../errors/mlflow-error.js';
import type { MlflowService } from '../../gen/services.js';
import { createPageToken, parsePageToken } from '../search/page-token.js';
import { streamed } from '../streamed.js';
import type { DomainContext, DomainHandlers } from '../types.js';

/** handlers.MAX_RESULTS_PER_RUN / MAX_RUNS_GET_METRIC_HISTORY_BULK */
export const MAX_RESULTS_PER_RUN = 2500;
export const MAX_RUNS_GET_METRIC_HISTORY_BULK = 100;

export const metricHistoryHandlers = {
  /**
   * With max_results: one page and its next token (one query, as MLflow). Without it: the whole
   * history as a streamed field, written to the client page by page.
   */
  async getMetricHistory(req, { stores }) {
    const maxResults = req.max_results;
    if (maxResults !== undefined && maxResults <= 0) {
      throw MlflowError.invalidParameter(
        `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer.`,
      );
    }
    const runId = req.run_id || req.run_uuid || '';
    const key = req.metric_key ?? '';
    // SearchUtils.parse_start_offset_from_page_token: a bad token fails before any output.
    const offset = parsePageToken(req.page_token || undefined);
    if (maxResults === undefined) {
      return { metrics: streamed(stores.tracking.streamMetricHistory(runId, key, offset)) };
    }
    const page = await stores.tracking.getMetricHistory(runId, key, maxResults, offset);
    const res: { metrics?: typeof page.metrics; next_page_token?: string } = {};
    if (page.metrics.length > 0) res.metrics = page.metrics;
    if (page.hasMore) res.next_page_token = createPageToken(offset + maxResults);
    return res;
  },

  async getMetricHistoryBulkInterval(req, ctx) {
    const runIds = req.run_ids ?? [];
    if (runIds.length > MAX_RUNS_GET_METRIC_HISTORY_BULK) {
      throw MlflowError.invalidParameter(
        `GetMetricHistoryBulkInterval request must specify at most ${MAX_RUNS_GET_METRIC_HISTORY_BULK} run_ids. Received ${runIds.length} run_ids.`,
      );
    }
    const maxResults = req.max_results ?? MAX_RESULTS_PER_RUN;
    if (maxResults < 1 || maxResults > MAX_RESULTS_PER_RUN) {
      throw MlflowError.invalidParameter(`max_results must be between 1 and ${MAX_RESULTS_PER_RUN}.`);
    }
    // MLflow reads the step bounds from the query string as Python ints, not from the parsed
    // message (whose int32 fields refuse e.g. 2**40, a bound MLflow accepts).
    const args = ctx.args?.();
    const start = args ? queryInt(args.get('start_step')) : req.start_step;
    const end = args ? queryInt(args.get('end_step')) : req.end_step;
    if (start !== undefined && end !== undefined) {
      if (start > end) {
        throw MlflowError.invalidParameter(
          `end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`,
        );
      }
    } else if (start !== undefined || end !== undefined) {
      throw MlflowError.invalidParameter(
        'If either start step or end step are specified, both must be specified.',
      );
    }
    const metrics = await ctx.stores.tracking.getMetricHistoryBulkInterval(
      runIds,
      req.metric_key ?? '',
      maxResults,
      start,
      end,
    );
    return metrics.length > 0 ? { metrics } : {};
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;

/**
 * Python's `int(s)` of a query argument that MLflow's `_assert_intlike` already accepted
 * (surrounding whitespace and digit-group underscores allowed). Undefined when absent.
 */
function queryInt(v: string | null): number | undefined {
  if (v === null) return undefined;
  return Number(v.trim().replace(/_/g, ''));
}
