/**
 * OTLP ingest under concurrent batches of one trace, on every dialect: eight batches of leaf spans
 * (each with token usage and cost) and the root span, all at once. Every span is stored, no batch
 * fails (a deadlock is redriven), and the trace's totals equal the sum over all its spans, which
 * is what log_spans' recompute under the trace row lock guarantees; Python's store reads the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpKeyValue, OtlpResourceSpans, OtlpSpan } from '../../src/services/traces/otlp-types.js';
import { createNativeHandlers } from '../../src/services/native.js';
import { ingestOtlp } from '../../src/services/traces/otlp-ingest.js';
import { openStores, type Stores } from '../../src/stores/index.js';
import { backendNames, newBackend, runPython, type TestBackend } from '../helpers/store-backends.js';

const ctx = { log: console, args: () => new URLSearchParams() } as never;
const TRACE = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
const ROOT = Buffer.from('00000000000000ff', 'hex');
const NS = 1_700_000_000_123_456_789n;

const str = (key: string, value: string): OtlpKeyValue => ({ key, value: { string_value: value } });

function span(id: number, parent: Buffer | null, attributes: OtlpKeyValue[]): OtlpSpan {
  return {
    trace_id: TRACE,
    span_id: id === 0 ? ROOT : Buffer.from(id.toString(16).padStart(16, '0'), 'hex'),
    trace_state: '',
    parent_span_id: parent ?? Buffer.alloc(0),
    flags: 0,
    name: id === 0 ? 'root' : `leaf-${id}`,
    kind: 1,
    start_time_unix_nano: NS + BigInt(id) * 1000n,
    end_time_unix_nano: NS + BigInt(id) * 1000n + 500_000_000n,
    attributes,
    events: [],
    links: [],
    status: { message: '', code: 1 },
  };
}

const batch = (spans: OtlpSpan[]): OtlpResourceSpans[] => [
  { resource: { attributes: [] }, scope_spans: [{ spans }] },
];

describe.each(backendNames)('concurrent OTLP batches of one trace on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;

  beforeAll(async () => {
    backend = await newBackend(dialect, 'otlpconc');
    stores = await openStores(backend.uri, { defaultArtifactRoot: 'mlflow-artifacts:/' });
  });
  afterAll(async () => {
    await stores.close();
    await backend.drop();
  });

  it('stores every span once and totals the usage and cost of all of them', async () => {
    const h = createNativeHandlers(stores);
    const { experiment_id: exp } = (await h['MlflowService.createExperiment']!({ name: 'otlp' }, ctx)) as {
      experiment_id: string;
    };
    const leafAttributes = [
      str('mlflow.spanType', '"LLM"'),
      str('mlflow.chat.tokenUsage', '{"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}'),
      str('mlflow.llm.cost', '{"input_cost": 0.5, "output_cost": 0.25, "total_cost": 0.75}'),
    ];
    const batches: OtlpResourceSpans[][] = [];
    for (let b = 0; b < 8; b++) {
      const spans = [];
      for (let i = 1; i <= 25; i++) spans.push(span(b * 25 + i, ROOT, leafAttributes));
      if (b === 3) spans.push(span(0, null, [str('mlflow.spanType', '"AGENT"')]));
      batches.push(batch(spans));
    }
    const results = await Promise.allSettled(
      batches.map((resourceSpans) =>
        ingestOtlp(stores, { experimentId: exp, runId: undefined, resourceSpans, onLinkFailure: () => {} }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);

    const traceId = 'tr-' + TRACE.toString('hex');
    const got = (await h['MlflowService.getTrace']!({ trace_id: traceId }, ctx)) as {
      trace: { trace_info: { trace_metadata: Record<string, string>; state: string }; spans: unknown[] };
    };
    expect(got.trace.spans).toHaveLength(201);
    expect(got.trace.trace_info.state).toBe('OK');
    const metadata = got.trace.trace_info.trace_metadata;
    expect(JSON.parse(metadata['mlflow.trace.tokenUsage']!)).toEqual({
      input_tokens: 200,
      output_tokens: 400,
      total_tokens: 600,
    });
    expect(JSON.parse(metadata['mlflow.trace.cost']!)).toEqual({
      input_cost: 100,
      output_cost: 50,
      total_cost: 150,
    });

    // Python's SQL store reads the trace mlflow-ts wrote: every span, the same totals.
    const theirs = runPython('span_read.py', [backend.pythonUri, traceId]);
    expect(theirs).toEqual({
      spans: 201,
      usage: { input_tokens: 200, output_tokens: 400, total_tokens: 600 },
      names: ['leaf-1', 'leaf-10'],
    });
  });
});
