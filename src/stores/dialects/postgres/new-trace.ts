/**
 * An OTLP batch that creates one trace, written in one named prepared statement (autocommit, so
 * all or nothing): the trace_info row as log_spans leaves it, its tags, its user metadata and the
 * span rows, each set bound as arrays (unnest) instead of one parameter per value. Parsed and
 * planned once per connection; one round trip instead of a transaction's five.
 *
 * Nothing is written when the experiment's artifact location is not the one the tags were built
 * from (or the experiment is gone), nor when the trace exists already (ON CONFLICT DO NOTHING:
 * a concurrent creator is waited for): the caller then takes the transactional path, which reads
 * and locks what is stored.
 */
import type { NewTraceWrite, NewTraceOutcome } from '../../tracking/dialect-ops.js';
import { COST_COLUMNS, TOKEN_COLUMNS } from '../../tracking/trace-infos.js';

type RunPrepared = <R>(name: string, text: string, values: readonly unknown[]) => Promise<R[]>;

const ANALYTICS = [...TOKEN_COLUMNS, ...COST_COLUMNS];

const INSERT_NEW_TRACE = `WITH e AS (
  SELECT experiment_id FROM experiments
  WHERE experiment_id = $2 AND lifecycle_stage IN ('active', 'deleted')
    AND artifact_location IS NOT DISTINCT FROM $3::text
),
t AS (
  INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status, client_request_id,
    request_preview, response_preview, db_payload_generation, trace_name, session_id, ${ANALYTICS.join(', ')})
  SELECT $1, e.experiment_id, $4, $5, $6, NULL, $7, $8, 1, $9, $10,
    ${ANALYTICS.map((_, i) => `$${11 + i}`).join(', ')}
  FROM e
  ON CONFLICT (request_id) DO NOTHING
  RETURNING request_id, experiment_id
),
g AS (
  INSERT INTO trace_tags (request_id, key, value)
  SELECT t.request_id, x.key, x.value FROM t, unnest($20::text[], $21::text[]) WITH ORDINALITY AS x(key, value, ord)
  ORDER BY x.ord
),
m AS (
  INSERT INTO trace_request_metadata (request_id, key, value)
  SELECT t.request_id, x.key, x.value FROM t, unnest($22::text[], $23::text[]) AS x(key, value)
),
s AS (
  INSERT INTO spans (trace_id, experiment_id, span_id, parent_span_id, name, type, status, start_time_unix_nano,
    end_time_unix_nano, content, input_cost, output_cost, total_cost, model_name, model_provider)
  SELECT t.request_id, t.experiment_id, x.span_id, x.parent_span_id, x.name, x.type, x.status, x.start_ns,
    x.end_ns, x.content, x.input_cost, x.output_cost, x.total_cost, x.model_name, x.model_provider
  FROM t, unnest($24::text[], $25::text[], $26::text[], $27::text[], $28::text[], $29::int8[], $30::int8[],
    $31::text[], $32::float8[], $33::float8[], $34::float8[], $35::text[], $36::text[]) WITH ORDINALITY
    AS x(span_id, parent_span_id, name, type, status, start_ns, end_ns, content, input_cost, output_cost,
      total_cost, model_name, model_provider, ord)
  ORDER BY x.ord
)
SELECT EXISTS (SELECT 1 FROM e) AS located, EXISTS (SELECT 1 FROM t) AS created`;

export async function insertNewTrace(runPrepared: RunPrepared, w: NewTraceWrite): Promise<NewTraceOutcome> {
  const { row, spans } = w;
  const column = <T>(pick: (s: (typeof spans)[number]) => T): T[] => spans.map(pick);
  const [r] = await runPrepared<{ located: boolean; created: boolean }>(
    'mlflow_ts_insert_new_trace',
    INSERT_NEW_TRACE,
    [
      row.request_id,
      w.experimentId,
      w.artifactLocation,
      row.timestamp_ms,
      row.execution_time_ms,
      row.status,
      row.request_preview,
      row.response_preview,
      row.trace_name,
      row.session_id,
      ...ANALYTICS.map((c) => row[c] ?? null),
      w.tags.map(([k]) => k),
      w.tags.map(([, v]) => v),
      w.metadata.map(([k]) => k),
      w.metadata.map(([, v]) => v),
      column((s) => s.spanId),
      column((s) => s.parentSpanId),
      column((s) => s.name),
      column((s) => s.type),
      column((s) => s.status),
      // Nanoseconds past 2^53, bound as exact decimal text.
      column((s) => String(s.startNs)),
      column((s) => String(s.endNs)),
      column((s) => s.content),
      column((s) => s.inputCost),
      column((s) => s.outputCost),
      column((s) => s.totalCost),
      column((s) => s.modelName),
      column((s) => s.modelProvider),
    ],
  );
  if (!r?.located) return 'relocated';
  return r.created ? 'created' : 'exists';
}
