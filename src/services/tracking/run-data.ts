import { MlflowError } from '../../errors/mlflow-error.js';
import type { MlflowService } from '../../gen/services.js';
import type { MetricInput } from '../../stores/tracking/inputs.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import {
  truncateLongValues,
  validateBatchLimits,
  validateDatasetInputs,
  validateMetric,
  validateParam,
  validateParamKeysUnique,
  validateRunId,
  validateTag,
} from './validation.js';

/** A double as the codec may hand it over: a number, or Python's spelled-out specials. */
function toDouble(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return v;
}

/**
 * The Metric entity's constructor (Metric(...) / Metric.from_proto, before any other check): a
 * dataset is named by both its name and its digest, or not at all.
 */
function checkMetricDatasets(m: { dataset_name?: string; dataset_digest?: string }): void {
  if (!m.dataset_name !== !m.dataset_digest) {
    throw MlflowError.invalidParameter('Both dataset_name and dataset_digest must be provided if one is provided');
  }
}

/** Handlers of the logging RPCs (server/handlers.py + the store-side checks of sqlalchemy_store). */
export const runDataHandlers = {
  async logMetric(req, { stores }) {
    checkMetricDatasets(req);
    // Unset proto fields read as their defaults ('' / 0) in Python, and that is what MLflow logs.
    const metric = {
      key: req.key ?? '',
      value: toDouble(req.value ?? 0),
      timestamp: req.timestamp ?? 0,
      step: req.step ?? 0,
    };
    validateMetric(metric);
    await stores.tracking.logMetric(req.run_id || req.run_uuid || '', {
      ...(metric as MetricInput),
      model_id: req.model_id || undefined,
      dataset_name: req.dataset_name || undefined,
      dataset_digest: req.dataset_digest || undefined,
    });
    return {};
  },

  async logParam(req, { stores }) {
    const p = validateParam(req.key ?? '', req.value ?? '', '', truncateLongValues(stores));
    await stores.tracking.logParam(req.run_id || req.run_uuid || '', p);
    return {};
  },

  async logBatch(req, { stores }) {
    const truncate = truncateLongValues(stores);
    const runId = req.run_id ?? '';
    const given = req.metrics ?? [];
    for (const m of given) checkMetricDatasets(m);
    validateRunId(runId);
    const metrics = new Array<MetricInput>(given.length);
    const validKeys = new Set<string>();
    for (let i = 0; i < given.length; i++) {
      const m = given[i]!;
      const metric = {
        key: m.key ?? '',
        value: toDouble(m.value ?? 0),
        timestamp: m.timestamp ?? 0,
        step: m.step ?? 0,
        model_id: m.model_id || undefined,
        dataset_name: m.dataset_name || undefined,
        dataset_digest: m.dataset_digest || undefined,
      };
      validateMetric(metric, `metrics[${i}]`, validKeys);
      metrics[i] = metric as MetricInput;
    }
    const params = (req.params ?? []).map((p, i) =>
      validateParam(p.key ?? '', p.value ?? '', `params[${i}]`, truncate),
    );
    const tags = (req.tags ?? []).map((t, i) =>
      validateTag(t.key ?? '', t.value ?? '', `tags[${i}]`, truncate),
    );
    validateBatchLimits(metrics.length, params.length, tags.length);
    validateParamKeysUnique(params);
    await stores.tracking.logBatch(runId, { metrics, params, tags });
    return {};
  },

  async logInputs(req, { stores }) {
    const runId = req.run_id ?? '';
    validateRunId(runId);
    // An unset dataset (or field) is the proto default: an empty Dataset / '' (Dataset.from_proto).
    const datasets = (req.datasets ?? []).map((d) => ({
      tags: (d.tags ?? []).map((t) => ({ key: t.key ?? '', value: t.value ?? '' })),
      dataset: {
        name: d.dataset?.name ?? '',
        digest: d.dataset?.digest ?? '',
        source_type: d.dataset?.source_type ?? '',
        source: d.dataset?.source ?? '',
        ...(d.dataset?.schema !== undefined ? { schema: d.dataset.schema } : {}),
        ...(d.dataset?.profile !== undefined ? { profile: d.dataset.profile } : {}),
      },
    }));
    validateDatasetInputs(datasets);
    await stores.tracking.logInputs(
      runId,
      datasets,
      (req.models ?? []).map((m) => ({ model_id: m.model_id ?? '' })),
    );
    return {};
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
