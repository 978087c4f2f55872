/**
 * Differential test of the ParseDict emulation: each JSON text is parsed by protobuf's own
 * ParseDict in the pinned MLflow's .venv and by ours; success/failure and the resulting message
 * (as MLflow's message_to_json writes it) must agree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDict } from '../../src/http/codec-parse-dict.js';
import { pyJsonLoads } from '../../src/http/codec-json.js';
import { serializeMessage } from '../../src/http/serialize.js';

const python = process.env.MLFLOW_TS_PYTHON ?? '.venv/bin/python';

const CASES: [type: string, json: string][] = [
  [
    'mlflow.SearchRuns',
    '{"experiment_ids":["1","2"],"filter":"metrics.a > 1","max_results":10,"order_by":["start_time DESC"],"run_view_type":"ALL"}',
  ],
  ['mlflow.SearchRuns', '{"experimentIds":["1"],"maxResults":"25","runViewType":2}'],
  ['mlflow.SearchRuns', '{"max_results":"1e3"}'],
  ['mlflow.SearchRuns', '{"max_results":5.0}'],
  ['mlflow.SearchRuns', '{"max_results":5.5}'],
  ['mlflow.SearchRuns', '{"max_results":" 5"}'],
  ['mlflow.SearchRuns', '{"max_results":true}'],
  ['mlflow.SearchRuns', '{"max_results":99999999999}'],
  ['mlflow.SearchRuns', '{"run_view_type":"BOGUS","filter":"x"}'],
  ['mlflow.SearchRuns', '{"run_view_type":7}'],
  ['mlflow.SearchRuns', '{"experiment_ids":"1"}'],
  ['mlflow.SearchRuns', '{"experiment_ids":[1]}'],
  ['mlflow.SearchRuns', '{"experiment_ids":[null]}'],
  ['mlflow.SearchRuns', '{"filter":null,"unknown":{"a":1}}'],
  ['mlflow.SearchRuns', '[1, "filter"]'],
  ['mlflow.SearchRuns', '["max_results"]'],
  ['mlflow.LogMetric', '{"run_id":"r","key":"k","value":"NaN","timestamp":"1700000000000","step":"3"}'],
  ['mlflow.LogMetric', '{"run_id":"r","key":"k","value":"-Infinity","timestamp":1}'],
  ['mlflow.LogMetric', '{"run_id":"r","key":"k","value":true,"timestamp":1}'],
  ['mlflow.LogMetric', '{"run_id":"r","key":"k","value":NaN,"timestamp":1}'],
  ['mlflow.LogMetric', '{"run_id":"r","key":"k","value":"nan","timestamp":1}'],
  ['mlflow.LogMetric', '{"run_id":"r","key":"k","value":"1_000.5","timestamp":1}'],
  ['mlflow.LogMetric', '{"run_id":"r","key":"k","value":"abc","timestamp":1}'],
  ['mlflow.LogMetric', '{"run_uuid":"r","key":5}'],
  [
    'mlflow.LogBatch',
    '{"run_id":"r","metrics":[{"key":"m","value":1.5,"timestamp":1,"step":0},{"key":"n","value":2,"timestamp":2}],"params":[{"key":"p","value":"v"}],"tags":[{"key":"t","value":"u"}]}',
  ],
  [
    'mlflow.LogBatch',
    '{"run_id":"r","metrics":[{"key":"m","value":1,"timestamp":1},{"key":"m2","value":"x","timestamp":1}]}',
  ],
  ['mlflow.LogBatch', '{"run_id":"r","metrics":[null]}'],
  ['mlflow.LogBatch', '{"run_id":"r","metrics":{"a":1}}'],
  ['mlflow.LogBatch', '{"run_id":"r","metrics":"ab"}'],
  ['mlflow.CreateExperiment', '{"name":"e","artifact_location":"s3://b","tags":[{"key":"a","value":"b"}]}'],
  ['mlflow.CreateExperiment', '{"name":"e","tags":[{"key":"a","value":1}]}'],
  ['mlflow.CreateExperiment', '{"name":"e","tags":"k"}'],
  ['mlflow.CreateExperiment', '{"name":"e","tags":["key"]}'],
  ['mlflow.CreateExperiment', '{"name":"\\ud800"}'],
  [
    'mlflow.CreateRun',
    '{"experiment_id":"0","start_time":1,"tags":[{"key":"mlflow.user","value":"me"}],"run_name":"x"}',
  ],
  [
    'mlflow.LogInputs',
    '{"run_id":"r","datasets":[{"tags":[{"key":"mlflow.data.context","value":"train"}],"dataset":{"name":"d","digest":"abc","source_type":"local","source":"{}"}}]}',
  ],
  [
    'mlflow.GetMetricHistoryBulkInterval',
    '{"run_ids":["a","b"],"metric_key":"m","start_step":"1","max_results":100}',
  ],
  [
    'mlflow.StartTraceV3',
    '{"trace":{"trace_info":{"trace_id":"tr-1","request_time":"2024-01-01T00:00:00Z","execution_duration":"1.5s","state":"OK","trace_metadata":{"a":"b"},"tags":{"t":"u"}}}}',
  ],
  ['mlflow.StartTraceV3', '{"trace":{"trace_info":{"trace_id":"tr-1","request_time":12}}}'],
  ['mlflow.StartTraceV3', '{"trace":{"trace_info":{"trace_metadata":{"a":1}}}}'],
  [
    'mlflow.StartTraceV3',
    '{"trace":{"trace_info":{"request_time":"2024-01-01T02:00:00.120+02:00","execution_duration":"-0.000001s"}}}',
  ],
  [
    'mlflow.StartTraceV3',
    '{"trace":{"trace_info":{"request_time":"2024-01-01T00:00:00.123456789Z","execution_duration":"30s"}}}',
  ],
  ['mlflow.StartTraceV3', '{"trace":{"trace_info":{"request_time":"2024-01-01 00:00:00Z"}}}'],
  ['mlflow.SetLoggedModelTags', '{"model_id":"m","tags":[{"key":"a","value":"b"}]}'],
  ['mlflow.CreateWorkspace', '{"name":"w","description":null}'],
];

describe.skipIf(!existsSync(python))('ParseDict emulation agrees with protobuf', () => {
  const script = `
import json, sys
from google.protobuf import symbol_database
from google.protobuf.json_format import ParseDict, ParseError
import mlflow.protos.service_pb2, mlflow.protos.model_registry_pb2, mlflow.protos.webhooks_pb2
from mlflow.utils.proto_json_utils import message_to_json
db = symbol_database.Default()
out = []
for type_name, text in json.loads(sys.stdin.read()):
    msg = db.GetSymbol(type_name)()
    try:
        ParseDict(json.loads(text), msg, ignore_unknown_fields=True)
        ok = True
    except ParseError:
        ok = False
    out.append({"ok": ok, "json": json.loads(message_to_json(msg))})
print(json.dumps(out))
`;
  const theirs = JSON.parse(
    execFileSync(python, ['-c', script], { input: JSON.stringify(CASES), encoding: 'utf8' }),
  ) as { ok: boolean; json: unknown }[];

  it.each(CASES.map((c, i) => [`${c[0]} ${c[1].slice(0, 80)}`, i] as const))('%s', (_n, i) => {
    const [type, text] = CASES[i]!;
    const ours = parseDict(pyJsonLoads(text)!, type);
    expect({ ok: ours.ok, json: JSON.parse(serializeMessage(type, ours.message)) }).toEqual(theirs[i]);
  });
});
