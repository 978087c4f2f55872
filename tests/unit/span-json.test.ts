/**
 * spanJson (a stored span written straight to its OTLP Span JSON) against the long way
 * (spanMessage, then the serializer): wherever spanJson answers, the same text; where the long way
 * raises (MLflow's error, or a hand-over to the Python server), spanJson does not answer. Seeded
 * stored spans in both the spacing MLflow writes and compact JSON, with the values that change
 * what the chain does (escapes, lone surrogates, big and negative ints, floats, NaN, nesting,
 * duplicate keys, falsy values, odd ids, kinds and statuses).
 */
import { describe, expect, it } from 'vitest';
import { serializeMessage } from '../../src/http/serialize.js';
import { PreSerialized } from '../../src/services/pre-serialized.js';
import { spanJson } from '../../src/services/traces/span-json.js';
import { spanMessage } from '../../src/services/traces/span-message.js';
import { rng } from '../helpers/seeded-rng.js';

const SPAN = 'opentelemetry.proto.trace.v1.Span';

/** The long way's text, or the error it raises. */
function longWay(content: string): { text?: string; error?: unknown } {
  try {
    return { text: serializeMessage(SPAN, spanMessage(content)) };
  } catch (error) {
    return { error };
  }
}

/** Attribute values as log_spans stores them (json.dumps of the value), and some it never would. */
const ATTRIBUTES = [
  '"answer"',
  '"LLM"',
  '""',
  '"q\\"x"',
  '"back\\\\slash"',
  '"line\\nbreak"',
  '"\\u00e9t\\u00e9"',
  'été',
  '"\\ud800"',
  '"\\ud83d\\ude00"',
  '0',
  '-0',
  '42',
  '-17',
  '9007199254740993',
  '-9223372036854775808',
  '9223372036854775808',
  '1.0',
  '-0.0',
  '1e-05',
  '2.5e+16',
  'NaN',
  '-Infinity',
  'true',
  'false',
  'null',
  '[]',
  '{}',
  '[1, 2.5, null, "s", [true]]',
  '{"k": 1, "b": {"c": null}}',
  '{"k": {}, "k": 1, "2": null}',
  '{"\\ud800": 1}',
  ' 5 ',
  '\ufeff1',
  'x y',
  '',
  '{"a": ',
  '[' + '['.repeat(995) + ']'.repeat(996),
];
const TRACE_IDS = ['12LPqv4+o23zMUedkypqrw==', 'AAAAAAAAAAAAAAAAAAAAAQ==', '12LPqv4+o23zMUedkypqrx==', 'abc'];
const SPAN_IDS = ['t4YIE8d2qSs=', 'AAAAAAAAAAE=', 't4YIE8d2qSt=', '0000000000000001', ''];
const KINDS = [undefined, null, '', 'SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_CLIENT', 'SPAN_KIND_BAD', 3];
const CODES = [
  'STATUS_CODE_OK',
  'STATUS_CODE_ERROR',
  'STATUS_CODE_UNSET',
  'OK',
  'ERROR',
  'UNSET',
  'BAD',
  'constructor',
];
const TIMES = [
  '1700000000123456789',
  '0',
  '5',
  '18446744073709551615',
  '18446744073709551616',
  '1.5e18',
  '-3',
  'null',
  '"7"',
];
const SPAN_TYPES = [undefined, '"LLM"', '"UNKNOWN"', '', 'null', '5', '"A\\"B"', '{"x": 1}'];
const NAMES = ['call', '', 'é "quoted"', '\ud800 lone', '\u0001'];

/** Event attribute values are stored as they are (not as JSON texts). */
const EVENT_VALUES = ATTRIBUTES.filter((a) => {
  try {
    JSON.parse(a);
    return true;
  } catch {
    return false;
  }
}).concat(['NaN', '1.0', '{"a": 1, "a": 2}']);

const COMMON_EVENT_VALUES = ['"boom"', '3', '-0', '2.5', '1.0', 'true', 'null', '[1, "a"]', '{"k": {}}'];

