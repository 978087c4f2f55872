"""Opt-in SQL trace rollups (MLFLOW_SQL_TRACE_ROLLUPS_ENABLED=true on both servers): the write paths
queue the same rebuild partitions (sql_trace_rollup_rebuild_queue, read straight from each server's
database) and queryTraceMetrics answers alike while no rollup rows are materialized.

Writes cover OTLP span batches (new traces, a span re-sent on another day, a trace whose start
moves), startTraceV3 (new traces, one merged into a trace its spans created, assessments sent along),
the v2 start and end, assessments created / updated / deleted, traces deleted by id and by
timestamp, a run deleted with an assessment naming it as source, and an experiment deleted. Days
within the last day are not queued (ROLLUP_ELIGIBILITY_LAG_MS): a trace started now adds nothing.
"""

import time

import pytest
import sqlalchemy as sa

from conftest import DIALECTS, Parity, open_pair
from test_http_otlp import NS0, json_span, kv, otlp_id, otlp_json
from test_http_runs import T0, new_exp, new_run
from test_http_traces import TRACES, V3, iso

DAY_MS = 86_400_000
DAY_NS = DAY_MS * 1_000_000
METRICS = f"{TRACES}/metrics"
ROLLUPS_ON = {"env": {"MLFLOW_SQL_TRACE_ROLLUPS_ENABLED": "true"}}


@pytest.fixture(scope="module", params=DIALECTS)
def server_pair(request, tmp_path_factory):
    yield from open_pair(request.param, tmp_path_factory, "parity-trace-rollups", extra_for_role=lambda role: ROLLUPS_ON)


def _engine_url(server) -> str:
    uri = server.db.uri
    if uri.startswith("postgresql://"):
        return "postgresql+psycopg2://" + uri[len("postgresql://"):]
    if uri.startswith("mysql://"):
        return "mysql+pymysql://" + uri[len("mysql://"):]
    return uri


def queue_rows(s, label):
    """The rebuild queue as this side's database holds it, in key order."""
    engine = sa.create_engine(_engine_url(s.server))
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT experiment_id, rollup_day, rollup_family FROM sql_trace_rollup_rebuild_queue "
                "ORDER BY experiment_id, rollup_day, rollup_family")).all()
    finally:
        engine.dispose()
    return s.observe(label, [[int(e), str(d)[:10], f] for e, d, f in rows])


def clear_queue(s):
    """Empties the queue (as a rebuild pass would), so the next write's own rows stand out."""
    engine = sa.create_engine(_engine_url(s.server))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM sql_trace_rollup_rebuild_queue"))
    finally:
        engine.dispose()


def span_trace(s, eid, label, start_ns, *, spans=2, record=False):
    trace_hex = otlp_id(s, label, 16)
    root = otlp_id(s, label + "root", 8)
    batch = [json_span(trace_hex, root, "root", start_ns, start_ns + 9_000_000,
                       attributes=[kv("mlflow.spanType", stringValue='"AGENT"')], status={"code": 1})]
    for i in range(1, spans):
        batch.append(json_span(trace_hex, otlp_id(s, f"{label}c{i}", 8), f"child{i}", start_ns + i * 1_000_000,
                               start_ns + 5_000_000, parent=root,
                               attributes=[kv("mlflow.llm.cost", stringValue='{"input_cost": 1, "output_cost": 2, "total_cost": 3}')]))
    otlp_json(s, eid, batch, record=record, label=label)
    return trace_hex, root


def start_v3(s, eid, label, request_ms, *, trace_id=None, assessments=(), record=True):
    info = {"trace_id": trace_id or "tr-" + otlp_id(s, label, 16),
            "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": eid}},
            "request_time": iso(request_ms), "execution_duration": "0.250s", "state": "OK",
            "trace_metadata": {}, "tags": {}, "assessments": list(assessments)}
    s.post(TRACES, {"trace": {"trace_info": info}}, prefix=V3, label=label, record=record)
    return info["trace_id"]


def feedback(s, tid, label, value, *, metadata=None):
    body = {"assessment": {"trace_id": tid, "assessment_name": "quality",
                           "source": {"source_type": "HUMAN", "source_id": "ann"},
                           "create_time": iso(T0 + 7), "last_update_time": iso(T0 + 9),
                           "feedback": {"value": value}, **({"metadata": metadata} if metadata else {})}}
    _, out = s.post(f"{TRACES}/{tid}/assessments", body, prefix=V3, label=label,
                    transform=lambda b: {"ok": "assessment" in b})
    return (out.get("assessment") or {}).get("assessment_id")


@pytest.mark.rpc("MlflowService.startTraceV3", "MlflowService.createAssessment", "MlflowService.updateAssessment",
                 "MlflowService.deleteAssessment", "MlflowService.deleteTracesV3", "MlflowService.deleteTraces",
                 "MlflowService.startTrace", "MlflowService.endTrace", case="ok")
