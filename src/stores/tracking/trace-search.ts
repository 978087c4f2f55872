/**
 * A page of trace infos (SqlAlchemyStore.search_traces): the experiments' traces matching every
 * predicate, ordered by the caller's keys then MLflow's tie-breakers (timestamp_ms descending,
 * request_id ascending, each unless already ordered by), one row past the page to tell whether a
 * next page exists. Nullable sort values come after every value in either direction, as MLflow's
 * `CASE WHEN v IS NULL THEN 1 ELSE 0 END` term does.
 *
 * Each predicate is the SQL MLflow's _get_filter_clauses_for_search_traces and
 * _apply_trace_filter_clauses write, as an EXISTS / IN over the same tables where MLflow joins a
 * subquery that yields at most one row per trace (tags and metadata by primary key) or a
 * DISTINCT set of trace ids (prompts, issues, assessments): the same rows, no duplicates.
 * Comparisons MLflow writes with `get_sql_comparison_func` go through compare() (case-exact on
 * every dialect); those it writes with a plain `==` stay plain (case-insensitive on MySQL).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { DialectSql } from '../dialects/dialect.js';
import { compare } from '../search/compare.js';
import type { CompareOp } from '../search/types.js';
import type { StoreContext } from './context.js';
import { buildTraceInfos, type TraceInfoEntity } from './trace-infos.js';

/** A comparison as the search service validated it: RLIKE besides the shared operators. */
export type TraceOp = CompareOp | 'RLIKE';
export type TraceValue = string | number | readonly string[];

/** trace_info columns a filter addresses directly. */
export type TraceColumn =
  | 'request_id'
  | 'timestamp_ms'
  | 'execution_time_ms'
  | 'status'
  | 'client_request_id'
  | 'trace_name'
  | 'session_id'
  | 'input_tokens'
  | 'output_tokens'
  | 'total_tokens'
  | 'cache_read_input_tokens'
  | 'cache_creation_input_tokens'
  | 'cache_creation_input_tokens_above_1hr'
  | 'input_cost'
  | 'output_cost'
  | 'total_cost';

/** The assessment rows a feedback / expectation clause matches (type, name, valid, value test). */
export interface AssessmentMatch {
  assessmentType: 'feedback' | 'expectation';
  name: string;
  value?:
    | { kind: 'numeric'; op: '<' | '<=' | '>' | '>='; value: number }
    /** `value = v OR value = json.dumps(v)` (negated for !=) */
    | { kind: 'json'; op: '=' | '!='; value: string; json: string }
    | { kind: 'text'; op: 'LIKE' | 'ILIKE' | 'RLIKE'; value: string };
}

export type TracePredicate =
  | { on: 'column'; column: TraceColumn; op: TraceOp; value: TraceValue }
  /** end_time = timestamp_ms + COALESCE(execution_time_ms, 0) */
  | { on: 'end_time'; op: CompareOp; value: number }
  | { on: 'column_null'; column: TraceColumn; isNull: boolean }
  /** Any / none of the columns set (reserved metadata IS [NOT] NULL). */
  | { on: 'any_column_set'; columns: readonly TraceColumn[]; negate: boolean }
  /** Reserved metadata equality: each column equal to its value, or NULL where not given. */
  | {
      on: 'columns_equal';
      columns: readonly { column: TraceColumn; value: number | null }[];
      /** `!=`: some column set and not all equal. `matchable` false: `=` never matches. */
      negate: boolean;
      matchable: boolean;
    }
  | { on: 'tag' | 'metadata'; key: string; op: TraceOp; value: TraceValue }
  | { on: 'tag' | 'metadata'; key: string; exists: boolean }
  /** The trace is linked to this prompt version (`name/version`). */
  | { on: 'prompt'; promptVersion: string }
  /** An issue assessment named so. */
  | { on: 'issue'; issueId: string }
  /** A matching assessment on the trace, or on a trace of the same session (session-scoped). */
  | { on: 'assessment'; match: AssessmentMatch; exists: boolean };

export interface SpanPredicate {
  column: 'name' | 'type' | 'status' | 'content';
  op: TraceOp;
  value: TraceValue;
}

export interface TraceSortKey {
  on: 'column' | 'end_time' | 'tag' | 'metadata';
  /** The trace_info column (on: 'column') or the tag / metadata key. */
  key: string;
  ascending: boolean;
  /** Whether NULL values sort last through a CASE term. */
  nullable: boolean;
}

