/**
 * The span rows and per-trace aggregates an OTLP batch hands the store (span-writes.ts), and the
 * trace_info row of a trace it creates, in a file of their own so that the store's helpers
 * (span-trace-rows.ts, the dialects' operations) can name them without a cycle.
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

/** trace_info of a trace first seen in the batch, `usage` and `cost` the batch's aggregates. */
export interface NewTraceRow {
  request_id: string;
  experiment_id: number;
  timestamp_ms: number;
  execution_time_ms: number | null;
  status: string;
  client_request_id: null;
  request_preview: string | null;
  response_preview: string | null;
  trace_name: string | null;
  session_id: string | null;
  db_payload_generation: number;
  [column: string]: unknown;
}
