"""queryTraceMetrics (`POST /api/3.0/mlflow/traces/metrics`, the traces page charts) against
standalone mlflow-ts: every request here must be served natively (a handed-over request would
answer 501 and differ). Traces come from OTLP span batches (span types, statuses, model, cost,
token usage) and from start_trace (token usage, sessions, an ERROR state), over several minutes and
two experiments; assessments add numeric, boolean and string feedback.
"""

import hashlib

import pytest

from conftest import DIALECTS, open_pair
from test_http_otlp import NS0, json_span, kv, otlp_id, otlp_json
from test_http_runs import T0, new_exp, new_run
from test_http_traces import TRACES, V3, iso

METRICS = f"{TRACES}/metrics"
MINUTE_NS = 60_000_000_000


@pytest.fixture(scope="module", params=DIALECTS)
def server_pair(request, tmp_path_factory):
    yield from open_pair(request.param, tmp_path_factory, "parity-trace-metrics")


def query(s, label, eids, view, metric, aggs, **kw):
    body = {"experiment_ids": eids, "view_type": view, "metric_name": metric,
            "aggregations": [{"aggregation_type": a} for a in aggs], **kw}
    s.post(METRICS, body, prefix=V3, label=label)
    s.post(METRICS, body, prefix="/ajax-api/3.0", label=label + " (ajax)", record=False)


def assess(s, tid, label, name, **value):
    aid = "a-" + hashlib.md5(s.name(label).encode()).hexdigest()
    body = {"assessment": {"trace_id": tid, "assessment_id": aid, "assessment_name": name,
                           "source": {"source_type": "HUMAN", "source_id": "ann"},
                           "create_time": iso(T0 + 7), "last_update_time": iso(T0 + 9), **value}}
    s.post(f"{TRACES}/{tid}/assessments", body, prefix=V3, record=False)


def llm_trace(s, eid, label, minute, name, *, model, provider, cost, tokens, status=1, latency_ms=9):
    """One OTLP trace: an agent root span and an LLM child with model, cost and usage."""
    trace_hex = otlp_id(s, label, 16)
    root, llm = otlp_id(s, label + "root", 8), otlp_id(s, label + "llm", 8)
    start = NS0 + minute * MINUTE_NS
    usage = '{"input_tokens": %d, "output_tokens": %d, "total_tokens": %d}' % (tokens, tokens + 1, 2 * tokens + 1)
    child = json_span(trace_hex, llm, "chat", start + 1_000_000, start + 4_500_000, parent=root,
                      attributes=[kv("mlflow.spanType", stringValue='"CHAT_MODEL"'),
                                  kv("mlflow.chat.tokenUsage", stringValue=usage),
                                  kv("mlflow.llm.model", stringValue='"%s"' % model),
                                  kv("mlflow.llm.provider", stringValue='"%s"' % provider),
                                  kv("mlflow.llm.cost", stringValue=cost)],
                      status={"code": status})
    top = json_span(trace_hex, root, name, start, start + latency_ms * 1_000_000,
                    attributes=[kv("mlflow.spanType", stringValue='"AGENT"'),
                                kv("mlflow.traceTag.mlflow.traceName", stringValue='"%s"' % name)],
                    status={"code": status})
    otlp_json(s, eid, [child, top], record=False)
    return "tr-" + trace_hex


def new_trace_v3(s, eid, label, meta, *, state="OK", tags=None):
    info = {"trace_id": "tr-" + otlp_id(s, label, 16),
            "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": eid}},
            "request_time": iso(T0 + 30_000), "execution_duration": "0.250s", "state": state,
            "trace_metadata": meta, "tags": tags or {}}
    s.post(TRACES, {"trace": {"trace_info": info}}, prefix=V3, record=False)


