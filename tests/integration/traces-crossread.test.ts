/**
 * Traces shared with Python MLflow on one database, both directions and every dialect: what
 * mlflow-ts writes (startTraceV3 with tags and the promoted metadata, the v2 start and end, tags,
 * a deletion, OTLP spans) the SQL store reads as mlflow-ts reads it; and the other way round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores, type Stores } from '../../src/stores/index.js';
import { createNativeHandlers } from '../../src/services/native.js';
import type { NativeHandlers } from '../../src/services/types.js';
import { ingestOtlp } from '../../src/services/traces/otlp-ingest.js';
import { decodeOtlpJson } from '../../src/http/otlp-decode.js';
import { serializeMessage } from '../../src/http/serialize.js';
import { backendNames, newBackend, runPython, type TestBackend } from '../helpers/store-backends.js';

const ctx = { log: console, args: () => new URLSearchParams() } as never;

describe.each(backendNames)('traces shared with Python MLflow on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;
  let h: NativeHandlers;
  const call = async (rpc: string, req: unknown) => h[`MlflowService.${rpc}`]!(req, ctx);

  beforeAll(async () => {
    backend = await newBackend(dialect, 'trcross');
    stores = await openStores(backend.uri, { defaultArtifactRoot: 'mlflow-artifacts:/' });
    h = createNativeHandlers(stores);
  });
  afterAll(async () => {
    await stores.close();
    await backend.drop();
  });

  async function ours(traceIds: string[], experimentIds: string[]) {
    const infos = [];
    for (const id of traceIds) infos.push((await call('getTraceInfoV3', { trace_id: id })).trace.trace_info);
    const search = await call('searchTracesV3', {
      locations: experimentIds.map((e) => ({
        type: 'MLFLOW_EXPERIMENT',
        mlflow_experiment: { experiment_id: e },
      })),
      max_results: 100,
    });
    return { infos, search: search.traces ?? [] };
  }

  it('Python reads the traces mlflow-ts writes as mlflow-ts reads them', async () => {
    const { experiment_id: exp } = await call('createExperiment', { name: 'ts-traces' });
    const location = { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } };
    const a = 'tr-' + 'a'.repeat(32);
    const b = 'tr-' + 'b'.repeat(32);
    const gone = 'tr-' + 'c'.repeat(32);
    for (const [id, ms] of [
      [a, 0],
      [b, 1000],
      [gone, 2000],
    ] as const) {
      await call('startTraceV3', {
        trace: {
          trace_info: {
            trace_id: id,
            trace_location: location,
            request_time: new Date(1_700_000_000_000 + ms).toISOString(),
            execution_duration: '1.250s',
            state: 'OK',
            request_preview: 'in',
            response_preview: 'out',
            trace_metadata: {
              'mlflow.trace.session': 's1',
              'mlflow.trace.tokenUsage': '{"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}',
              'mlflow.trace.cost': '{"input_cost": 0.25, "total_cost": 1}',
              m: 'v',
            },
            tags: { 'mlflow.traceName': `name-${ms}`, team: 'ts' },
          },
        },
      });
    }
    await call('setTraceTagV3', { trace_id: a, key: 'reviewed', value: 'yes' });
    await call('deleteTraceTagV3', { trace_id: b, key: 'team' });
    const { trace_info: v2 } = await call('startTrace', {
      experiment_id: exp,
      timestamp_ms: 1_700_000_005_000,
      tags: [{ key: 'mlflow.traceName', value: 'old-client' }],
    });
    await call('endTrace', {
      request_id: v2.request_id,
      timestamp_ms: 1_700_000_006_500,
      status: 'ERROR',
      request_metadata: [{ key: 'mlflow.trace.session', value: 's2' }],
    });
    expect((await call('deleteTracesV3', { experiment_id: exp, request_ids: [gone] })).traces_deleted).toBe(
      1,
    );

    const ids = [a, b, v2.request_id as string];
    const mine = await ours(ids, [exp]);
    const theirs = runPython(
      'trace_crossread.py',
      ['read', backend.pythonUri],
      JSON.stringify({ trace_ids: ids, experiment_ids: [exp] }),
    );
    expect(mine).toEqual(theirs);
    expect(mine.search.map((t: { trace_id: string }) => t.trace_id)).toEqual([v2.request_id, b, a]);
    expect(mine.infos[2].state).toBe('ERROR');
    expect(mine.infos[2].execution_duration).toBe('1.500s');
  });

  it('mlflow-ts reads the traces Python writes as Python reads them', async () => {
    const w = runPython('trace_crossread.py', ['write', backend.pythonUri]) as {
      experiment_id: string;
      trace_ids: string[];
    };
    const kept = w.trace_ids.slice(0, 2);
    const theirs = runPython(
      'trace_crossread.py',
      ['read', backend.pythonUri],
      JSON.stringify({ trace_ids: kept, experiment_ids: [w.experiment_id] }),
    );
    const mine = await ours(kept, [w.experiment_id]);
    expect(mine).toEqual(theirs);
    expect(mine.infos[0].assessments).toHaveLength(1);
    expect(mine.search).toHaveLength(2);
  });

  /** An OTLP/JSON export of one trace: a root with a tool and an LLM child (usage, an event). */
  function otlpRequest(traceByte: number) {
    // OTLP/JSON ids are hex (the OTLP JSON encoding); MLflow converts them before parsing.
    const hexId = (byte: number, n: number) => Buffer.alloc(n, byte).toString('hex');
    const traceId = hexId(traceByte, 16);
    const attr = (key: string, value: unknown) => ({ key, value });
    const str = (v: string) => ({ stringValue: v });
    const t0 = 1_700_000_000_000_000_000n;
    const span = (
      id: number,
      parent: number | null,
      name: string,
      startMs: number,
      endMs: number,
      attributes: unknown[],
      extra = {},
    ) => ({
      traceId,
      spanId: hexId(id, 8),
      ...(parent === null ? {} : { parentSpanId: hexId(parent, 8) }),
      name,
      kind: 'SPAN_KIND_INTERNAL',
      startTimeUnixNano: String(t0 + BigInt(startMs) * 1_000_000n),
      endTimeUnixNano: String(t0 + BigInt(endMs) * 1_000_000n),
      attributes,
      status: { code: 'STATUS_CODE_OK' },
      ...extra,
    });
    return {
      resourceSpans: [
        {
          resource: { attributes: [attr('deployment', str('test'))] },
          scopeSpans: [
            {
              spans: [
                span(1, null, 'agent', 0, 900, [
                  attr('mlflow.spanType', str('"AGENT"')),
                  attr('mlflow.spanInputs', str('{"question": "why?"}')),
                  attr('mlflow.spanOutputs', str('"because"')),
                ]),
                span(2, 1, 'search', 10, 200, [
                  attr('mlflow.spanType', str('"TOOL"')),
                  attr('rows', { intValue: '3' }),
                  attr('score', { doubleValue: 0.25 }),
                  attr('ok', { boolValue: true }),
                  attr('ids', { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'two' }] } }),
                ]),
                span(
                  3,
                  1,
                  'llm',
                  210,
                  880,
                  [
                    attr('mlflow.spanType', str('"CHAT_MODEL"')),
                    attr(
                      'mlflow.chat.tokenUsage',
                      str('{"input_tokens": 12, "output_tokens": 5, "total_tokens": 17}'),
                    ),
                    attr(
                      'mlflow.llm.cost',
                      str('{"input_cost": 0.5, "output_cost": 0.25, "total_cost": 0.75}'),
                    ),
                  ],
                  {
                    events: [
                      {
                        name: 'retry',
                        timeUnixNano: String(t0 + 300_000_000n),
                        attributes: [attr('attempt', { intValue: '2' })],
                      },
                    ],
                  },
                ),
              ],
            },
          ],
        },
      ],
    };
  }

  async function ourTraces(traceIds: string[]) {
    const out = [];
    for (const id of traceIds) {
      const { trace } = await call('getTrace', { trace_id: id });
      out.push(JSON.parse(serializeMessage('mlflow.Trace', trace)));
    }
    return out;
  }

  it('Python reads the spans mlflow-ts ingests as mlflow-ts reads them', async () => {
    const { experiment_id: exp } = await call('createExperiment', { name: 'ts-spans' });
    const body = Buffer.from(JSON.stringify(otlpRequest(0x5a)));
    await ingestOtlp(stores, {
      experimentId: exp,
      runId: undefined,
      resourceSpans: decodeOtlpJson(body),
      onLinkFailure: (err) => {
        throw err;
      },
    });
    const id = 'tr-' + '5a'.repeat(16);
    const mine = await ourTraces([id]);
    const theirs = runPython(
      'trace_crossread.py',
      ['spans-read', backend.pythonUri],
      JSON.stringify({ trace_ids: [id] }),
    ) as {
      traces: unknown[];
    };
    expect(mine).toEqual(theirs.traces);
    expect(mine[0].spans).toHaveLength(3);
    expect(mine[0].trace_info.trace_metadata['mlflow.trace.tokenUsage']).toBe(
      '{"input_tokens": 12, "output_tokens": 5, "total_tokens": 17}',
    );
  });

  it('mlflow-ts reads the spans Python logs as Python reads them', async () => {
    const { experiment_id: exp } = await call('createExperiment', { name: 'py-spans' });
    runPython(
      'trace_crossread.py',
      ['spans-write', backend.pythonUri],
      JSON.stringify({ experiment_id: exp, request: otlpRequest(0x6b) }),
    );
    const id = 'tr-' + '6b'.repeat(16);
    const theirs = runPython(
      'trace_crossread.py',
      ['spans-read', backend.pythonUri],
      JSON.stringify({ trace_ids: [id] }),
    ) as {
      traces: unknown[];
    };
    const mine = await ourTraces([id]);
    expect(mine).toEqual(theirs.traces);
    expect(mine[0].spans).toHaveLength(3);
  });
});
