import { describe, expect, it } from 'vitest';
import { batchTraceTags, newTraceRow } from '../../src/stores/tracking/span-trace-rows.js';
import type { TraceSpans } from '../../src/stores/tracking/span-writes.js';

const trace = (over: Partial<TraceSpans> = {}): TraceSpans => ({
  traceId: 'tr-1',
  spans: [],
  minStartMs: 1000,
  maxEndMs: 1250,
  rootStatus: 'OK',
  sessionId: null,
  userId: null,
  requestPreview: '{"q": 1}',
  responsePreview: undefined,
  tags: new Map(),
  resourceTags: new Map(),
  ...over,
});

describe('newTraceRow (a trace created by a span batch, as it stands after the batch)', () => {
  it('has the batch time range, root status, previews and generation 1', () => {
    expect(newTraceRow(trace(), '7', undefined, undefined)).toEqual({
      request_id: 'tr-1',
      experiment_id: 7,
      timestamp_ms: 1000,
      execution_time_ms: 250,
      status: 'OK',
      client_request_id: null,
      request_preview: '{"q": 1}',
      response_preview: null,
      trace_name: null,
      session_id: null,
      db_payload_generation: 1,
    });
  });

  it('keeps IN_PROGRESS and a NULL duration without a root span or an end', () => {
    const row = newTraceRow(trace({ rootStatus: null, maxEndMs: null }), 1, undefined, undefined);
    expect(row.status).toBe('IN_PROGRESS');
    expect(row.execution_time_ms).toBeNull();
  });

  it('an end at 0 still counts (the CASE of the update, not the truthiness of the insert)', () => {
    expect(newTraceRow(trace({ maxEndMs: 0 }), 1, undefined, undefined).execution_time_ms).toBe(-1000);
  });

  it('takes the name tag, the session and the aggregated usage and cost columns', () => {
    const row = newTraceRow(
      trace({ tags: new Map([['mlflow.traceName', 'agent']]), sessionId: 's-1' }),
      1,
      new Map<string, unknown>([
        ['input_tokens', 10],
        ['output_tokens', 5],
        ['total_tokens', 15],
      ]),
      new Map<string, unknown>([['total_cost', 0.5]]),
    );
    expect(row).toMatchObject({
      trace_name: 'agent',
      session_id: 's-1',
      input_tokens: 10,
      output_tokens: 5,
      total_tokens: 15,
      total_cost: 0.5,
    });
    expect(row).not.toHaveProperty('input_cost');
  });
});

describe('batchTraceTags', () => {
  it('puts user tags over resource attributes over the spans location, after the first ones', () => {
    const tags = batchTraceTags(
      trace({
        resourceTags: new Map([
          ['service.name', 'svc'],
          ['team', 'resource'],
        ]),
        tags: new Map([
          ['team', 'user'],
          ['mlflow.traceName', 'agent'],
          ['mlflow.artifactLocation', 'mine'],
        ]),
      }),
      new Map([['mlflow.artifactLocation', '/a/traces/tr-1/artifacts']]),
    );
    expect([...tags]).toEqual([
      ['mlflow.artifactLocation', 'mine'],
      ['mlflow.trace.spansLocation', 'TRACKING_STORE'],
      ['service.name', 'svc'],
      ['team', 'user'],
    ]);
  });
});