function event(r: () => number, pick: <T>(xs: readonly T[]) => T, common: boolean): string {
  const fields: string[] = [];
  if (r() < 0.95) fields.push(`"name": ${JSON.stringify(pick(['exception', '', '\ud800', 'é']))}`);
  if (r() < 0.95) fields.push(`"time_unix_nano": ${pick(TIMES)}`);
  const n = Math.floor(r() * 4);
  const attrs = Array.from(
    { length: n },
    () =>
      `${JSON.stringify(pick(['a', 'b', 'é', 'a']))}: ${pick(common ? COMMON_EVENT_VALUES : EVENT_VALUES)}`,
  );
  if (r() < 0.9) fields.push(`"attributes": ${r() < 0.1 ? 'null' : '{' + attrs.join(', ') + '}'}`);
  if (!common && r() < 0.05) fields.push('"extra": 1');
  if (r() < 0.5) fields.reverse();
  return '{' + fields.join(', ') + '}';
}

function span(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const common = r() < 0.5;
  const fields: [string, string][] = [];
  const put = (k: string, v: unknown): void => {
    if (v !== undefined) fields.push([k, JSON.stringify(v)]);
  };
  put('trace_id', common ? TRACE_IDS[0] : pick(TRACE_IDS));
  put('span_id', common ? SPAN_IDS[0] : pick(SPAN_IDS));
  if (!common && r() < 0.1) {
    // parent_span_id left out
  } else {
    put('parent_span_id', r() < 0.4 ? null : common ? SPAN_IDS[1] : pick([...SPAN_IDS, null]));
  }
  put('name', pick(NAMES));
  if (r() < 0.8) put('kind', common ? 'SPAN_KIND_INTERNAL' : pick(KINDS));
  fields.push(['start_time_unix_nano', common ? TIMES[0]! : pick(TIMES)]);
  fields.push(['end_time_unix_nano', common ? pick(TIMES.slice(0, 3)) : pick(TIMES)]);
  fields.push([
    'events',
    r() < 0.3
      ? '[' + Array.from({ length: 1 + Math.floor(r() * 3) }, () => event(r, pick, common)).join(', ') + ']'
      : '[]',
  ]);
  const code = common ? pick(CODES.slice(0, 6)) : pick(CODES);
  const message = pick(['', 'boom', '\ud800', null]);
  fields.push(['status', `{"code": ${JSON.stringify(code)}, "message": ${JSON.stringify(message)}}`]);
  const attributes: [string, string][] = [];
  if (common || r() < 0.9) attributes.push(['mlflow.traceRequestId', pick(['"tr-x"', '"tr-x"', '""', '5'])]);
  const spanType = common ? pick(SPAN_TYPES.slice(1, 2)) : pick(SPAN_TYPES);
  if (spanType !== undefined) attributes.push(['mlflow.spanType', spanType]);
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) attributes.push([pick(['a', 'b', '2', 'é', '\ud800k', 'a']), pick(ATTRIBUTES)]);
  if (r() < 0.5) attributes.reverse();
  fields.push([
    'attributes',
    '{' + attributes.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ') + '}',
  ]);
  if (r() < 0.7)
    fields.push(['links', !common && r() < 0.2 ? '[{"trace_id": "tr-1", "span_id": "01"}]' : '[]']);
  if (!common && r() < 0.1) fields.push([pick(['context', 'extra', 'name']), '{}']);
  if (r() < 0.3) fields.reverse();
  // MLflow's spacing, or compact.
  const [sep, colon] = r() < 0.7 ? [', ', ': '] : [',', ':'];
  return '{' + fields.map(([k, v]) => JSON.stringify(k) + colon + v).join(sep) + '}';
}

