/**
 * Native routes that are not proto RPCs. Today: the UI's GET
 * `/ajax-api/2.0/mlflow/metrics/get-history-bulk` (handlers.get_metric_history_bulk_handler), a Flask
 * route answering `jsonify(...)`: compact JSON, sorted keys, ASCII-escaped, Python float reprs,
 * bare NaN / Infinity, trailing newline.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MlflowError } from '../errors/mlflow-error.js';
import type { Stores } from '../stores/index.js';
import type { StoredMetricWithRunId as MetricWithRunId } from '../stores/tracking/entities.js';
import { translateDbError } from '../services/db-errors.js';
import { jsonDumps } from '../py/json.js';
import { listSlice } from '../py/str.js';
import { PyFloat, PythonCrash } from '../py/values.js';
import { registerArtifactRoutes, type RouteFallback } from './artifact-routes.js';
import { RawReply } from '../services/raw-reply.js';
import { sendRaw } from './rpc-routes.js';

const MAX_HISTORY_RESULTS = 25000;
const MAX_RUN_IDS_PER_REQUEST = 100;


export interface ExtraRoutesOptions {
  staticPrefix: string;
  /** Where a request goes that a native route finds it cannot serve (proxy, or 501). */
  fallback?: RouteFallback;
}

export function registerExtraRoutes(app: FastifyInstance, stores: Stores, opts: ExtraRoutesOptions): void {
  registerArtifactRoutes(app, stores, { staticPrefix: opts.staticPrefix, fallback: opts.fallback });
  const url = `${opts.staticPrefix}/ajax-api/2.0/mlflow/metrics/get-history-bulk`;
  app.get(url, async (request, reply) => {
    try {
      return await getHistoryBulk(stores, request, reply);
    } catch (e) {
      const err = translateDbError(e);
      if (err instanceof MlflowError) {
        return reply.code(err.httpStatus).type('application/json').send(JSON.stringify(err.toJSON()));
      }
      if (e instanceof PythonCrash) {
        // An anticipated crash of MLflow's own handler (int() of a bad max_results): the client
        // gets the same bare 500, the log one line naming Python's error, no stack of ours.
        request.log.warn(
          { pythonError: e.message },
          'get-history-bulk: request crashed where MLflow would answer a bare 500',
        );
      } else {
        request.log.error({ err }, 'get-history-bulk failed');
      }
      return sendRaw(reply, RawReply.flask500());
    }
  });
}

/** All values of a query parameter, in order (werkzeug MultiDict semantics). */
function queryValues(request: FastifyRequest, name: string): string[] {
  const q = request.url.indexOf('?');
  if (q < 0) return [];
  return [...new URLSearchParams(request.url.slice(q + 1)).entries()]
    .filter(([k]) => k === name)
    .map(([, v]) => v);
}

async function getHistoryBulk(
  stores: Stores,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const runIds = queryValues(request, 'run_id');
  if (runIds.length === 0) {
    throw MlflowError.invalidParameter('GetMetricHistoryBulk request must specify at least one run_id.');
  }
  if (runIds.length > MAX_RUN_IDS_PER_REQUEST) {
    throw MlflowError.invalidParameter(
      `GetMetricHistoryBulk request cannot specify more than ${MAX_RUN_IDS_PER_REQUEST} run_ids. Received ${runIds.length} run_ids.`,
    );
  }
  const metricKey = queryValues(request, 'metric_key')[0];
  if (metricKey === undefined) {
    throw MlflowError.invalidParameter('GetMetricHistoryBulk request must specify a metric_key.');
  }
  const rawMax = queryValues(request, 'max_results')[0];
  let maxResults = MAX_HISTORY_RESULTS;
  if (rawMax !== undefined) {
    // Python int(): surrounding whitespace, sign and underscores between digits are fine.
    const s = rawMax.trim();
    if (!/^[+-]?\d+(_\d+)*$/.test(s))
      throw new PythonCrash(`ValueError: invalid literal for int() with base 10: '${rawMax}'`);
    maxResults = Math.min(Number(s.replace(/_/g, '')), MAX_HISTORY_RESULTS);
  }
  // MLflow passes max_results to the query's LIMIT as is (a negative one: no limit on SQLite, an
  // error on PostgreSQL), then slices the result with [:max_results] (a negative one drops items
  // from the end).
  const metrics = listSlice(
    await stores.tracking.getMetricHistoryBulk(runIds, metricKey, maxResults),
    maxResults,
  );
  const body = `{"metrics":[${metrics.map(metricJson).join(',')}]}\n`;
  return reply.code(200).type('application/json').send(body);
}

/** MetricWithRunId.to_dict() through Flask's JSON provider (sorted keys, compact). */
function metricJson(m: MetricWithRunId): string {
  return (
    `{"key":${jsonDumps(m.key)},"run_id":${jsonDumps(m.run_id)},"step":${m.step},` +
    `"timestamp":${m.timestamp},"value":${jsonDumps(new PyFloat(m.value))}}`
  );
}