def seed(s):
    e1, e2 = new_exp(s, "a"), new_exp(s, "b")
    t1 = llm_trace(s, e1, "t1", 0, "agent", model="gpt-4o", provider="openai",
                   cost='{"input_cost": 0.5, "output_cost": 0.25, "total_cost": 0.75}', tokens=10)
    t2 = llm_trace(s, e1, "t2", 0, "agent", model="gpt-4o", provider="openai",
                   cost='{"input_cost": 1.5, "output_cost": 0.5, "total_cost": 2.0}', tokens=3, latency_ms=17)
    t3 = llm_trace(s, e1, "t3", 2, "Retriever", model="claude", provider="anthropic",
                   cost='{"input_cost": 0.125, "output_cost": 2, "total_cost": 2.125}', tokens=7, status=2)
    t4 = llm_trace(s, e2, "t4", 5, "agent", model="gpt-4o", provider="openai",
                   cost='{"input_cost": 3, "output_cost": 1, "total_cost": 4}', tokens=1)
    # start_trace: token usage and session metadata, an ERROR state, no spans.
    for i, (state, session, tokens) in enumerate([("ERROR", "s-1", 5), ("OK", "s-1", 2), ("OK", "s-2", None)]):
        meta = {"mlflow.trace.session": session}
        if tokens is not None:
            meta["mlflow.trace.tokenUsage"] = (
                '{"input_tokens": %d, "output_tokens": 1, "total_tokens": %d}' % (tokens, tokens + 1))
        info = {"trace_id": "tr-" + otlp_id(s, f"v3-{i}", 16),
                "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": e1}},
                "request_time": iso(T0 + 60_000 * (i + 1) + 5), "execution_duration": f"0.{i + 1}00s",
                "state": state, "trace_metadata": meta, "tags": {"mlflow.traceName": "manual"}}
        s.post(TRACES, {"trace": {"trace_info": info}}, prefix=V3, record=False)
    assess(s, t1, "q1", "quality", feedback={"value": 0.75})
    assess(s, t2, "q2", "quality", feedback={"value": 3})
    assess(s, t3, "q3", "quality", feedback={"value": 0.1})
    assess(s, t1, "ok1", "ok", feedback={"value": True})
    assess(s, t2, "ok2", "ok", feedback={"value": False})
    assess(s, t3, "tone", "tone", feedback={"value": "friendly"})
    assess(s, t3, "exp", "expected", expectation={"value": "Paris"})
    assess(s, t4, "q4", "quality", feedback={"value": 5})
    return e1, e2


START, END = T0 - 1, T0 + 10 * 60_000


@pytest.mark.rpc("MlflowService.queryTraceMetrics", case="ok")
def test_trace_view_metrics(parity):
    def sc(s):
        e1, e2 = seed(s)
        query(s, "trace count", [e1], "TRACES", "trace_count", ["COUNT"])
        query(s, "trace count, two experiments", [e1, e2], "TRACES", "trace_count", ["COUNT"])
        query(s, "trace count, no such experiment", ["987654"], "TRACES", "trace_count", ["COUNT"])
        query(s, "by name and status", [e1, e2], "TRACES", "trace_count", ["COUNT"],
              dimensions=["trace_name", "trace_status"])
        query(s, "per minute", [e1, e2], "TRACES", "trace_count", ["COUNT"], time_interval_seconds=60,
              start_time_ms=START, end_time_ms=END)
        query(s, "per hour by status", [e1], "TRACES", "trace_count", ["COUNT"], time_interval_seconds=3600,
              start_time_ms=START, end_time_ms=END, dimensions=["trace_status"])
        query(s, "a narrow range", [e1], "TRACES", "trace_count", ["COUNT"], start_time_ms=T0 + 60_000,
              end_time_ms=T0 + 120_005)
        query(s, "latency", [e1, e2], "TRACES", "latency", ["AVG", "MIN", "MAX"])
        query(s, "latency by name", [e1, e2], "TRACES", "latency", ["MAX", "AVG", "MIN"], dimensions=["trace_name"])
        query(s, "input tokens", [e1, e2], "TRACES", "input_tokens", ["SUM", "AVG", "MIN", "MAX"])
        query(s, "total tokens per minute by name", [e1], "TRACES", "total_tokens", ["SUM", "AVG"],
              dimensions=["trace_name"], time_interval_seconds=60, start_time_ms=START, end_time_ms=END)
        query(s, "output tokens, a duplicate aggregation", [e1], "TRACES", "output_tokens", ["MAX", "MAX", "SUM"])
        query(s, "cache tokens (all null)", [e1], "TRACES", "cache_read_input_tokens", ["SUM", "MAX"])
        query(s, "sessions", [e1, e2], "TRACES", "session_count", ["COUNT"])
        query(s, "max_results 2, a page token", [e1, e2], "TRACES", "trace_count", ["COUNT"],
              dimensions=["trace_name"], max_results=2, page_token="ignored")
        query(s, "max_results 0", [e1], "TRACES", "trace_count", ["COUNT"], dimensions=["trace_name"],
              max_results=0)
        query(s, "no aggregations", [e1], "TRACES", "latency", [])

    parity.check(sc)


