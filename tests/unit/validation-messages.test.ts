/**
 * Requests that MLflow refuses before reaching its store, with the exact status and message the
 * pinned Python server (3.18.0, `mlflow server`) answered for each, captured with curl.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RPCS } from '../../src/gen/routes.js';
import { registerRpcRoutes } from '../../src/http/rpc-routes.js';
import type { NativeHandlers } from '../../src/services/types.js';

const SEE = ' See the API docs for more information about request parameters.';
const J = 'application/json';

interface Case {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  body?: string;
  contentType?: string;
  status: number;
  message: string;
}

const CASES: Case[] = [
  // Python reads 2.0 / 1e3 / -0.0 / NaN as floats; the messages say so.
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/log-parameter',
    body: '{"value": 1, "run_id": 2.0, "key": 0}',
    status: 400,
    message: `Invalid value 2.0 for parameter 'run_id' supplied:  Hint: Value was of type 'float'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/set-experiment-tag',
    body: '{"experiment_id":"1","key":"k","value":1e3}',
    status: 400,
    message: `Invalid value 1000.0 for parameter 'value' supplied:  Hint: Value was of type 'float'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/set-experiment-tag',
    body: '{"experiment_id":"1","key":"k","value":[1.0, 2, {"a": 1e-7}]}',
    status: 400,
    message: `Invalid value [1.0,2,{"a":1e-07}] for parameter 'value' supplied:  Hint: Value was of type 'list'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/set-experiment-tag',
    body: '{"experiment_id":"1","key":"k","value":-0.0}',
    status: 400,
    message: `Invalid value -0.0 for parameter 'value' supplied:  Hint: Value was of type 'float'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/set-experiment-tag',
    body: '{"experiment_id":"1","key":"k","value":NaN}',
    status: 400,
    message: `Invalid value NaN for parameter 'value' supplied:  Hint: Value was of type 'float'.${SEE}`,
  },
  // Beyond tracking: schemas generated from handlers.py for every handler.
  {
    method: 'GET',
    url: '/api/2.0/mlflow/registered-models/search?max_results=1001',
    status: 400,
    message: `Invalid value "1001" for parameter 'max_results' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/registered-models/create',
    body: '{"tags":[{"key":"a"}]}',
    status: 400,
    message: `Missing value for required parameter 'name'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/registered-models/create',
    body: '{"name":"m","tags":"x"}',
    status: 400,
    message: `Invalid value "x" for parameter 'tags' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'GET',
    url: '/api/2.0/mlflow/model-versions/search?max_results=200001',
    status: 400,
    message: `Invalid value "200001" for parameter 'max_results' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/3.0/mlflow/traces/search',
    body: '{"locations":[],"max_results":501}',
    status: 400,
    message: `Invalid value 501 for parameter 'max_results' supplied:  Hint: Value was of type 'int'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/3.0/mlflow/traces/search',
    body: '{}',
    status: 400,
    message: `Missing value for required parameter 'locations'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/logged-models/search',
    body: '{"experiment_ids":"1"}',
    status: 400,
    message: `Invalid value "1" for parameter 'experiment_ids' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/webhooks',
    body: '{"name":5}',
    status: 400,
    message: `Invalid value 5 for parameter 'name' supplied:  Hint: Value was of type 'int'.${SEE}`,
  },

  {
    method: 'GET',
    url: '/api/2.0/mlflow/experiments/get',
    status: 400,
    message: `Missing value for required parameter 'experiment_id'.${SEE}`,
  },
  {
    method: 'GET',
    url: '/api/2.0/mlflow/experiments/get?foo=1',
    status: 400,
    message: `Missing value for required parameter 'experiment_id'.${SEE}`,
  },
  {
    method: 'GET',
    url: '/api/2.0/mlflow/experiments/get-by-name',
    status: 400,
    message: `Missing value for required parameter 'experiment_name'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/search',
    body: '{"max_results":"abc"}',
    status: 400,
    message: `Invalid value "abc" for parameter 'max_results' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/search',
    body: '{"max_results":"60000"}',
    status: 400,
    message: `Invalid value "60000" for parameter 'max_results' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/search',
    body: '{"max_results":60000}',
    status: 400,
    message: `Invalid value 60000 for parameter 'max_results' supplied:  Hint: Value was of type 'int'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/search',
    body: '{"max_results":50001}',
    status: 400,
    message: `Invalid value 50001 for parameter 'max_results' supplied:  Hint: Value was of type 'int'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/search',
    body: '{"run_view_type":"BOGUS","max_results":"x"}',
    status: 400,
    message: `Invalid value "x" for parameter 'max_results' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/search',
    body: '{"order_by":[1]}',
    status: 400,
    message: `Invalid value [1] for parameter 'order_by' supplied:  Hint: Value was of type 'list'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/search',
    body: '{"order_by":"abc", "max_results": 5}',
    status: 400,
    message: `Invalid value "abc" for parameter 'order_by' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/search',
    body: '{"max_results":true, "filter": ["a"]}',
    status: 400,
    message: `Invalid value ["a"] for parameter 'filter' supplied:  Hint: Value was of type 'list'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/search',
    body: '{}',
    contentType: 'text/plain',
    status: 400,
    message: "Bad Request. Content-Type must be one of ['application/json'].",
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/search',
    body: '{}',
    contentType: '',
    status: 400,
    message: 'Bad Request. Content-Type header is missing.',
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/create',
    body: '{"name": 5}',
    status: 400,
    message: `Invalid value 5 for parameter 'name' supplied:  Hint: Value was of type 'int'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/create',
    body: '{"name": "x", "experimentId": 1, "artifact_location": ["a"]}',
    status: 400,
    message: `Invalid value ["a"] for parameter 'artifact_location' supplied:  Hint: Value was of type 'list'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/create',
    body: 'not json',
    status: 400,
    message: `Missing value for required parameter 'name'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/create',
    body: '{"name":"x\\u00e9\\ud83d\\ude00\\n", "artifact_location": 1.5}',
    status: 400,
    message: `Invalid value 1.5 for parameter 'artifact_location' supplied:  Hint: Value was of type 'float'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/create',
    body: '{"name":"\\u00e9", "tags": "x"}',
    status: 400,
    message: `Invalid value "x" for parameter 'tags' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/create',
    body: '{"name":"abc", "tags": {"k":1}}',
    status: 400,
    message: `Invalid value {"k":1} for parameter 'tags' supplied:  Hint: Value was of type 'dict'.${SEE}`,
  },
  {
    method: 'GET',
    url: '/api/2.0/mlflow/experiments/search?view_type=ALL&max_results=abc',
    status: 400,
    message: `Invalid value "ALL" for parameter 'view_type' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/search',
    body: '{"max_results":"lots","filter":5}',
    status: 400,
    message: `Invalid value "lots" for parameter 'max_results' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/update',
    body: '{"experiment_id":"1"}',
    status: 400,
    message: `Missing value for required parameter 'new_name'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/set-experiment-tag',
    body: '{"experiment_id":"1","key":"k","value":7}',
    status: 400,
    message: `Invalid value 7 for parameter 'value' supplied:  Hint: Value was of type 'int'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/delete-experiment-tag',
    body: '{"experiment_id":"1"}',
    status: 400,
    message: `Missing value for required parameter 'key'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/delete',
    body: '{"experiment_id":""}',
    status: 400,
    message: `Missing value for required parameter 'experiment_id'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/experiments/restore',
    body: '{}',
    status: 400,
    message: `Missing value for required parameter 'experiment_id'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/create',
    body: '{"experiment_id":1}',
    status: 400,
    message: `Invalid value 1 for parameter 'experiment_id' supplied:  Hint: Value was of type 'int'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/create',
    body: '{"experiment_id":"1", "experimentId":"2"}',
    status: 400,
    message: "Request specifies both 'experiment_id' and 'experimentId'; provide only one of them.",
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/create',
    body: '{"start_time":"soon"}',
    status: 400,
    message: `Invalid value "soon" for parameter 'start_time' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/update',
    body: '{"run_id":"r","end_time":"x"}',
    status: 400,
    message: `Invalid value "x" for parameter 'end_time' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/update',
    body: '{"run_uuid":5}',
    status: 400,
    message: `Invalid value 5 for parameter 'run_id' supplied:  Hint: Value was of type 'int'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/delete',
    body: '{}',
    status: 400,
    message: `Missing value for required parameter 'run_id'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/restore',
    body: '{"run_id":null}',
    status: 400,
    message: `Missing value for required parameter 'run_id'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/set-tag',
    body: '{"run_uuid":"r","key":""}',
    status: 400,
    message: `Missing value for required parameter 'key'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/delete-tag',
    body: '{"run_id":"r"}',
    status: 400,
    message: `Missing value for required parameter 'key'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/log-parameter',
    body: '{"run_id":"r","key":"k","value":1.5}',
    status: 400,
    message: `Invalid value 1.5 for parameter 'value' supplied:  Hint: Value was of type 'float'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/log-inputs',
    body: '{"run_id":"r","datasets":{}}',
    status: 400,
    message: `Invalid value {} for parameter 'datasets' supplied:  Hint: Value was of type 'dict'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/log-metric',
    body: '{"run_id":"r","key":"k","value":"abc","timestamp":1}',
    status: 400,
    message: `Invalid value "abc" for parameter 'value' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/log-metric',
    body: '{"run_id":"r","key":"k","value":1,"timestamp":null}',
    status: 400,
    message: `Missing value for required parameter 'timestamp'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/log-metric',
    body: '{"run_id":"r","key":"k","value":1,"timestamp":"t"}',
    status: 400,
    message: `Invalid value "t" for parameter 'timestamp' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/log-metric',
    body: '{"run_id":"r","key":"k"}',
    status: 400,
    message: `Missing value for required parameter 'value'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/log-metric',
    body: '{"run_id":"r","key":"k","value":NaN,"timestamp":1, "step": "x"}',
    status: 400,
    message: `Invalid value "x" for parameter 'step' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/log-batch',
    body: '{"run_id":"r","metrics":[{"key":"a"}]}',
    status: 400,
    message: `Missing value for required parameter 'metrics[0].value'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/log-batch',
    body: '{"run_id":"r","metrics":[{"key":"a","value":1,"timestamp":1}],"params":[{"value":"x"}]}',
    status: 400,
    message: `Missing value for required parameter 'params[0].key'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/log-batch',
    body: '{"run_id":"r","tags":[{"key":null}]}',
    status: 400,
    message: `Missing value for required parameter 'tags[0].key'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/log-batch',
    body: '{"run_id":"r","metrics":{"a":1}}',
    status: 400,
    message: `Invalid value {"a":1} for parameter 'metrics' supplied:  Hint: Value was of type 'dict'.${SEE}`,
  },
  {
    method: 'POST',
    url: '/api/2.0/mlflow/runs/log-batch',
    body: '"{\\"run_id\\": 5}"',
    contentType: 'application/json; charset=utf-8',
    status: 400,
    message: `Invalid value 5 for parameter 'run_id' supplied:  Hint: Value was of type 'int'.${SEE}`,
  },
  {
    method: 'GET',
    url: '/api/2.0/mlflow/metrics/get-history?run_uuid=abc',
    status: 400,
    message: `Missing value for required parameter 'metric_key'.${SEE}`,
  },
  {
    method: 'GET',
    url: '/api/2.0/mlflow/metrics/get-history?run_id=r',
    status: 400,
    message: `Missing value for required parameter 'metric_key'.${SEE}`,
  },
  {
    method: 'GET',
    url: '/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=a&metric_key=m&max_results=0',
    status: 400,
    message: `max_results must be between 1 and 2500.${SEE}`,
  },
  {
    method: 'GET',
    url: '/api/2.0/mlflow/metrics/get-history-bulk-interval?metric_key=m',
    status: 400,
    message: `Missing value for required parameter 'run_ids'.${SEE}`,
  },
  {
    method: 'GET',
    url: '/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=a&metric_key=m&start_step=x',
    status: 400,
    message: `Invalid value "x" for parameter 'start_step' supplied:  Hint: Value was of type 'str'.${SEE}`,
  },
  {
    method: 'GET',
    url: `/api/2.0/mlflow/metrics/get-history-bulk-interval?metric_key=m&${Array.from({ length: 101 }, (_, i) => `run_ids=r${i}`).join('&')}`,
    status: 400,
    message: `GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids.${SEE}`,
  },
  {
    method: 'PATCH',
    url: '/api/2.0/mlflow/registered-models/update',
    body: '{"description":"x"}',
    contentType: 'text/plain',
    status: 400,
    message: `Missing value for required parameter 'name'.${SEE}`,
  },
  {
    method: 'GET',
    url: '/api/3.0/mlflow/traces/get?trace_id=x&allow_partial=maybe',
    status: 400,
    message: "Invalid boolean value: maybe, must be 'true' or 'false'.",
  },
];

let app: FastifyInstance;
beforeAll(async () => {
  // Every RPC is "native" with a handler that must not be reached by these requests.
  const native: NativeHandlers = Object.fromEntries(
    RPCS.map((r) => [r.key, async () => ({ reached: r.key })] as const),
  );
  app = Fastify();
  registerRpcRoutes(app, { native, fallback: () => undefined });
  await app.ready();
});
afterAll(async () => app.close());

describe('validation messages match the pinned MLflow byte for byte', () => {
  it.each(CASES.map((c) => [`${c.method} ${c.url.slice(0, 90)} ${c.body ?? ''}`, c] as const))(
    '%s',
    async (_n, c) => {
      const headers: Record<string, string> = {};
      if (c.method !== 'GET' && c.contentType !== '') headers['content-type'] = c.contentType ?? J;
      const res = await app.inject({
        method: c.method,
        url: c.url,
        headers,
        ...(c.body !== undefined ? { payload: Buffer.from(c.body) } : {}),
      });
      expect(res.statusCode).toBe(c.status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(res.body)).toEqual({
        error_code: 'INVALID_PARAMETER_VALUE',
        message: c.message,
        sqlstate: 'KAM00',
        error_class: 'INVALID_PARAMETER_VALUE',
      });
    },
  );
});
