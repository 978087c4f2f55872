// Raw-driver floors of the trace scenarios on PostgreSQL, no HTTP server:
//  T1: one OTLP batch (a new 100-span trace) written as the rows mlflow-ts and MLflow store for
//      it (trace_info with its final previews, state and token totals, the artifact-location and
//      spans-location tags, the 100 span rows with their JSON content), in one statement: one
//      round trip and one transaction per request. The span contents arrive prebuilt (the floor
//      measures the database work, not the conversion).
//  T2: getTrace of a 1,000-span trace: the span rows' content in one query (the trace's info,
//      tags and metadata beside it) and the answer JSON built from them.
import pg from 'pg';
import type { PgAdmin } from './db.js';
import type { Scenario } from './scenarios.js';
import type { Row } from './report.js';

/** T1's rows in one statement: trace_info, its two tags and the spans (unnest of arrays). */
const PG_TRACE = `
WITH t AS (
  INSERT INTO trace_info(request_id, experiment_id, timestamp_ms, execution_time_ms, status, request_preview,
                         response_preview, db_payload_generation, input_tokens, output_tokens, total_tokens)
  VALUES ($1, $2, $3, $4, 'OK', $5, $6, 1, $7, $8, $9)),
g AS (INSERT INTO trace_tags(request_id, key, value)
      VALUES ($1, 'mlflow.artifactLocation', $10), ($1, 'mlflow.trace.spansLocation', 'TRACKING_STORE'))
INSERT INTO spans(trace_id, experiment_id, span_id, parent_span_id, name, type, status,
                  start_time_unix_nano, end_time_unix_nano, content)
SELECT $1, $2, s.span_id, s.parent_span_id, s.name, s.type, 'OK', s.start_ns, s.end_ns, s.content
  FROM unnest($11::text[], $12::text[], $13::text[], $14::text[], $15::int8[], $16::int8[], $17::text[])
    AS s(span_id, parent_span_id, name, type, start_ns, end_ns, content)`;

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/** One span of bench/lib/scenarios.ts's otlpTrace as its stored row (content as MLflow writes it). */
function spanRow(traceHex: string, requestId: string, n: number, t0Ns: bigint) {
  const id = (n + 1).toString(16).padStart(16, '0');
  const parent = n > 0 ? '0000000000000001' : null;
  const start = t0Ns + BigInt(n) * 1000n;
  const end = start + 900n;
  const attributes: Record<string, string> = {
    'mlflow.spanType': n === 0 ? '"AGENT"' : '"LLM"',
    'mlflow.spanInputs': `{"question": "q${n}", "k": ${n}}`,
    'mlflow.spanOutputs': `"answer ${n}"`,
  };
  if (n > 0)
    attributes['mlflow.chat.tokenUsage'] = '{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}';
  attributes['mlflow.traceRequestId'] = JSON.stringify(requestId);
  const name = n === 0 ? 'agent' : `call-${n}`;
  // Python's json.dumps spacing, as the stored content has it
  const content =
    `{"trace_id": "${b64(traceHex)}", "span_id": "${b64(id)}", "parent_span_id": ${parent ? `"${b64(parent)}"` : 'null'}, ` +
    `"name": "${name}", "kind": "SPAN_KIND_INTERNAL", "start_time_unix_nano": ${start}, "end_time_unix_nano": ${end}, ` +
    `"events": [], "status": {"code": "STATUS_CODE_OK", "message": ""}, "attributes": {` +
    Object.entries(attributes)
      .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      .join(', ') +
    `}, "links": []}`;
  return {
    id,
    parent,
    name,
    type: n === 0 ? 'AGENT' : 'LLM',
    start: String(start),
    end: String(end),
    content,
  };
}

