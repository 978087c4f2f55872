import { describe, expect, it } from 'vitest';
import { RPCS } from '../../src/gen/routes.js';
import { DOMAINS } from '../../src/services/domains.js';
import { NATIVE_RPC_KEYS } from '../../src/services/native.js';

describe('native RPCs derived from the domain modules', () => {
  it('serves the tracking RPCs (and run artifact listing) natively, and only RPCs the generated table knows', () => {
    const known = new Set(RPCS.map((r) => r.key));
    expect(NATIVE_RPC_KEYS.filter((k) => !known.has(k))).toEqual([]);
    expect(new Set(NATIVE_RPC_KEYS).size).toBe(NATIVE_RPC_KEYS.length);
    expect([...NATIVE_RPC_KEYS].filter((k) => k.startsWith('MlflowService.')).sort()).toEqual(
      [
        'createExperiment',
        'getExperiment',
        'getExperimentByName',
        'updateExperiment',
        'deleteExperiment',
        'restoreExperiment',
        'setExperimentTag',
        'deleteExperimentTag',
        'createRun',
        'getRun',
        'updateRun',
        'deleteRun',
        'restoreRun',
        'setTag',
        'deleteTag',
        'logMetric',
        'logParam',
        'logBatch',
        'logInputs',
        'getMetricHistory',
        'getMetricHistoryBulkInterval',
        'searchRuns',
        'searchExperiments',
        'searchDatasets',
        'searchEvaluationDatasets',
        // services/logged-models
        'createLoggedModel',
        'getLoggedModel',
        'finalizeLoggedModel',
        'deleteLoggedModel',
        'setLoggedModelTags',
        'deleteLoggedModelTag',
        'LogLoggedModelParams',
        'searchLoggedModels',
        'logOutputs',
        // services/traces
        'getTraceInfoV3',
        'getTraceInfo',
        'batchGetTraceInfos',
        'setTraceTag',
        'setTraceTagV3',
        'deleteTraceTag',
        'deleteTraceTagV3',
        'linkTracesToRun',
        'deleteTraces',
        'deleteTracesV3',
        'endTrace',
        'startTraceV3',
        'startTrace',
        'searchTracesV3',
        'searchTraces',
        'GetAssessment',
        'deleteAssessment',
        'createAssessment',
        'getTrace',
        'batchGetTraces',
        'linkPromptsToTrace',
        'updateAssessment',
        'calculateTraceFilterCorrelation',
        'queryTraceMetrics',
        // no MLflow handler: its `_not_implemented` 404, answered natively
        'searchUnifiedTraceHandler',
        'getOnlineTraceDetails',
        // services/artifacts/run-artifacts.ts
        'listArtifacts',
        'listLoggedModelArtifacts',
        // services/artifacts/presigned-urls.ts
        'createPresignedUploadUrl',
        'createPresignedDownloadUrl',
      ]
        .map((rpc) => `MlflowService.${rpc}`)
        .sort(),
    );
  });

  it('lists each key once per service module', () => {
    for (const [service, modules] of Object.entries(DOMAINS)) {
      const keys = modules.flatMap((m) => Object.keys(m));
      expect(new Set(keys).size, service).toBe(keys.length);
    }
  });
});
