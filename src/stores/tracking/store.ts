import type { StoreContext } from './context.js';
import type { Experiment, MetricWithRunId, Run, RunInfo, RunStatus } from './entities.js';
import * as experiments from './experiments.js';
import * as logging from './logging.js';
import * as history from './metric-history.js';
import * as loggedModels from './logged-model-links.js';
import * as runs from './runs.js';

/**
 * The SQL tracking store: MLflow's SqlAlchemyStore semantics (store/tracking/sqlalchemy_store.py)
 * on Kysely. Inputs are expected validated (services/tracking/validation.ts); this layer owns
 * existence / lifecycle checks, uniqueness and the SQL.
 */
export class SqlTrackingStore {
  constructor(readonly ctx: StoreContext) {}

  get db() {
    return this.ctx.db;
  }

  createExperiment(
    name: string,
    artifactLocation: string | undefined,
    tags: { key: string; value: string }[],
  ): Promise<string> {
    return experiments.createExperiment(this.ctx, name, artifactLocation, tags);
  }
  getExperiment(experimentId: string): Promise<Experiment> {
    return experiments.getExperiment(this.ctx, experimentId);
  }
  getExperimentByName(name: string): Promise<Experiment | undefined> {
    return experiments.getExperimentByName(this.ctx, name);
  }
  deleteExperiment(experimentId: string): Promise<void> {
    return experiments.deleteExperiment(this.ctx, experimentId);
  }
  restoreExperiment(experimentId: string): Promise<void> {
    return experiments.restoreExperiment(this.ctx, experimentId);
  }
  renameExperiment(experimentId: string, newName: string): Promise<void> {
    return experiments.renameExperiment(this.ctx, experimentId, newName);
  }
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return experiments.setExperimentTag(this.ctx, experimentId, key, value);
  }
  deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    return experiments.deleteExperimentTag(this.ctx, experimentId, key);
  }

  getLoggedModelSource(modelId: string): Promise<loggedModels.LoggedModelSource> {
    return loggedModels.getLoggedModelSource(this.ctx, modelId);
  }
  linkModelVersion(modelId: string, name: string, version: number): Promise<void> {
    return loggedModels.linkModelVersion(this.ctx, modelId, name, version);
  }

  createRun(args: runs.CreateRunArgs): Promise<Run> {
    return runs.createRun(this.ctx, args);
  }
  getRun(runId: string): Promise<Run> {
    return runs.getRun(this.ctx, runId);
  }
  updateRunInfo(runId: string, status?: RunStatus, endTime?: number, runName?: string): Promise<RunInfo> {
    return runs.updateRunInfo(this.ctx, runId, status, endTime, runName);
  }
  deleteRun(runId: string): Promise<void> {
    return runs.deleteRun(this.ctx, runId);
  }
  restoreRun(runId: string): Promise<void> {
    return runs.restoreRun(this.ctx, runId);
  }
  setTag(runId: string, key: string, value: string): Promise<void> {
    return runs.setTag(this.ctx, runId, key, value);
  }
  deleteTag(runId: string, key: string): Promise<void> {
    return runs.deleteTag(this.ctx, runId, key);
  }

  logBatch(runId: string, batch: logging.BatchArgs): Promise<void> {
    return logging.logBatch(this.ctx, runId, batch);
  }
  logMetric(runId: string, metric: Parameters<typeof logging.logMetric>[2]): Promise<void> {
    return logging.logMetric(this.ctx, runId, metric);
  }
  logParam(runId: string, key: string, value: string): Promise<void> {
    return logging.logParam(this.ctx, runId, { key, value });
  }
  logInputs(
    runId: string,
    datasets: Parameters<typeof logging.logInputs>[2],
    models: { model_id: string }[],
  ): Promise<void> {
    return logging.logInputs(this.ctx, runId, datasets, models);
  }

  getMetricHistory(runId: string, key: string, maxResults?: number, pageToken?: string) {
    return history.getMetricHistory(this.ctx, runId, key, maxResults, pageToken);
  }
  iterateMetricHistory(runId: string, key: string) {
    return history.iterateMetricHistory(this.ctx, runId, key);
  }
  /** The unpaginated history as a page source (see metric-history.ts); throws now on a bad token. */
  streamMetricHistory(runId: string, key: string, pageToken?: string) {
    return history.streamMetricHistory(this.ctx, runId, key, pageToken);
  }
  getMetricHistoryBulk(runIds: string[], key: string, maxResults: number): Promise<MetricWithRunId[]> {
    return history.getMetricHistoryBulk(this.ctx, runIds, key, maxResults);
  }
  getMetricHistoryBulkInterval(
    runIds: string[],
    key: string,
    maxResults: number,
    startStep?: number,
    endStep?: number,
  ): Promise<MetricWithRunId[]> {
    return history.getMetricHistoryBulkInterval(this.ctx, runIds, key, maxResults, startStep, endStep);
  }
}
