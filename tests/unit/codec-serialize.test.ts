/**
 * The compiled serializer against MLflow's own `message_to_json(msg, pretty=False)`: for ASCII
 * content the bytes must be identical (key order = field-number order, int64 as numbers,
 * non-finite doubles as strings, unset/empty fields omitted).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serializeMessage } from '../../src/http/serialize.js';

const python = process.env.MLFLOW_TS_PYTHON ?? '.venv/bin/python';

const CASES: [type: string, wire: unknown][] = [
  [
    'mlflow.SearchRuns.Response',
    {
      runs: [
        {
          info: {
            run_id: 'abc',
            run_uuid: 'abc',
            run_name: 'r',
            experiment_id: '0',
            user_id: 'u',
            status: 'FINISHED',
            start_time: 1700000000000,
            end_time: 1700000000500,
            artifact_uri: 'file:///tmp/a',
            lifecycle_stage: 'active',
          },
          data: {
            metrics: [
              { key: 'nan', value: NaN, timestamp: 1, step: 0 },
              { key: 'inf', value: Infinity, timestamp: 2, step: 1 },
              { key: 'ninf', value: -Infinity, timestamp: 3, step: 9007199254740991 },
              { key: 'f', value: 0.25, timestamp: 4, step: -1 },
              { key: 'big', value: 1.5e17, timestamp: 4, step: 0 },
              { key: 'small', value: 0.00001234, timestamp: 4, step: 0 },
              { key: 'tiny', value: 1e-300, timestamp: 4, step: 0 },
              { key: 'int', value: 12345, timestamp: 4, step: 0 },
            ],
            params: [{ key: 'p', value: '' }],
            tags: [],
          },
          inputs: { dataset_inputs: [] },
        },
      ],
      next_page_token: 'tok',
    },
  ],
  [
    'mlflow.GetExperiment.Response',
    {
      experiment: {
        experiment_id: '1',
        name: 'e',
        tags: [{ key: 'a', value: 'b' }],
        creation_time: 1,
        last_update_time: 2,
      },
    },
  ],
  ['mlflow.GetMetricHistory.Response', { metrics: [{ key: 'm', value: 1, timestamp: 5, step: 0 }] }],
  ['mlflow.LogBatch.Response', {}],
  ['mlflow.SearchExperiments.Response', { experiments: [] }],
  [
    'mlflow.GetTraceInfoV3.Response',
    {
      trace: {
        trace_info: {
          trace_id: 'tr-1',
          trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '1' } },
          request_time: '2024-01-01T00:00:00.120Z',
          execution_duration: '1.500s',
          state: 'OK',
          trace_metadata: { a: '1' },
          tags: {},
        },
      },
    },
  ],
];

describe.skipIf(!existsSync(python))('serializer agrees with message_to_json', () => {
  const script = `
import json, sys
from google.protobuf import symbol_database
from google.protobuf.json_format import ParseDict
import mlflow.protos.service_pb2, mlflow.protos.model_registry_pb2
from mlflow.utils.proto_json_utils import message_to_json
db = symbol_database.Default()
out = []
for type_name, wire in json.loads(sys.stdin.read()):
    msg = db.GetSymbol(type_name)()
    ParseDict(wire, msg)
    out.append(message_to_json(msg, pretty=False))
print(json.dumps(out))
`;
  // JSON cannot carry NaN/Infinity to Python; send them as the strings ParseDict accepts.
  const input = JSON.stringify(CASES, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v)
      ? Number.isNaN(v)
        ? 'NaN'
        : v > 0
          ? 'Infinity'
          : '-Infinity'
      : v,
  );
  const theirs = JSON.parse(execFileSync(python, ['-c', script], { input, encoding: 'utf8' })) as string[];

  it.each(CASES.map((c, i) => [c[0], i] as const))('%s', (_n, i) => {
    const [type, wire] = CASES[i]!;
    expect(serializeMessage(type, wire)).toBe(theirs[i]);
  });
});