@pytest.mark.rpc("MlflowService.queryTraceMetrics", case="ok")
def test_span_and_assessment_metrics(parity):
    def sc(s):
        e1, e2 = seed(s)
        query(s, "span count", [e1, e2], "SPANS", "span_count", ["COUNT"])
        query(s, "spans by type and status", [e1, e2], "SPANS", "span_count", ["COUNT"],
              dimensions=["span_type", "span_status"])
        query(s, "spans by name per minute", [e1, e2], "SPANS", "span_count", ["COUNT"], dimensions=["span_name"],
              time_interval_seconds=60, start_time_ms=START, end_time_ms=END)
        query(s, "spans by model and provider", [e1, e2], "SPANS", "span_count", ["COUNT"],
              dimensions=["span_model_name", "span_model_provider"])
        query(s, "span latency by name", [e1, e2], "SPANS", "latency", ["AVG", "MIN", "MAX"],
              dimensions=["span_name"])
        query(s, "span latency in a range", [e1], "SPANS", "latency", ["MAX"], start_time_ms=T0,
              end_time_ms=T0 + 60_000)
        query(s, "cost extremes by model", [e1, e2], "SPANS", "total_cost", ["MIN", "MAX"],
              dimensions=["span_model_name"])
        query(s, "input cost per minute", [e1, e2], "SPANS", "input_cost", ["MAX"], time_interval_seconds=60,
              start_time_ms=START, end_time_ms=END)
        query(s, "output cost in a span-time range", [e1], "SPANS", "output_cost", ["MIN"],
              start_time_ms=T0 + 2 * 60_000, end_time_ms=END)
        query(s, "assessment count", [e1, e2], "ASSESSMENTS", "assessment_count", ["COUNT"])
        query(s, "assessments by name and value", [e1, e2], "ASSESSMENTS", "assessment_count", ["COUNT"],
              dimensions=["assessment_name", "assessment_value"])
        query(s, "assessments per minute", [e1], "ASSESSMENTS", "assessment_count", ["COUNT"],
              time_interval_seconds=60, start_time_ms=START, end_time_ms=END)
        query(s, "assessment value extremes by name", [e1, e2], "ASSESSMENTS", "assessment_value", ["MIN", "MAX"],
              dimensions=["assessment_name"])

    parity.check(sc)


@pytest.mark.rpc("MlflowService.queryTraceMetrics", case="ok")
def test_dialect_native_aggregations(parity):
    """SUM / AVG of REAL columns (handed over on SQLite, whose float sums differ by library
    version) and PERCENTILE (PostgreSQL's PERCENTILE_CONT, SQLite's registered aggregate, MySQL's
    PERCENT_RANK interpolation)."""

    def sc(s):
        e1, e2 = seed(s)
        dialect = s.server.db.dialect
        both = [e1, e2]
        if dialect != "sqlite":
            query(s, "cost sums by model", both, "SPANS", "total_cost", ["SUM", "AVG", "MAX"],
                  dimensions=["span_model_name"])
            query(s, "input cost per minute", both, "SPANS", "input_cost", ["AVG"], time_interval_seconds=60,
                  start_time_ms=START, end_time_ms=END)
            query(s, "assessment value average by name", both, "ASSESSMENTS", "assessment_value", ["AVG"],
                  dimensions=["assessment_name"])
        pct = lambda *ps: [{"aggregation_type": "PERCENTILE", "percentile_value": p} for p in ps]
        for view, metric, dims in (("TRACES", "latency", []), ("TRACES", "input_tokens", ["trace_name"]),
                                   ("SPANS", "latency", ["span_name"]), ("SPANS", "total_cost", []),
                                   ("ASSESSMENTS", "assessment_value", ["assessment_name"])):
            s.post(METRICS, {"experiment_ids": both, "view_type": view, "metric_name": metric,
                             "aggregations": [*pct(50, 99.9, 0, 100, 50.0), {"aggregation_type": "MAX"}],
                             "dimensions": dims}, prefix=V3, label=f"percentiles of {view} {metric}")
        s.post(METRICS, {"experiment_ids": both, "view_type": "TRACES", "metric_name": "latency",
                         "aggregations": pct(25), "time_interval_seconds": 60, "start_time_ms": START,
                         "end_time_ms": END}, prefix=V3, label="p25 per minute")
        s.post(METRICS, {"experiment_ids": both, "view_type": "TRACES", "metric_name": "latency",
                         "aggregations": [*pct(0.001, 12.5), *({"aggregation_type": t} for t in
                                                              ("AVG", "MIN"))],
                         "dimensions": ["trace_name"]}, prefix=V3, label="tiny percentiles beside the others")
        s.post(METRICS, {"experiment_ids": [e1], "view_type": "TRACES", "metric_name": "latency",
                         "aggregations": pct(50), "filters": ["trace.status = 'NOPE'"]}, prefix=V3,
               label="a percentile of no rows")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.queryTraceMetrics", case="ok")
