import { describe, expect, it } from 'vitest';
import { analyticsColumns } from '../../src/stores/tracking/trace-analytics.js';
import { serializerFor } from '../../src/http/serialize.js';

const meta = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('trace_analytics.analytics_columns_from_metadata', () => {
  it('keeps token counts that are integral within BIGINT, from numbers or numeric strings', () => {
    const cols = analyticsColumns(
      meta({
        'mlflow.trace.tokenUsage': JSON.stringify({
          input_tokens: '12',
          output_tokens: 1.5,
          total_tokens: 1e3,
          cache_read_input_tokens: true,
          cache_creation_input_tokens: 2 ** 64,
        }),
      }),
    );
    expect(cols).toEqual({
      input_tokens: 12,
      output_tokens: null,
      total_tokens: 1000,
      cache_read_input_tokens: null,
      cache_creation_input_tokens: null,
    });
  });

  it('keeps finite costs only, sets only the items present, and ignores metadata that is not a JSON object', () => {
    expect(
      analyticsColumns(
        meta({ 'mlflow.trace.cost': '{"input_cost": "0.25", "total_cost": "inf", "output_cost": NaN}' }),
      ),
    ).toEqual({ input_cost: 0.25, total_cost: null, output_cost: null });
    expect(
      analyticsColumns(meta({ 'mlflow.trace.cost': '[1, 2]', 'mlflow.trace.tokenUsage': 'nope' })),
    ).toEqual({});
    expect(analyticsColumns(meta({ other: 'x' }))).toEqual({});
  });

  it('takes the session id, refusing one longer than 250 characters', () => {
    expect(analyticsColumns(meta({ 'mlflow.trace.session': 's1' }))).toEqual({ session_id: 's1' });
    expect(() => analyticsColumns(meta({ 'mlflow.trace.session': 's'.repeat(251) }))).toThrow(
      "'Session ID' exceeds the maximum length of 250 characters",
    );
  });
});

describe('google.protobuf.Value in responses', () => {
  it('writes its numbers as Python floats, as protobuf JSON does', () => {
    const s = serializerFor('mlflow.assessments.Feedback');
    expect(s({ value: 3 })).toBe('{"value":3.0}');
    expect(s({ value: { a: [1, 0.5, 'x', true, null] } })).toBe('{"value":{"a":[1.0,0.5,"x",true,null]}}');
    expect(s({ value: null })).toBe('{"value":null}');
  });
});