def test_write_paths_queue_rebuilds(parity):
    def sc(s):
        e1, e2 = new_exp(s, "a"), new_exp(s, "b")
        assert queue_rows(s, "empty at first") == []

        # OTLP: a trace over two spans on day 0, one in another experiment on day 3.
        t1, root1 = span_trace(s, e1, "t1", NS0)
        span_trace(s, e2, "t2", NS0 + 3 * DAY_NS)
        after_spans = queue_rows(s, "after span batches")
        # Both experiments, all three families (the spans carry a cost).
        assert {(e, f) for e, _, f in after_spans} == {
            (int(x), f) for x in (e1, e2) for f in ("assessment", "span_cost", "trace_metric")}
        # The root span re-sent a day earlier: the trace's start moves, old and new days queued.
        otlp_json(s, e1, [json_span(t1, root1, "root", NS0 - DAY_NS, NS0 + 9_000_000)], record=False)
        queue_rows(s, "after a span moved a day back")

        # startTraceV3: a new trace on day 5 with an assessment; then a start merged into t1.
        t3 = start_v3(s, e1, "v3 new", T0 + 5 * DAY_MS, assessments=[{
            "assessment_id": "a-sent", "trace_id": "", "assessment_name": "q",
            "source": {"source_type": "HUMAN", "source_id": "x"}, "create_time": iso(T0),
            "last_update_time": iso(T0), "feedback": {"value": 1}}])
        start_v3(s, e1, "v3 merged", T0 + 7 * DAY_MS, trace_id="tr-" + t1)
        queue_rows(s, "after startTraceV3")

        # Assessments on t3 (day 5) and a trace started now (nothing queued for it).
        a1 = feedback(s, t3, "assess", 0.5)
        s.call("PATCH", f"{TRACES}/{t3}/assessments/{a1}", prefix=V3, label="update",
               json_body={"assessment": {"rationale": "why"}, "update_mask": "rationale"},
               transform=lambda b: {"ok": "assessment" in b})
        before = queue_rows(s, "after an assessment")
        fresh = start_v3(s, e2, "now", int(time.time() * 1000), record=False)
        feedback(s, fresh, "assess a fresh trace", 1)
        assert queue_rows(s, "after a trace of today") == before
        s.call("DELETE", f"{TRACES}/{t3}/assessments/{a1}", prefix=V3, label="delete assessment")

        # The v2 start / end on day 9.
        _, v2 = s.post(TRACES, {"experiment_id": e2, "timestamp_ms": T0 + 9 * DAY_MS, "request_metadata": [],
                                "tags": []}, label="v2 start", transform=lambda b: {"ok": "trace_info" in b})
        rid = (v2.get("trace_info") or {}).get("request_id")
        s.call("PATCH", f"{TRACES}/{rid}", json_body={"timestamp_ms": T0 + 9 * DAY_MS + 5, "status": "OK",
                                                       "request_metadata": [], "tags": []},
               label="v2 end", transform=lambda b: {"ok": "trace_info" in b})
        queue_rows(s, "after the v2 start and end")

        # Deletes: a trace by id (its spans and assessments with it), then by timestamp.
        clear_queue(s)
        s.post(f"{TRACES}/delete-traces", {"experiment_id": e1, "request_ids": [t3]}, prefix=V3, label="delete by id")
        # t3 (day 5): its trace metrics and its assessment ("a-sent"); it has no spans.
        assert queue_rows(s, "after a delete by id") == [
            [int(e1), "2020-09-18", "assessment"], [int(e1), "2020-09-18", "trace_metric"]]
        s.post(f"{TRACES}/delete-traces", {"experiment_id": e2, "max_timestamp_millis": T0 + 4 * DAY_MS,
                                           "max_traces": 10}, prefix=V3, label="delete by time")
        queue_rows(s, "after trace deletes")

        # A run deleted with an assessment naming it as source (day 11), then the experiment.
        t4 = start_v3(s, e1, "v3 for run", T0 + 11 * DAY_MS, record=False)
        rid = new_run(s, e1)
        feedback(s, t4, "run-sourced", 2, metadata={"mlflow.assessment.sourceRunId": rid})
        clear_queue(s)
        s.post("/mlflow/runs/delete", {"run_id": rid}, label="delete run")
        assert queue_rows(s, "after run delete") == [[int(e1), "2020-09-24", "assessment"]]
        t5 = start_v3(s, e1, "v3 for exp", T0 + 13 * DAY_MS, record=False)
        rid2 = new_run(s, e1)
        feedback(s, t5, "run-sourced 2", 2, metadata={"mlflow.assessment.sourceRunId": rid2})
        clear_queue(s)
        s.post("/mlflow/experiments/delete", {"experiment_id": e1}, label="delete experiment")
        assert queue_rows(s, "after experiment delete") == [[int(e1), "2020-09-26", "assessment"]]

    parity.check(sc)