def test_trace_metrics_filters(parity):
    def sc(s):
        e1, e2 = seed(s)
        both = [e1, e2]
        query(s, "trace status", both, "TRACES", "trace_count", ["COUNT"], filters=["trace.status = 'ERROR'"])
        query(s, "trace name tag, double quotes", both, "TRACES", "latency", ["MAX"],
              filters=['trace.tag.mlflow.traceName = "agent"'], dimensions=["trace_name"])
        query(s, "session metadata and status", both, "TRACES", "trace_count", ["COUNT"],
              filters=["trace.metadata.mlflow.trace.session = 's-1'", "trace.status = 'OK'"])
        query(s, "a plain metadata key, backticks", both, "TRACES", "trace_count", ["COUNT"],
              filters=["trace.metadata.`mlflow.trace.session` = 's-2'", "trace.tag.`none` = 'x'"])
        query(s, "span name and trace status", both, "SPANS", "span_count", ["COUNT"],
              filters=["span.name = 'chat'", "trace.status = 'OK'"], dimensions=["span_status"])
        query(s, "span type, cost", both, "SPANS", "total_cost", ["MAX", "MIN"],
              filters=["span.type = 'CHAT_MODEL'"], dimensions=["span_model_provider"])
        query(s, "span status, cost with a trace filter", both, "SPANS", "input_cost", ["MIN"],
              filters=["span.status = 'ERROR'", "trace.tag.mlflow.traceName = 'Retriever'"])
        query(s, "assessment name", both, "ASSESSMENTS", "assessment_value", ["MIN", "MAX"],
              filters=["assessment.name = 'quality'"])
        query(s, "assessment type and trace name", both, "ASSESSMENTS", "assessment_count", ["COUNT"],
              filters=["assessment.type = 'feedback'", "trace.tag.mlflow.traceName = 'agent'"],
              dimensions=["assessment_name"])
        rid = new_run(s, e1)
        s.post(f"{TRACES}/link-to-run", {"trace_ids": ["tr-" + otlp_id(s, "t2", 16)], "run_id": rid},
               record=False)
        new_trace_v3(s, e1, "src-run", {"mlflow.sourceRun": rid, "env": "prod"})
        query(s, "source run: a link or the metadata", both, "SPANS", "span_count", ["COUNT"],
              filters=[f"trace.metadata.mlflow.sourceRun = '{rid}'"])
        query(s, "source run on assessments", both, "ASSESSMENTS", "assessment_count", ["COUNT"],
              filters=[f"trace.metadata.mlflow.sourceRun = '{rid}'"])
        query(s, "a plain metadata value", both, "TRACES", "trace_count", ["COUNT"],
              filters=["trace.metadata.env = 'prod'"])
        query(s, "assessments by trace status and session", both, "ASSESSMENTS", "assessment_count", ["COUNT"],
              filters=["trace.status = 'OK'", "trace.metadata.mlflow.trace.session = 'none'"])
        # Reserved metadata kept in trace_info columns: only the canonical JSON of the columns matches.
        usage = '{"input_tokens": 5, "output_tokens": 1, "total_tokens": 6}'
        for label, value in (("canonical token usage", usage),
                             ("token usage in another key order", '{"total_tokens": 6, "input_tokens": 5, "output_tokens": 1}'),
                             ("token usage with an unknown key", '{"input_tokens": 5, "x": 1}'),
                             ("token usage not JSON", "5 tokens")):
            query(s, label, both, "TRACES", "trace_count", ["COUNT"],
                  filters=[f"trace.metadata.mlflow.trace.tokenUsage = '{value}'"], dimensions=["trace_status"])
        query(s, "token usage on assessments", both, "ASSESSMENTS", "assessment_count", ["COUNT"],
              filters=[f"trace.metadata.mlflow.trace.tokenUsage = '{usage}'"])
        for value in ('{"input_cost": 0.5, "output_cost": 0.25, "total_cost": 0.75}',
                      '{"input_cost": 3.0, "output_cost": 1.0, "total_cost": 4.0}',
                      '{"input_cost": 3, "output_cost": 1, "total_cost": 4}'):
            query(s, f"cost {value}", both, "SPANS", "span_count", ["COUNT"],
                  filters=[f"trace.metadata.mlflow.trace.cost = '{value}'"])
            query(s, f"cost {value} (traces)", both, "TRACES", "trace_count", ["COUNT"],
                  filters=[f"trace.metadata.mlflow.trace.cost = '{value}'"])

    parity.check(sc)


