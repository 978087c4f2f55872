import { describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { decodeRequest, type RawRequest } from '../../src/http/codec.js';
import { PythonCrash } from '../../src/py/values.js';

const get = (query: string): RawRequest => ({
  method: 'GET',
  query,
  contentType: undefined,
  body: undefined,
});
const post = (body: string, contentType: string | undefined = 'application/json'): RawRequest => ({
  method: 'POST',
  query: '',
  contentType,
  body: Buffer.from(body),
});

describe('decodeRequest (MLflow _get_request_message)', () => {
  it('reads GET query strings: repeated keys -> lists, numbers from strings, unknown keys ignored', () => {
    const d = decodeRequest(
      'mlflow.GetMetricHistoryBulkInterval',
      get('run_ids=a&run_ids=b&metric_key=loss&max_results=10&start_step=%2B2&junk=1'),
    );
    expect(d.raw).toEqual({ run_ids: ['a', 'b'], metric_key: 'loss', start_step: '+2', max_results: '10' });
    expect(d.message).toEqual({ run_ids: ['a', 'b'], metric_key: 'loss', start_step: 2, max_results: 10 });
    expect(d.parsed).toBe(true);
  });

  it('takes the first value of a repeated non-repeated key and a single value as a list', () => {
    const d = decodeRequest(
      'mlflow.SearchExperiments',
      get('max_results=5&max_results=7&order_by=name&view_type=ALL'),
    );
    expect(d.message).toEqual({ max_results: 5, order_by: ['name'], view_type: 'ALL' });
  });

  it('checks GET booleans case-insensitively, with MLflow message', () => {
    expect(decodeRequest('mlflow.GetTrace', get('trace_id=t&allow_partial=TRUE')).message).toEqual({
      trace_id: 't',
      allow_partial: true,
    });
    expect(() => decodeRequest('mlflow.GetTrace', get('trace_id=t&allow_partial=1'))).toThrow(
      new MlflowError("Invalid boolean value: 1, must be 'true' or 'false'.", 'INVALID_PARAMETER_VALUE'),
    );
  });

  it('reads a GET with only unrelated params as an empty request (not its body)', () => {
    expect(decodeRequest('mlflow.GetRun', get('x=1')).message).toEqual({});
  });

  it('reads JSON bodies: unknown fields ignored, camelCase accepted, int64 strings as numbers', () => {
    const d = decodeRequest(
      'mlflow.LogMetric',
      post(
        '{"run_uuid":"r","key":"k","value":1.5,"timestamp":"1700000000000","extra":{"x":[1]},"modelId":"m"}',
      ),
    );
    expect(d.message).toEqual({
      run_uuid: 'r',
      key: 'k',
      value: 1.5,
      timestamp: 1700000000000,
      model_id: 'm',
    });
    expect(d.parsed).toBe(true);
  });

  it('treats invalid JSON and an empty body as {} and decodes double-encoded bodies', () => {
    expect(decodeRequest('mlflow.SearchRuns', post('{nope')).raw).toEqual({});
    expect(decodeRequest('mlflow.SearchRuns', post('')).raw).toEqual({});
    expect(decodeRequest('mlflow.SearchRuns', post('"{\\"max_results\\": 3}"')).message).toEqual({
      max_results: 3,
    });
    expect(() => decodeRequest('mlflow.SearchRuns', post('"not json"'))).toThrow(PythonCrash);
  });

  it('reports a parse failure (so type validators run) and keeps what was parsed before it', () => {
    const d = decodeRequest('mlflow.SearchRuns', post('{"filter":"x","max_results":"abc","order_by":["a"]}'));
    expect(d.parsed).toBe(false);
    expect(d.message).toEqual({ filter: 'x' });
  });

  it('keeps experiment ids as given (3.18 does not stringify them): ints fail to parse', () => {
    const d = decodeRequest('mlflow.SearchRuns', post('{"experiment_ids":[1,2]}'));
    expect(d.parsed).toBe(false);
  });

  it('ignores Content-Type on DELETE/PATCH but checks it on POST/PUT', () => {
    const del: RawRequest = { method: 'DELETE', query: '', contentType: 'text/plain', body: '{"name":"m"}' };
    expect(decodeRequest('mlflow.DeleteRegisteredModel', del).message).toEqual({ name: 'm' });
    expect(() => decodeRequest('mlflow.SearchRuns', post('{}', 'application/json ; charset=utf-8'))).toThrow(
      "Bad Request. Content-Type must be one of ['application/json'].",
    );
    expect(decodeRequest('mlflow.SearchRuns', post('{}', 'application/json;charset=utf-8')).parsed).toBe(
      true,
    );
  });
});
