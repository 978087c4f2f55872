/**
 * The span rows and per-trace aggregates an OTLP batch hands the store (span-writes.ts), in a file
 * of their own so that the store's helpers (span-trace-rows.ts) can name them without a cycle.
 */
import type { PyDict } from '../../py/json-exact.js';

/** One span row, as the service built it. */
export interface SpanRow {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  type: string | null;
  status: string;
  startNs: bigint;
  endNs: bigint;
  content: string;
  inputCost: number | null;
  outputCost: number | null;
  totalCost: number | null;
  modelName: string | null;
  modelProvider: string | null;
  usage: PyDict | null;
  cost: PyDict | null;
}

/** One trace's spans of the batch and what they tell of it (log_spans' _TraceAggregate). */
export interface TraceSpans {
  traceId: string;
  spans: SpanRow[];
  minStartMs: number;
  maxEndMs: number | null;
  rootStatus: string | null;
  sessionId: string | null;
  userId: string | null;
  requestPreview: string | undefined;
  responsePreview: string | undefined;
  tags: ReadonlyMap<string, string>;
  resourceTags: ReadonlyMap<string, string>;
}