describe('spanJson', () => {
  it('writes what the long way writes for 4,000 seeded stored spans, and answers only where it does', () => {
    const r = rng(20261204);
    let taken = 0;
    for (let i = 0; i < 4000; i++) {
      const content = span(r);
      const fast = spanJson(content);
      const slow = longWay(content);
      if (fast === undefined) continue;
      taken++;
      expect(slow.error, content).toBeUndefined();
      expect(fast.json, content).toBe(slow.text);
    }
    // The common shape (half the spans; fewer once their random attribute keys repeat) is taken.
    expect(taken).toBeGreaterThan(600);
  });

  it('takes events, their attribute values read in place', () => {
    const stored =
      '{"trace_id": "12LPqv4+o23zMUedkypqrw==", "span_id": "t4YIE8d2qSs=", "parent_span_id": null, "name": "n", "start_time_unix_nano": 5, "status": {"code": "ERROR", "message": "boom"}, "attributes": {"mlflow.traceRequestId": "\\"tr-x\\"", "mlflow.spanType": "\\"LLM\\""}, "events": [{"name": "exception", "time_unix_nano": 1700000000123456789, "attributes": {"exception.message": "boom", "n": 1.0, "d": {"k": [1, null]}}}]}';
    const fast = spanJson(stored);
    expect(fast).toBeDefined();
    expect(fast!.json).toBe(longWay(stored).text);
    expect(fast!.json).toContain(
      '"events":[{"time_unix_nano":1700000000123456789,"name":"exception","attributes":[{"key":"exception.message","value":{"string_value":"boom"}},{"key":"n","value":{"double_value":1.0}},',
    );
  });

  it('takes the spans log_spans stores', () => {
    const stored =
      '{"trace_id": "GiQpWrN6vN7wEjRWeJq83g==", "span_id": "AAAAAAAAAAI=", "parent_span_id": "AAAAAAAAAAE=", "name": "call-1", "kind": "SPAN_KIND_INTERNAL", "start_time_unix_nano": 1700000000000001000, "end_time_unix_nano": 1700000000000001900, "events": [], "status": {"code": "STATUS_CODE_OK", "message": ""}, "attributes": {"mlflow.spanType": "\\"LLM\\"", "mlflow.spanInputs": "{\\"question\\": \\"q1\\", \\"k\\": 1}", "mlflow.spanOutputs": "\\"answer 1\\"", "mlflow.chat.tokenUsage": "{\\"input_tokens\\": 10, \\"output_tokens\\": 5, \\"total_tokens\\": 15}", "mlflow.traceRequestId": "\\"tr-1a24295ab37abcdef0123456789abcde\\""}, "links": []}';
    const fast = spanJson(stored);
    expect(fast).toBeInstanceOf(PreSerialized);
    expect(fast!.json).toBe(longWay(stored).text);
    expect(fast!.json).toContain('{"key":"mlflow.spanOutputs","value":{"string_value":"answer 1"}}');
  });

  const base =
    '{"trace_id": "12LPqv4+o23zMUedkypqrw==", "span_id": "t4YIE8d2qSs=", "parent_span_id": null, "name": "n", "start_time_unix_nano": 5, "status": {"code": "OK", "message": ""}, "attributes": {"mlflow.traceRequestId": "\\"tr-x\\"", "mlflow.spanType": "\\"LLM\\""}';
  it.each([
    [
      'an event with a key Span.from_dict does not read',
      base + ', "events": [{"name": "e", "time_unix_nano": 7, "x": 1}]}',
    ],
    ['links', base + ', "links": [{"trace_id": "tr-1", "span_id": "01"}]}'],
    ['a span type to translate', base.replace('"\\"LLM\\""', '"\\"UNKNOWN\\""') + '}'],
    ['no span type', base.replace(', "mlflow.spanType": "\\"LLM\\""', '') + '}'],
    ['a repeated key', base + ', "name": "again"}'],
    ['a float time', base + ', "end_time_unix_nano": 1.5}'],
  ])('leaves a span with %s to the long way', (_, content) => {
    expect(spanJson(base + '}')).toBeDefined();
    expect(content).not.toBe(base + '}');
    expect(spanJson(content)).toBeUndefined();
  });
});