export interface TraceSearchQuery {
  experimentIds: readonly number[];
  predicates: readonly TracePredicate[];
  /** Matched by one span of the trace (one EXISTS). */
  spanPredicates: readonly SpanPredicate[];
  /** Spans considered by spanPredicates start at or after this many ns (an integer literal). */
  spanStartLowerBoundNs?: string;
  /** run_id = ...: the source-run metadata, or a link to the run. */
  runId?: string;
  sort: readonly TraceSortKey[];
  offset: number;
  maxResults: number;
}

/** TraceMetadataKey.SOURCE_RUN, TraceMetadataKey.TRACE_SESSION */
const SOURCE_RUN = 'mlflow.sourceRun';
const SESSION_MARKER = '%"mlflow.trace.session":%';

function op(d: DialectSql, expr: RawBuilder<unknown>, o: TraceOp, v: TraceValue): RawBuilder<SqlBool> {
  if (o === 'RLIKE') return d.rlike(expr, sql.val(v as string));
  return compare(d, expr, o, v);
}

const ti = (c: string): RawBuilder<unknown> => sql.ref(`trace_info.${c}`);

function assessmentTests(d: DialectSql, m: AssessmentMatch, alias: string): RawBuilder<SqlBool>[] {
  const a = (c: string): RawBuilder<unknown> => sql.ref(`${alias}.${c}`);
  const out: RawBuilder<SqlBool>[] = [
    sql<SqlBool>`${a('assessment_type')} = ${m.assessmentType}`,
    sql<SqlBool>`${a('name')} = ${m.name}`,
    sql<SqlBool>`${a('valid')} = ${d.boolLiteral(true)}`,
  ];
  const v = m.value;
  if (v?.kind === 'numeric') {
    out.push(sql<SqlBool>`${a('is_numeric_value')} = ${d.boolLiteral(true)}`);
    out.push(compare(d, a('aggregate_value'), v.op, v.value));
  } else if (v?.kind === 'json') {
    const either = sql<SqlBool>`(${d.stringCompare(a('value'), '=', sql.val(v.value))} OR ${d.stringCompare(a('value'), '=', sql.val(v.json))})`;
    out.push(v.op === '=' ? either : sql<SqlBool>`NOT ${either}`);
  } else if (v?.kind === 'text') {
    out.push(op(d, a('value'), v.op, v.value));
  }
  return out;
}

/**
 * _get_session_scoped_trace_ids: the traces (of the searched experiments) sharing a session with
 * a trace that carries a matching session-scoped assessment.
 */
function sessionCovered(d: DialectSql, ids: readonly number[], m: AssessmentMatch): RawBuilder<unknown> {
  const tests = assessmentTests(d, m, 'sa');
  return sql`SELECT st.request_id FROM trace_info st WHERE st.experiment_id IN (${sql.join(ids)}) AND st.session_id IN (
    SELECT si.session_id FROM trace_info si JOIN assessments sa ON sa.trace_id = si.request_id
    WHERE si.experiment_id IN (${sql.join(ids)}) AND si.session_id IS NOT NULL AND ${sql.join(tests, sql` AND `)}
      AND sa.assessment_metadata IS NOT NULL AND sa.assessment_metadata LIKE ${SESSION_MARKER})`;
}

