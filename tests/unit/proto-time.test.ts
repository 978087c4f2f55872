import { describe, expect, it } from 'vitest';
import { durationJson, timestampJson } from '../../src/services/traces/proto-time.js';

describe('protobuf Timestamp and Duration JSON from milliseconds', () => {
  it('writes a Timestamp with no fraction or three digits, as Timestamp.ToJsonString', () => {
    expect(timestampJson(1_600_000_000_000)).toBe('2020-09-13T12:26:40Z');
    expect(timestampJson(1_600_000_000_007)).toBe('2020-09-13T12:26:40.007Z');
    expect(timestampJson(0)).toBe('1970-01-01T00:00:00Z');
  });

  it('writes a Duration in seconds, signed, as Duration.ToJsonString', () => {
    expect(durationJson(1500)).toBe('1.500s');
    expect(durationJson(3000)).toBe('3s');
    expect(durationJson(7)).toBe('0.007s');
    expect(durationJson(0)).toBe('0s');
    expect(durationJson(-250)).toBe('-0.250s');
    expect(durationJson(-1500)).toBe('-1.500s');
  });
});
