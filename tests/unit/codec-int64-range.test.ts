import { describe, expect, it } from 'vitest';
import { decodeRequest, type RawRequest } from '../../src/http/codec.js';

const post = (body: string): RawRequest => ({
  method: 'POST',
  query: '',
  contentType: 'application/json',
  body: Buffer.from(body),
});

describe('int64 range as ParseDict sees it (literals, not doubles)', () => {
  it('accepts the int64 bounds', () => {
    const d = decodeRequest(
      'mlflow.LogMetric',
      post(
        '{"run_id": "r", "key": "m", "value": 1, "timestamp": -9223372036854775808, "step": 9223372036854775807}',
      ),
    );
    expect(d.parsed).toBe(true);
    expect(d.message.run_id).toBe('r');
  });

  it('stops at 2**63 written as a number: later fields stay unset, earlier ones are set', () => {
    const d = decodeRequest(
      'mlflow.UpdateRun',
      post('{"status": "FINISHED", "end_time": 9223372036854775808, "run_id": "r"}'),
    );
    expect(d.parsed).toBe(false);
    expect(d.parseError).toBe('Failed to parse end_time field: Value out of range: 9223372036854775808.');
    expect(d.message).toEqual({ status: 'FINISHED' });
    expect((d.raw as Record<string, unknown>).end_time).toBe(2 ** 63);
  });

  it('refuses -2**63-1, 2**63 as a float literal and as a string, inside nested messages too', () => {
    for (const body of [
      '{"start_time": -9223372036854775809, "experiment_id": "1"}',
      '{"start_time": 9223372036854775808.0, "experiment_id": "1"}',
      '{"start_time": "9223372036854775808", "experiment_id": "1"}',
    ]) {
      const d = decodeRequest('mlflow.CreateRun', post(body));
      expect(d.parsed, body).toBe(false);
      expect(d.message.experiment_id, body).toBeUndefined();
    }
    const b = decodeRequest(
      'mlflow.LogBatch',
      post(
        '{"run_id": "r", "metrics": [{"key": "m", "value": 1, "timestamp": 1, "step": 9223372036854775808}]}',
      ),
    );
    expect(b.parsed).toBe(false);
  });

  it('leaves doubles alone (a metric value of 2**64 is fine) and still reads NaN tokens', () => {
    const d = decodeRequest(
      'mlflow.LogMetric',
      post('{"run_id": "r", "key": "m", "value": 18446744073709551616, "timestamp": 1, "step": 0}'),
    );
    expect(d.parsed).toBe(true);
    expect(d.message.value).toBe(2 ** 64);
    const n = decodeRequest(
      'mlflow.LogMetric',
      post('{"run_id": "r", "key": "m", "value": NaN, "timestamp": 9223372036854775807}'),
    );
    expect(n.parsed).toBe(false); // bare NaN is a ParseDict error for a double
    expect(n.message.run_id).toBe('r');
  });
});