/** The parameters of PG_TRACE for spans [from, to) of a trace (the totals of its 99 leaves). */
function traceParams(
  traceHex: string,
  exp: string,
  artifactRoot: string,
  from: number,
  to: number,
  t0Ns: bigint,
) {
  const requestId = `tr-${traceHex}`;
  const spans = Array.from({ length: to - from }, (_, k) => spanRow(traceHex, requestId, from + k, t0Ns));
  const leaves = spans.filter((s) => s.parent !== null).length;
  const startMs = Number((t0Ns + BigInt(from) * 1000n) / 1_000_000n);
  const endMs = Number((t0Ns + BigInt(to - 1) * 1000n + 900n) / 1_000_000n);
  return [
    requestId,
    exp,
    startMs,
    endMs - startMs,
    '{"question": "q0", "k": 0}',
    '"answer 0"',
    10 * leaves,
    5 * leaves,
    15 * leaves,
    `${artifactRoot}/${exp}/traces/${requestId}/artifacts`,
    spans.map((s) => s.id),
    spans.map((s) => s.parent),
    spans.map((s) => s.name),
    spans.map((s) => s.type),
    spans.map((s) => s.start),
    spans.map((s) => s.end),
    spans.map((s) => s.content),
  ];
}

async function newExperiment(c: pg.Client | pg.Pool, name: string): Promise<string> {
  const r = await c.query<{ experiment_id: string }>(
    `INSERT INTO experiments(name, artifact_location, lifecycle_stage, creation_time, last_update_time)
     VALUES ($1, '/tmp/a', 'active', 0, 0) RETURNING experiment_id`,
    [name],
  );
  return String(r.rows[0]!.experiment_id);
}

type Drive = <C>(
  sc: Scenario,
  quick: boolean,
  dbPid: number,
  conns: C[],
  step: (c: C, i: number) => Promise<void>,
) => Promise<Partial<Row>>;