function predicateSql(d: DialectSql, ids: readonly number[], p: TracePredicate): RawBuilder<SqlBool> {
  switch (p.on) {
    case 'column':
      return op(d, ti(p.column), p.op, p.value);
    case 'end_time':
      return compare(
        d,
        sql`(trace_info.timestamp_ms + COALESCE(trace_info.execution_time_ms, 0))`,
        p.op,
        p.value,
      );
    case 'column_null':
      return p.isNull ? sql<SqlBool>`(${ti(p.column)} IS NULL)` : sql<SqlBool>`(${ti(p.column)} IS NOT NULL)`;
    case 'any_column_set': {
      const any = sql<SqlBool>`(${sql.join(
        p.columns.map((c) => sql`${ti(c)} IS NOT NULL`),
        sql` OR `,
      )})`;
      return p.negate ? sql<SqlBool>`NOT ${any}` : any;
    }
    case 'columns_equal': {
      const any = sql<SqlBool>`(${sql.join(
        p.columns.map((c) => sql`${ti(c.column)} IS NOT NULL`),
        sql` OR `,
      )})`;
      const all = p.matchable
        ? sql<SqlBool>`(${sql.join(
            p.columns.map((c) =>
              c.value === null
                ? sql`${ti(c.column)} IS NULL`
                : sql`(${ti(c.column)} IS NOT NULL AND ${ti(c.column)} = ${d.numberParam(c.value)})`,
            ),
            sql` AND `,
          )})`
        : sql<SqlBool>`(1 = 0)`;
      return p.negate ? sql<SqlBool>`(${any} AND NOT ${all})` : all;
    }
    case 'tag':
    case 'metadata': {
      const table = p.on === 'tag' ? 'trace_tags' : 'trace_request_metadata';
      if ('exists' in p) {
        const e = sql`EXISTS (SELECT 1 FROM ${sql.table(table)} x WHERE x.request_id = trace_info.request_id AND x.key = ${p.key})`;
        return p.exists ? sql<SqlBool>`${e}` : sql<SqlBool>`NOT ${e}`;
      }
      const keyTest = compare(d, sql.ref('x.key'), '=', p.key);
      return sql<SqlBool>`EXISTS (SELECT 1 FROM ${sql.table(table)} x WHERE x.request_id = trace_info.request_id AND ${keyTest} AND ${op(d, sql.ref('x.value'), p.op, p.value)})`;
    }
    case 'prompt':
      return sql<SqlBool>`trace_info.request_id IN (SELECT ea.source_id FROM entity_associations ea WHERE ea.source_type = 'trace' AND ea.destination_type = 'prompt_version' AND ea.destination_id = ${p.promptVersion})`;
    case 'issue':
      return sql<SqlBool>`trace_info.request_id IN (SELECT ia.trace_id FROM assessments ia WHERE ia.assessment_type = 'issue' AND ia.name = ${p.issueId})`;
    case 'assessment': {
      const direct = sql`SELECT da.trace_id FROM assessments da WHERE ${sql.join(assessmentTests(d, p.match, 'da'), sql` AND `)}`;
      const covered = sessionCovered(d, ids, p.match);
      if (p.exists) {
        return sql<SqlBool>`(trace_info.request_id IN (${direct}) OR trace_info.request_id IN (${covered}))`;
      }
      // MLflow: NOT EXISTS(a matching assessment on this trace) AND request_id NOT IN (covered)
      const own = sql`SELECT 1 FROM assessments oa WHERE oa.trace_id = trace_info.request_id AND ${sql.join(assessmentTests(d, p.match, 'oa'), sql` AND `)}`;
      return sql<SqlBool>`(NOT EXISTS (${own}) AND trace_info.request_id NOT IN (${covered}))`;
    }
  }
}

function sortValue(k: TraceSortKey): RawBuilder<unknown> {
  switch (k.on) {
    case 'column':
      return ti(k.key);
    case 'end_time':
      return sql`(trace_info.timestamp_ms + COALESCE(trace_info.execution_time_ms, 0))`;
    case 'tag':
      return sql`(SELECT ot.value FROM trace_tags ot WHERE ot.request_id = trace_info.request_id AND ot.key = ${k.key})`;
    case 'metadata':
      return sql`(SELECT om.value FROM trace_request_metadata om WHERE om.request_id = trace_info.request_id AND om.key = ${k.key})`;
  }
}

export interface TraceSearchPage {
  infos: TraceInfoEntity[];
  hasMore: boolean;
}

/** A trace filter's predicates, the span clauses and the run filter of a search. */
export type TraceFilter = Pick<
  TraceSearchQuery,
  'predicates' | 'spanPredicates' | 'spanStartLowerBoundNs' | 'runId'
>;

/**
 * The conditions on `trace_info` rows of one filter (_apply_trace_filter_clauses), every one a
 * boolean expression over the row: AND them into a WHERE, or test them in a CASE.
 */