@pytest.mark.rpc("MlflowService.queryTraceMetrics", case="ok")
def test_metrics_without_materialized_rollups(parity):
    """Rollup-servable forms (daily buckets, whole-range aggregates over full UTC days, a single
    experiment, no filter) and others: with nothing materialized, both answer from the raw rows."""

    def sc(s):
        e = new_exp(s, "m")
        for i in range(3):
            span_trace(s, e, f"m{i}", NS0 + i * DAY_NS, spans=3)
        start_v3(s, e, "m-v3", T0 + DAY_MS + 5, record=False)
        start, end = (T0 // DAY_MS) * DAY_MS - DAY_MS, (T0 // DAY_MS + 4) * DAY_MS - 1

        def q(label, view, metric, aggs, **kw):
            body = {"experiment_ids": [e], "view_type": view, "metric_name": metric,
                    "aggregations": aggs, "start_time_ms": start, "end_time_ms": end, **kw}
            s.post(METRICS, body, prefix=V3, label=label)

        q("daily trace count", "TRACES", "trace_count", [{"aggregation_type": "COUNT"}], time_interval_seconds=86400)
        q("range latency", "TRACES", "latency", [{"aggregation_type": "AVG"}, {"aggregation_type": "MAX"}])
        q("daily by status", "TRACES", "trace_count", [{"aggregation_type": "COUNT"}], dimensions=["trace_status"],
          time_interval_seconds=86400)
        q("daily span cost", "SPANS", "total_cost", [{"aggregation_type": "MIN"}, {"aggregation_type": "MAX"}],
          time_interval_seconds=86400)
        q("hourly (raw)", "TRACES", "trace_count", [{"aggregation_type": "COUNT"}], time_interval_seconds=3600)
        q("assessment count", "ASSESSMENTS", "assessment_count", [{"aggregation_type": "COUNT"}])
        queue_rows(s, "queue")

    parity.check(sc)


@pytest.fixture(scope="module", params=DIALECTS)
def proxy_pair(request, tmp_path_factory):
    yield from open_pair(request.param, tmp_path_factory, "parity-trace-rollups-proxy",
                         extra_for_role=lambda role: ROLLUPS_ON, kind="ts-proxy")


def materialize(s, eid, day, metric, sample_count, sum_value):
    """A published trace-metric rollup row (as a rebuild pass leaves it), the same on both sides."""
    engine = sa.create_engine(_engine_url(s.server))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM sql_trace_rollup_rebuild_queue"))
            conn.execute(sa.text(
                "INSERT INTO sql_trace_metric_daily_rollups (experiment_id, rollup_day, metric_name, grouping_set, "
                "sample_count, sum_value, min_value, max_value) VALUES (:e, :d, :m, 'global', :n, :s, :s, :s)"),
                {"e": int(eid), "d": day, "m": metric, "n": sample_count, "s": sum_value})
    finally:
        engine.dispose()


@pytest.mark.rpc("MlflowService.queryTraceMetrics", case="ok")
def test_metrics_read_from_rollups_are_handed_over(proxy_pair):
    """With a rollup row materialized, MLflow answers a rollup-servable form from it (here a row that
    disagrees with the raw data, so a raw answer would show); mlflow-ts hands those to its child and
    answers the other forms natively from the raw rows."""
    def sc(s):
        e = new_exp(s, "p")
        for i in range(2):
            start_v3(s, e, f"p{i}", T0 + i, record=False)
        day0 = (T0 // DAY_MS) * DAY_MS
        materialize(s, e, "2020-09-13", "trace_count", 7, 7)
        base = {"experiment_ids": [e], "view_type": "TRACES", "metric_name": "trace_count",
                "aggregations": [{"aggregation_type": "COUNT"}], "start_time_ms": day0, "end_time_ms": day0 + DAY_MS - 1}
        _, daily = s.post(METRICS, {**base, "time_interval_seconds": 86400}, prefix=V3, label="daily (rollup)")
        assert daily["data_points"][0]["values"] == {"COUNT": 7.0}, daily
        s.post(METRICS, base, prefix=V3, label="whole range (rollup)")
        s.post(METRICS, {**base, "time_interval_seconds": 3600}, prefix=V3, label="hourly (raw)")
        s.post(METRICS, {**base, "dimensions": ["trace_status"]}, prefix=V3, label="by status (raw: no status rows)")

    Parity(proxy_pair, "trace_rollups.read_from_rollups").check(sc)
