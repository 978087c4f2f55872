/**
 * OTLP spans as MLflow stores them (otlp-spans.ts): attribute values dumped then stripped of a
 * double encoding (expected values from the pinned MLflow's dump_span_attribute_value and
 * strip_otlp_double_encoding), and the batches it hands to the Python server.
 */
import { describe, expect, it } from 'vitest';
import { spanBatches } from '../../src/services/traces/otlp-spans.js';
import type { OtlpAnyValue, OtlpKeyValue, OtlpSpan } from '../../src/services/traces/otlp-types.js';

function span(attributes: OtlpKeyValue[], parent = Buffer.alloc(0)): OtlpSpan {
  return {
    trace_id: Buffer.alloc(16, 1),
    span_id: Buffer.alloc(8, 2),
    trace_state: '',
    parent_span_id: parent,
    flags: 0,
    name: 'n',
    kind: 0,
    start_time_unix_nano: 1_700_000_000_000_000_001n,
    end_time_unix_nano: 1_700_000_000_500_000_001n,
    attributes,
    events: [],
    links: [],
    status: { message: 'dropped unless ERROR', code: 1 },
  };
}
const stored = async (value: OtlpAnyValue): Promise<unknown> => {
  const [batch] = await spanBatches(
    [{ resource: { attributes: [] }, scope_spans: [{ spans: [span([{ key: 'k', value }])] }] }],
    true,
  );
  return (JSON.parse(batch!.spans[0]!.content) as { attributes: Record<string, string> }).attributes['k'];
};

describe('OTLP span attributes as MLflow stores them', () => {
  it('strips one layer of JSON from strings that are JSON of a str, list or dict', async () => {
    const cases: [string, string][] = [
      ['{"a": 1}', '{"a": 1}'],
      ['plain', '"plain"'],
      ['"q"', '"q"'],
      ['5', '"5"'],
      ['[1, NaN]', '[1, NaN]'],
      [' {"a":1}', ' {"a":1}'],
      ['{bad', '"{bad"'],
      ['é', '"é"'],
      ['', '""'],
      ['null', '"null"'],
    ];
    for (const [value, want] of cases) expect(await stored({ string_value: value })).toBe(want);
  });

  it('dumps other values as json.dumps does', async () => {
    expect(await stored({ int_value: -9223372036854775808n })).toBe('-9223372036854775808');
    expect(await stored({ double_value: 2 })).toBe('2.0');
    expect(await stored({ bool_value: true })).toBe('true');
    expect(await stored({ array_value: { values: [{ string_value: 'a' }, { double_value: 0.5 }] } })).toBe(
      '["a", 0.5]',
    );
    expect(
      await stored({
        kvlist_value: {
          values: [
            { key: 'z', value: { int_value: 1n } },
            { key: '1', value: undefined },
          ],
        },
      }),
    ).toBe('{"z": 1, "1": null}');
  });

  it('stores a root span with the time range, the status and no message outside ERROR', async () => {
    const [batch] = await spanBatches(
      [{ resource: { attributes: [] }, scope_spans: [{ spans: [span([])] }] }],
      true,
    );
    expect(batch!.rootStatus).toBe('OK');
    expect(batch!.minStartMs).toBe(1_700_000_000_000);
    expect(batch!.maxEndMs).toBe(1_700_000_000_500);
    expect(batch!.spans[0]!.content).toContain(
      '"kind": "SPAN_KIND_INTERNAL", "start_time_unix_nano": 1700000000000000001',
    );
    expect(batch!.spans[0]!.content).toContain('"status": {"code": "STATUS_CODE_OK", "message": ""}');
  });

  it('stores bytes values as Python writes their repr (top level and nested)', async () => {
    // dump_span_attribute_value(b"\x00a'\"\\\x7f\xff\n") and ([b"x"]) from the pinned MLflow.
    expect(await stored({ bytes_value: Buffer.from([0, 0x61, 0x27, 0x22, 0x5c, 0x7f, 0xff, 0x0a]) })).toBe(
      '"b\'\\\\x00a\\\\\'\\"\\\\\\\\\\\\x7f\\\\xff\\\\n\'"',
    );
    expect(await stored({ array_value: { values: [{ bytes_value: Buffer.from('x') }] } })).toBe('["b\'x\'"]');
    expect(await stored({ bytes_value: Buffer.from("it's") })).toBe('"b\\"it\'s\\""');
  });

  it('translates spans of the OpenTelemetry schemas instead of handing them over', async () => {
    const [batch] = await spanBatches(
      [
        {
          resource: { attributes: [] },
          scope_spans: [
            {
              spans: [
                span([
                  { key: 'openinference.span.kind', value: { string_value: 'LLM' } },
                  { key: 'llm.token_count.prompt', value: { string_value: '7' } },
                  { key: 'llm.token_count.completion', value: { int_value: 3n } },
                ]),
              ],
            },
          ],
        },
      ],
      true,
    );
    const attrs = (JSON.parse(batch!.spans[0]!.content) as { attributes: Record<string, string> }).attributes;
    expect(attrs['mlflow.spanType']).toBe('"LLM"');
    expect(attrs['mlflow.chat.tokenUsage']).toBe(
      '{"input_tokens": 7, "output_tokens": 3, "total_tokens": 10}',
    );
    // The row keeps the type the span was sent with (none), as Span.span_type does.
    expect(batch!.spans[0]!.type).toBeNull();
  });
});