function filterSql(d: DialectSql, ids: readonly number[], q: TraceFilter): RawBuilder<SqlBool>[] {
  const where: RawBuilder<SqlBool>[] = q.predicates.map((p) => predicateSql(d, ids, p));
  if (q.spanPredicates.length > 0) {
    const tests: RawBuilder<unknown>[] = [sql`s.experiment_id = trace_info.experiment_id`];
    if (q.spanStartLowerBoundNs !== undefined) {
      tests.push(sql`s.start_time_unix_nano >= ${sql.raw(q.spanStartLowerBoundNs)}`);
    }
    for (const s of q.spanPredicates) tests.push(op(d, sql.ref(`s.${s.column}`), s.op, s.value));
    where.push(
      sql<SqlBool>`EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = trace_info.request_id AND ${sql.join(tests, sql` AND `)})`,
    );
  }
  if (q.runId) {
    where.push(sql<SqlBool>`(EXISTS (SELECT 1 FROM entity_associations ra WHERE ra.source_id = trace_info.request_id AND ra.source_type = 'trace' AND ra.destination_type = 'run' AND ra.destination_id = ${q.runId})
      OR EXISTS (SELECT 1 FROM trace_request_metadata rm WHERE rm.request_id = trace_info.request_id AND rm.key = ${SOURCE_RUN} AND rm.value = ${q.runId}))`);
  }
  return where;
}

const all = (conds: readonly RawBuilder<SqlBool>[]): RawBuilder<SqlBool> =>
  conds.length === 0 ? sql<SqlBool>`(1 = 1)` : sql<SqlBool>`(${sql.join(conds, sql` AND `)})`;

export async function searchTraceInfos(ctx: StoreContext, q: TraceSearchQuery): Promise<TraceSearchPage> {
  if (q.experimentIds.length === 0) return { infos: [], hasMore: false };
  const d = ctx.dialect.sql;
  const where = filterSql(d, q.experimentIds, q);
  const terms: RawBuilder<unknown>[] = [];
  for (const k of q.sort) {
    const v = sortValue(k);
    if (k.nullable) terms.push(sql`CASE WHEN ${v} IS NULL THEN 1 ELSE 0 END`);
    terms.push(k.ascending ? v : sql`${v} DESC`);
  }
  const sorted = (key: string): boolean => q.sort.some((k) => k.on === 'column' && k.key === key);
  if (!sorted('timestamp_ms')) terms.push(sql`trace_info.timestamp_ms DESC`);
  if (!sorted('request_id')) terms.push(sql`trace_info.request_id`);
  where.push(sql<SqlBool>`trace_info.experiment_id IN (${sql.join(q.experimentIds)})`);
  const rows = await ctx.db
    .selectFrom('trace_info')
    .selectAll('trace_info')
    .where(sql<SqlBool>`${sql.join(where, sql` AND `)}`)
    .orderBy(sql.join(terms))
    .limit(q.maxResults + 1)
    .offset(q.offset)
    .execute();
  const hasMore = rows.length > q.maxResults;
  return { infos: await buildTraceInfos(ctx.db, rows.slice(0, q.maxResults)), hasMore };
}

export interface CorrelationCounts {
  total: number;
  filter1: number;
  filter2: number;
  joint: number;
}

/**
 * _get_trace_correlation_counts: among the experiments' traces (those matching `base` when
 * given), how many match each filter and both, in one pass over the rows.
 */
export async function countTraceCorrelation(
  ctx: StoreContext,
  experimentIds: readonly number[],
  filter1: TraceFilter,
  filter2: TraceFilter,
  base?: TraceFilter,
): Promise<CorrelationCounts> {
  if (experimentIds.length === 0) return { total: 0, filter1: 0, filter2: 0, joint: 0 };
  const d = ctx.dialect.sql;
  const f1 = all(filterSql(d, experimentIds, filter1));
  const f2 = all(filterSql(d, experimentIds, filter2));
  const where = [
    sql<SqlBool>`trace_info.experiment_id IN (${sql.join(experimentIds)})`,
    ...(base ? filterSql(d, experimentIds, base) : []),
  ];
  const row = await ctx.db
    .selectFrom('trace_info')
    .select([
      sql<number | string>`COUNT(*)`.as('total'),
      sql<number | string | null>`SUM(CASE WHEN ${f1} THEN 1 ELSE 0 END)`.as('filter1'),
      sql<number | string | null>`SUM(CASE WHEN ${f2} THEN 1 ELSE 0 END)`.as('filter2'),
      sql<number | string | null>`SUM(CASE WHEN ${f1} AND ${f2} THEN 1 ELSE 0 END)`.as('joint'),
    ])
    .where(all(where))
    .executeTakeFirstOrThrow();
  const n = (v: number | string | null): number => Number(v ?? 0);
  return { total: n(row.total), filter1: n(row.filter1), filter2: n(row.filter2), joint: n(row.joint) };
}

export const traceSearchOperations = { searchTraceInfos, countTraceCorrelation };
