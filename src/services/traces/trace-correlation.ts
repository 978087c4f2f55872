/**
 * calculateTraceFilterCorrelation (handlers._calculate_trace_filter_correlation over
 * SqlAlchemyStore.calculate_trace_filter_correlation): how two trace filters co-occur among an
 * experiment's traces, as counts and the normalized pointwise mutual information (NPMI, raw and
 * with Jeffreys-prior smoothing), with the pinned release's arithmetic (store/analytics/
 * trace_correlation.py). Each filter is the trace search grammar; with a base filter, both are
 * tested as `<base> and <filter>` among the base filter's traces.
 */
import type { MlflowService } from '../../gen/services.js';
import { pyLog } from '../../py/math-log.js';
import { INT32_MAX, parseExperimentId } from '../../stores/tracking/experiments.js';
import { NotNative } from '../raw-reply.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { planTraceFilter } from './trace-search-plan.js';

/** JEFFREYS_PRIOR */
const SMOOTHING = 0.5;

/** _calculate_npmi_core on a 2x2 table (NaN when undefined). */
function npmiCore(n11: number, n10: number, n01: number, n00: number, smoothing: number): number {
  const a = n11 + smoothing;
  const b = n10 + smoothing;
  const c = n01 + smoothing;
  const dd = n00 + smoothing;
  const total = a + b + c + dd;
  const n1 = a + b;
  const n2 = a + c;
  if (n1 <= 0 || n2 <= 0 || a <= 0) return NaN;
  if (n10 === 0 && n01 === 0 && n00 === 0) return 1.0;
  // math.log's digits (V8's Math.log can be an ulp or two away from the C library's)
  const logA = pyLog(a);
  const logN = pyLog(total);
  const pmi = logA + logN - (pyLog(n1) + pyLog(n2));
  const npmi = pmi / -(logA - logN);
  return Math.max(-1.0, Math.min(1.0, npmi));
}

/** calculate_npmi_from_counts: [npmi, npmi_smoothed]. */
export function npmiFromCounts(joint: number, f1: number, f2: number, total: number): [number, number] {
  if (total <= 0 || f1 === 0 || f2 === 0) return [NaN, NaN];
  const n11 = joint;
  const n10 = f1 - joint;
  const n01 = f2 - joint;
  const n00 = total - f1 - f2 + joint;
  if (Math.min(n11, n10, n01, n00) < 0) return [NaN, NaN];
  const raw = joint === 0 ? -1.0 : npmiCore(n11, n10, n01, n00, 0);
  return [raw, npmiCore(n11, n10, n01, n00, SMOOTHING)];
}

export const traceCorrelationHandlers = {
  async calculateTraceFilterCorrelation(req, { stores }) {
    const ids = (req.experiment_ids ?? []).map(parseExperimentId);
    if (ids.some((id) => Math.abs(id) > INT32_MAX)) throw new NotNative('an experiment id beyond INTEGER');
    const base = req.base_filter;
    const f1 = req.filter_string1 ?? '';
    const f2 = req.filter_string2 ?? '';
    // In MLflow's order: both combined filters, then the base filter alone.
    const plan1 = planTraceFilter(base ? `${base} and ${f1}` : f1);
    const plan2 = planTraceFilter(base ? `${base} and ${f2}` : f2);
    const basePlan = base ? planTraceFilter(base) : undefined;
    const counts = await stores.tracking.countTraceCorrelation(ids, plan1, plan2, basePlan);
    const [npmi, smoothed] = npmiFromCounts(counts.joint, counts.filter1, counts.filter2, counts.total);
    // to_proto leaves NaN out.
    return {
      ...(Number.isNaN(npmi) ? {} : { npmi }),
      ...(Number.isNaN(smoothed) ? {} : { npmi_smoothed: smoothed }),
      filter1_count: counts.filter1,
      filter2_count: counts.filter2,
      joint_count: counts.joint,
      total_count: counts.total,
    };
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
