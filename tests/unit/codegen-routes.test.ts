import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RPCS, RPCS_BY_KEY } from '../../src/gen/routes.js';
import { MESSAGES, ENUMS } from '../../src/gen/schemas.js';

const python = process.env.MLFLOW_TS_PYTHON ?? '.venv/bin/python';
const havePython = existsSync(python);

describe('generated RPC table', () => {
  it('has getRun exactly as docs/architecture.md describes', () => {
    const r = RPCS_BY_KEY.get('MlflowService.getRun');
    expect(r).toMatchObject({
      service: 'MlflowService',
      rpc: 'getRun',
      requestType: 'mlflow.GetRun',
      responseType: 'mlflow.GetRun.Response',
      endpoints: [{ method: 'GET', path: '/mlflow/runs/get', since: 2 }],
      routes: [
        { method: 'GET', url: '/api/2.0/mlflow/runs/get', prefix: 'api' },
        { method: 'GET', url: '/ajax-api/2.0/mlflow/runs/get', prefix: 'ajax-api' },
      ],
    });
  });

  it('expands both endpoints of searchExperiments and v3 paths', () => {
    expect(
      RPCS_BY_KEY.get('MlflowService.searchExperiments')!.routes.map((r) => `${r.method} ${r.url}`),
    ).toEqual([
      'POST /api/2.0/mlflow/experiments/search',
      'POST /ajax-api/2.0/mlflow/experiments/search',
      'GET /api/2.0/mlflow/experiments/search',
      'GET /ajax-api/2.0/mlflow/experiments/search',
    ]);
    expect(RPCS_BY_KEY.get('MlflowService.getTraceInfoV3')!.routes[0]).toEqual({
      method: 'GET',
      url: '/api/3.0/mlflow/traces/:trace_id',
      prefix: 'api',
      params: { trace_id: 'trace_id' },
    });
    expect(RPCS_BY_KEY.get('MlflowService.createAssessment')!.routes[0]!.url).toBe(
      '/api/3.0/mlflow/traces/:trace_id/assessments',
    );
  });

  it('keeps the searchDatasets no-leading-slash quirk and artifact wildcards', () => {
    expect(RPCS_BY_KEY.get('MlflowService.searchDatasets')!.routes.map((r) => r.url)).toEqual([
      '/api/2.0mlflow/experiments/search-datasets',
      '/ajax-api/2.0mlflow/experiments/search-datasets',
    ]);
    expect(RPCS_BY_KEY.get('MlflowArtifactsService.uploadArtifact')!.routes[0]).toEqual({
      method: 'PUT',
      url: '/api/2.0/mlflow-artifacts/artifacts/*',
      prefix: 'api',
      params: { '*': 'artifact_path' },
    });
  });

  it('carries field metadata and proto2 defaults', () => {
    const sr = MESSAGES['mlflow.SearchRuns']!.fields;
    expect(sr.find((f) => f.name === 'max_results')).toMatchObject({
      kind: 'int32',
      default: 1000,
      maximum: 50000,
    });
    expect(sr.find((f) => f.name === 'experiment_ids')).toMatchObject({ kind: 'string', repeated: true });
    const metric = MESSAGES['mlflow.Metric']!.fields;
    expect(metric.map((f) => `${f.name}:${f.kind}`)).toEqual([
      'key:string',
      'value:double',
      'timestamp:int64',
      'step:int64',
      'dataset_name:string',
      'dataset_digest:string',
      'model_id:string',
      'run_id:string',
    ]);
    expect(MESSAGES['mlflow.Experiment']!.fields.find((f) => f.name === 'tags')).toMatchObject({
      kind: 'message',
      repeated: true,
      type: 'mlflow.ExperimentTag',
    });
    expect(ENUMS['mlflow.ViewType']).toEqual({ ACTIVE_ONLY: 1, DELETED_ONLY: 2, ALL: 3 });
    expect(ENUMS['mlflow.ErrorCode']!['INVALID_PARAMETER_VALUE']).toBe(1000);
  });

  it.skipIf(!havePython)('matches the routes the installed MLflow server registers', () => {
    // The proto-derived part of handlers.get_endpoints(), per service, in registration order.
    const script = `
import json
from mlflow.server import handlers as h
from mlflow.protos.service_pb2 import MlflowService
from mlflow.protos.model_registry_pb2 import ModelRegistryService
from mlflow.protos.mlflow_artifacts_pb2 import MlflowArtifactsService
from mlflow.protos.webhooks_pb2 import WebhookService
out = []
for svc in (MlflowService, ModelRegistryService, MlflowArtifactsService, WebhookService):
    for path, _handler, methods in h.get_service_endpoints(svc, lambda _c: None):
        out.append([methods[0], path])
every = [[m, p] for p, _h, ms in h.get_endpoints() for m in ms]
rpcs = sum(len(s.DESCRIPTOR.methods) for s in (MlflowService, ModelRegistryService, MlflowArtifactsService, WebhookService))
print(json.dumps({"proto": out, "all": every, "rpcs": rpcs}))
`;
    const res = JSON.parse(
      execFileSync(python, ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 24 }),
    ) as {
      proto: [string, string][];
      all: [string, string][];
      rpcs: number;
    };
    const flaskToFastify = (p: string): string => p.replace(/<path:\w+>/g, '*').replace(/<(\w+)>/g, ':$1');
    const theirs = res.proto.map(([m, p]) => `${m} ${flaskToFastify(p)}`);
    const ours = RPCS.flatMap((r) => r.routes.map((rt) => `${rt.method} ${rt.url}`));
    expect(RPCS.length).toBe(res.rpcs);
    expect(ours).toEqual(theirs);
    const all = new Set(res.all.map(([m, p]) => `${m} ${flaskToFastify(p)}`));
    for (const r of ours) expect(all.has(r)).toBe(true);
  });
});