/** T1's floor in database `db` (created from the MLflow-schema template by the caller). */
export async function pgTraceIngestFloor(
  o: { admin: PgAdmin; quick: boolean; postmasterPid: number },
  db: string,
  sc: Scenario,
  row: Row,
  drive: Drive,
): Promise<void> {
  const conns = await o.admin.connectAll(db, sc.concurrency);
  try {
    const exp = await newExperiment(conns[0]!, 'floor_otlp');
    const tag = Math.floor(Math.random() * 0xffffff)
      .toString(16)
      .padStart(8, '0');
    const hexOf = (i: number) =>
      (tag + Date.now().toString(16).padStart(12, '0') + i.toString(16).padStart(12, '0')).slice(0, 32);
    const done: string[] = [];
    const cpu0 = process.cpuUsage();
    Object.assign(
      row,
      await drive(sc, o.quick, o.postmasterPid, conns, async (c, i) => {
        const hex = hexOf(i);
        const t0Ns = 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n;
        // a named statement: parsed and planned once per connection, as a careful client would
        await c.query({
          name: 'floor_trace',
          text: PG_TRACE,
          values: traceParams(hex, exp, '/tmp/a', 0, 100, t0Ns),
        });
        done.push(`tr-${hex}`);
      }),
    );
    const cpu = process.cpuUsage(cpu0);
    row.cpuMsPerReq = (cpu.user + cpu.system) / 1000 / Math.max(1, row.requests ?? 0);
    // verified: every written trace has its 100 spans and the token totals of its 99 leaves
    const bad = (
      await conns[0]!.query<{ request_id: string; n: string; total_tokens: string }>(
        `SELECT t.request_id, t.total_tokens, (SELECT count(*) FROM spans s WHERE s.trace_id = t.request_id) AS n
           FROM trace_info t WHERE t.experiment_id = $1`,
        [exp],
      )
    ).rows.filter((r) => Number(r.n) !== 100 || Number(r.total_tokens) !== 1485);
    const stored = Number(
      (await conns[0]!.query('SELECT count(*) AS n FROM trace_info WHERE experiment_id = $1', [exp])).rows[0]
        .n,
    );
    const problems: string[] = [];
    if (stored !== done.length) problems.push(`${stored} traces stored, ${done.length} written`);
    if (bad.length)
      problems.push(`${bad.length} traces without 100 spans / 1485 tokens, e.g. ${bad[0]!.request_id}`);
    if (problems.length) row.problems = problems;
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
}

/** An attribute's JSON value as OpenTelemetry's AnyValue (the proto JSON of getTrace's spans). */
function anyValue(v: unknown): unknown {
  if (typeof v === 'string') return { string_value: v };
  if (typeof v === 'boolean') return { bool_value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { int_value: v } : { double_value: v };
  if (Array.isArray(v)) return { array_value: { values: v.map(anyValue) } };
  if (v && typeof v === 'object')
    return { kvlist_value: { values: Object.entries(v).map(([key, x]) => ({ key, value: anyValue(x) })) } };
  return {};
}

interface StoredSpan {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string;
  status: { code: string };
  attributes: Record<string, string>;
}

/** Writes T2's 1,000-span trace into the read data set (10 statements of 100 spans, as 10 batches). */
export async function seedTraceForFloor(pool: pg.Pool): Promise<string> {
  const exp = await newExperiment(pool, `floor_trace_read_${Date.now()}`);
  const hex = `00000abc${Date.now().toString(16).padStart(12, '0')}000000000001`.slice(0, 32);
  const t0Ns = 1_700_000_000_000_000_000n;
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const p = traceParams(hex, exp, '/tmp/a', 0, 1000, t0Ns);
    // 1000 - 1 leaves of 10/5/15 tokens, as mlflow-ts sums the ten batches
    await c.query(PG_TRACE, p);
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK');
    throw e;
  } finally {
    c.release();
  }
  return `tr-${hex}`;
}

/** getTrace's answer for `id`: one query for the span contents, one for the info with its tags and metadata. */
export async function traceAnswer(c: pg.Pool, id: string): Promise<string> {
  const [info, spans] = await Promise.all([
    c.query(
      `SELECT t.*, (SELECT json_object_agg(key, value) FROM trace_tags WHERE request_id = t.request_id) AS tags,
              (SELECT json_object_agg(key, value) FROM trace_request_metadata WHERE request_id = t.request_id) AS meta
         FROM trace_info t WHERE t.request_id = $1`,
      [id],
    ),
    // the nanoseconds as text: past 2^53, and int64 is a string in proto JSON
    c.query<{ content: string; start: string; end: string }>(
      `SELECT content, start_time_unix_nano::text AS start, end_time_unix_nano::text AS end
         FROM spans WHERE trace_id = $1 ORDER BY start_time_unix_nano`,
      [id],
    ),
  ]);
  const t = info.rows[0] as Record<string, unknown> | undefined;
  if (!t) throw new Error(`no trace ${id}`);
  if (spans.rows.length !== 1000) throw new Error(`trace ${id}: ${spans.rows.length} spans`);
  return JSON.stringify({
    trace: {
      trace_info: {
        trace_id: t.request_id,
        trace_location: {
          type: 'MLFLOW_EXPERIMENT',
          mlflow_experiment: { experiment_id: String(t.experiment_id) },
        },
        request_time: new Date(Number(t.timestamp_ms)).toISOString(),
        execution_duration: `${Number(t.execution_time_ms) / 1000}s`,
        state: t.status,
        trace_metadata: {
          ...(t.meta as Record<string, string> | null),
          'mlflow.trace.tokenUsage': JSON.stringify({
            input_tokens: Number(t.input_tokens),
            output_tokens: Number(t.output_tokens),
            total_tokens: Number(t.total_tokens),
          }),
        },
        tags: t.tags,
        request_preview: t.request_preview,
        response_preview: t.response_preview,
      },
      spans: spans.rows.map((r) => {
        const s = JSON.parse(r.content) as StoredSpan;
        return {
          trace_id: s.trace_id,
          span_id: s.span_id,
          ...(s.parent_span_id ? { parent_span_id: s.parent_span_id } : {}),
          name: s.name,
          kind: s.kind,
          start_time_unix_nano: r.start,
          end_time_unix_nano: r.end,
          attributes: Object.entries(s.attributes).map(([key, v]) => ({
            key,
            value: anyValue(JSON.parse(v)),
          })),
          status: { code: s.status.code },
        };
      }),
    },
  });
}
