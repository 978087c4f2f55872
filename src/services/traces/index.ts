/**
 * The traces domain (MLflow 3's GenAI traces, SqlAlchemyStore's tracing section): trace
 * metadata reads, tags, run links and deletion, on the tracking store's database.
 */
import type { MlflowService } from '../../gen/services.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { assessmentHandlers } from './assessments.js';
import { traceCorrelationHandlers } from './trace-correlation.js';
import { traceDeleteHandlers } from './trace-deletes.js';
import { traceEndHandlers } from './trace-ends.js';
import { traceInfoHandlers } from './trace-infos.js';
import { traceSearchHandlers } from './trace-search.js';
import { traceSpanHandlers } from './trace-spans.js';
import { traceStartHandlers } from './trace-starts.js';
import { traceTagHandlers } from './trace-tags.js';
import { traceMetricsHandlers } from './trace-metrics.js';

export const tracesHandlers = {
  ...traceInfoHandlers,
  ...traceTagHandlers,
  ...traceDeleteHandlers,
  ...traceEndHandlers,
  ...traceStartHandlers,
  ...traceSearchHandlers,
  ...assessmentHandlers,
  ...traceSpanHandlers,
  ...traceCorrelationHandlers,
  ...traceMetricsHandlers,
} satisfies DomainHandlers<MlflowService<DomainContext>>;