@pytest.mark.rpc("MlflowService.queryTraceMetrics", case="error")
def test_trace_metrics_filter_errors(parity):
    def sc(s):
        e1 = new_exp(s, "a")
        for i, f in enumerate([
            "", "trace.status = 'OK' AND span.name = 'x'", "trace.status = 'OK'; span.name = 'x'",
            "status = 'OK'", "run.status = 'OK'", "`trace`.foo = 'x'", "trace.tag = 'x'", "trace.status.k = 'x'",
            "trace.status != 'OK'", "trace.status LIKE 'OK'", "trace.status = OK", "trace.status = 5",
            "trace.status IN ('OK')", "trace.status IS NULL", "'x' = trace.status", "trace.a.b.c = 'x'",
            "span.name = 'x'", "assessment.name = 'x'", "timestamp = 5", "span.name = `x`",
        ]):
            query(s, f"filter {i}: {f}", [e1], "TRACES", "trace_count", ["COUNT"], filters=[f])
        query(s, "an assessment filter on spans", [e1], "SPANS", "span_count", ["COUNT"],
              filters=["span.name = 'x'", "assessment.name = 'x'"])
        query(s, "a bad filter after a misplaced one", [e1], "SPANS", "span_count", ["COUNT"],
              filters=["assessment.name = 'x'", "bad"])
        query(s, "a span filter on assessments", [e1], "ASSESSMENTS", "assessment_count", ["COUNT"],
              filters=["span.type = 'LLM'"])

    parity.check(sc)


@pytest.mark.rpc("MlflowService.queryTraceMetrics", case="error")
def test_trace_metrics_errors(parity):
    def sc(s):
        e1 = new_exp(s, "a")
        query(s, "an unknown metric", [e1], "TRACES", "span_count", ["COUNT"])
        query(s, "an assessment metric on spans", [e1], "SPANS", "assessment_value", ["MIN"])
        query(s, "SUM of trace_count", [e1], "TRACES", "trace_count", ["SUM", "AVG", "COUNT"])
        query(s, "COUNT of latency", [e1], "SPANS", "latency", ["COUNT"])
        query(s, "an unsupported dimension", [e1], "TRACES", "latency", ["AVG"],
              dimensions=["trace_status", "span_name", "zzz"])
        query(s, "a bucket without bounds", [e1], "TRACES", "trace_count", ["COUNT"], time_interval_seconds=60,
              start_time_ms=1)
        query(s, "a bad experiment id", ["abc"], "TRACES", "trace_count", ["COUNT"])
        query(s, "an unknown view type", [e1], "EVENTS", "trace_count", ["COUNT"])
        query(s, "an unknown aggregation", [e1], "TRACES", "trace_count", ["MEDIAN"])
        s.post(METRICS, {"experiment_ids": [e1], "metric_name": "trace_count",
                         "aggregations": [{"aggregation_type": "COUNT"}]}, prefix=V3, label="no view type")
        s.post(METRICS, {"experiment_ids": [e1], "view_type": "TRACES",
                         "aggregations": [{"aggregation_type": "COUNT"}]}, prefix=V3, label="no metric name")
        s.post(METRICS, {"view_type": "TRACES", "metric_name": "trace_count",
                         "aggregations": [{"aggregation_type": "COUNT"}]}, prefix=V3, label="no experiment ids")
        s.post(METRICS, {"experiment_ids": [e1], "view_type": "TRACES", "metric_name": "trace_count"},
               prefix=V3, label="no aggregations")

    parity.check(sc)
