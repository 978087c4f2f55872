/**
 * A stored span as getTrace writes it (span-message.ts). The expected texts are what the pinned
 * MLflow's LazySpan(...).to_otel_proto() and message_to_json give for the same stored dict.
 */
import { describe, expect, it } from 'vitest';
import { serializeMessage } from '../../src/http/serialize.js';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { NotNative } from '../../src/services/raw-reply.js';
import { spanMessage } from '../../src/services/traces/span-message.js';

const write = (content: string): string =>
  serializeMessage('opentelemetry.proto.trace.v1.Span', spanMessage(content));

// Python escapes non-ASCII in its output; the same JSON with the character written as itself.
const STORED =
  '{"trace_id": "12LPqv4+o23zMUedkypqrw==", "span_id": "t4YIE8d2qSs=", "parent_span_id": "43zZZYgoQKo=", "name": "inner", "kind": "SPAN_KIND_UNSPECIFIED", "start_time_unix_nano": 1796373790706577472, "end_time_unix_nano": 0, "events": [{"name": "e", "time_unix_nano": 7, "attributes": {"d": {"a": 1, "b": null}, "n": null, "f": 1.0}}], "status": {"code": "OK", "message": "dropped"}, "attributes": {"mlflow.traceRequestId": "\\"tr-x\\"", "2": "\\"int-like key\\"", "a": "1.0", "b": "NaN", "c": "-0", "d": "null", "e": "", "f": "x y", "g": "[1, 2.5, null, true, {}]", "i": "{\\"k\\": {}, \\"k\\": 1, \\"2\\": null}", "q": "123456789012345678", "l": "\\"\\\\ud800\\"", "n": "\\ufeff1"}, "links": []}';
const EXPECTED =
  '{"trace_id":"12LPqv4+o23zMUedkypqrw==","span_id":"t4YIE8d2qSs=","parent_span_id":"43zZZYgoQKo=","name":"inner","kind":"SPAN_KIND_INTERNAL","start_time_unix_nano":1796373790706577472,"attributes":[{"key":"mlflow.traceRequestId","value":{"string_value":"tr-x"}},{"key":"2","value":{"string_value":"int-like key"}},{"key":"a","value":{"double_value":1.0}},{"key":"b","value":{"double_value":"NaN"}},{"key":"c","value":{"int_value":0}},{"key":"d"},{"key":"e"},{"key":"f","value":{"string_value":"x y"}},{"key":"g","value":{"array_value":{"values":[{"int_value":1},{"double_value":2.5},{},{"bool_value":true},{"kvlist_value":{}}]}}},{"key":"i","value":{"kvlist_value":{"values":[{"key":"k","value":{"int_value":1}},{"key":"2"}]}}},{"key":"q","value":{"int_value":123456789012345678}},{"key":"l","value":{"string_value":"?"}},{"key":"n","value":{"string_value":"\\ufeff1"}}],"events":[{"time_unix_nano":7,"name":"e","attributes":[{"key":"d","value":{"kvlist_value":{"values":[{"key":"a","value":{"int_value":1}},{"key":"b"}]}}},{"key":"n"},{"key":"f","value":{"double_value":1.0}}]}],"status":{"code":"STATUS_CODE_OK"}}'.replace(
    '\\ufeff',
    '\ufeff',
  );

const base = {
  trace_id: '12LPqv4+o23zMUedkypqrw==',
  span_id: 't4YIE8d2qSs=',
  parent_span_id: null,
  name: 'root',
  start_time_unix_nano: 5,
  end_time_unix_nano: 9,
  events: [],
  status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
  attributes: { 'mlflow.traceRequestId': '"tr-x"', 'mlflow.spanType': '"UNKNOWN"' },
  links: [],
};
const variant = (over: Record<string, unknown>): string => JSON.stringify({ ...base, ...over });

describe('stored span to OTLP message', () => {
  it('writes what MLflow writes: loaded attribute values, exact times, dropped falsy values', () => {
    expect(write(STORED)).toBe(EXPECTED);
  });

  it('keeps the status message on ERROR only, and writes an unset status as {}', () => {
    expect(write(variant({}))).toContain('"status":{"message":"boom","code":"STATUS_CODE_ERROR"}');
    expect(write(variant({ status: { code: 'STATUS_CODE_UNSET', message: 'x' } }))).toMatch(
      /"status":\{\}\}$/,
    );
  });

  it('refuses a span without its request id attribute or with an unknown kind, as Span.from_dict', () => {
    for (const bad of [
      variant({ attributes: {} }),
      variant({ kind: 'SPAN_KIND_BAD' }),
      variant({ name: 3 }),
    ]) {
      expect(() => write(bad)).toThrow(MlflowError);
      expect(() => write(bad)).toThrow('Failed to create a Span object from the given dictionary');
    }
  });

  it('writes links and the type translate_loaded_span derives (outputs of the pinned MLflow)', () => {
    const links = [
      { trace_id: 'tr-1', span_id: '01', attributes: {} },
      { trace_id: 'tr-ff', span_id: '0a', attributes: { k: [1, 'é'] } },
    ];
    expect(write(variant({ links }))).toContain(
      '"links":[{"trace_id":"AAAAAAAAAAAAAAAAAAAAAQ==","span_id":"AAAAAAAAAAE="},' +
        '{"trace_id":"AAAAAAAAAAAAAAAAAAAA/w==","span_id":"AAAAAAAAAAo=","attributes":[{"key":"k","value":' +
        '{"array_value":{"values":[{"int_value":1},{"string_value":"é"}]}}}]}]',
    );
    const translated = { ...base.attributes, 'openinference.span.kind': '"LLM"' };
    expect(write(variant({ attributes: translated }))).toContain(
      '{"key":"mlflow.spanType","value":{"string_value":"LLM"}},' +
        '{"key":"openinference.span.kind","value":{"string_value":"LLM"}}',
    );
  });

  it('hands over what the Python server reads differently (huge ints, non-str attributes with kinds)', () => {
    const huge = { ...base.attributes, n: '12345678901234567890' };
    const notStr = { ...base.attributes, 'openinference.span.kind': 5 };
    for (const over of [{ attributes: huge }, { attributes: notStr }]) {
      expect(() => write(variant(over))).toThrow(NotNative);
    }
  });

  it('pads ids to their OTLP width', () => {
    const out = write(variant({ trace_id: 'AQ==', span_id: 'AAAAAAAAAAAAAQ==' }));
    expect(out).toContain('"trace_id":"AAAAAAAAAAAAAAAAAAAAAQ==","span_id":"AAAAAAAAAAE="');
  });

  it('writes canonical ids as stored, and re-encodes ids whose unused bits are set', () => {
    const stored = variant({ trace_id: 'AAECAwQFBgcICQoLDA0ODw==', span_id: 'EBESExQVFhc=' });
    expect(write(stored)).toContain('"trace_id":"AAECAwQFBgcICQoLDA0ODw==","span_id":"EBESExQVFhc="');
    const loose = variant({ trace_id: 'AAECAwQFBgcICQoLDA0ODx==', span_id: 'EBESExQVFhd=' });
    expect(write(loose)).toContain('"trace_id":"AAECAwQFBgcICQoLDA0ODw==","span_id":"EBESExQVFhc="');
  });
});
