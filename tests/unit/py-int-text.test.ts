/**
 * Integers of a request printed into validation messages keep every digit, as Python's int does
 * (the pinned server answers "Invalid value -9223372036854775808 ..." for that timestamp).
 */
import { describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { jsonDumps } from '../../src/py/json.js';
import { validateMetric } from '../../src/services/tracking/validation.js';

describe('integers beyond 2**53 in messages', () => {
  it('prints the exact value of the integer', () => {
    expect(jsonDumps(-(2 ** 63))).toBe('-9223372036854775808');
    expect(jsonDumps(2 ** 63)).toBe('9223372036854775808');
    expect(jsonDumps(2 ** 53 + 2)).toBe('9007199254740994');
    expect(jsonDumps(-5)).toBe('-5');
    expect(jsonDumps(1.5)).toBe('1.5');
  });

  it('log-metric with timestamp -2**63', () => {
    let err: unknown;
    try {
      validateMetric({ key: 'k', value: 1, timestamp: -(2 ** 63), step: 0 }, '');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MlflowError);
    expect((err as MlflowError).message).toBe(
      "Invalid value -9223372036854775808 for parameter 'timestamp' supplied: metric 'k' (value=1.0). " +
        'Timestamp must be a nonnegative long (64-bit integer) ',
    );
  });
});
