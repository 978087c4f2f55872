"""Seeded differential fuzzing of queryTraceMetrics (the traces page charts).

On the fixture of test_http_trace_metrics.py (OTLP traces with models, costs and token usage,
start_trace traces with sessions, feedback and expectations), random queries: a view and one of
its metrics (now and then another view's), 1-3 aggregations (percentiles included, sometimes one
the metric does not take), dimensions, time buckets over a range, page sizes, and 0-2 filters of
the metrics filter grammar (trace status, tags, metadata, span and assessment fields, now and
then a malformed one), compared answer by answer, errors included. The candidate is standalone:
every answer is mlflow-ts' own. SUM / AVG of REAL columns are not asked on SQLite (handed to the
Python server there, see trace-metrics.ts).

Set MLFLOW_TS_METRICS_FUZZ_SEEDS=1,2 and MLFLOW_TS_METRICS_FUZZ_QUERIES=N to explore.
"""

from __future__ import annotations

import os
import random

import pytest

from conftest import DIALECTS, open_pair
from test_http_trace_metrics import END, METRICS, START, seed
from test_http_traces import V3

SEEDS = [int(x) for x in os.environ.get("MLFLOW_TS_METRICS_FUZZ_SEEDS", "7,19").split(",") if x.strip()]
N_QUERIES = int(os.environ.get("MLFLOW_TS_METRICS_FUZZ_QUERIES", "60"))

STATS = ["AVG", "MIN", "MAX", "PERCENTILE"]
VIEWS = {
    "TRACES": {
        "trace_count": (["COUNT"], ["trace_name", "trace_status"]),
        "session_count": (["COUNT"], []),
        "latency": (STATS, ["trace_name"]),
        "input_tokens": (["SUM", *STATS], ["trace_name"]),
        "output_tokens": (["SUM", *STATS], ["trace_name"]),
        "total_tokens": (["SUM", *STATS], ["trace_name"]),
        "cache_read_input_tokens": (["SUM", *STATS], ["trace_name"]),
    },
    "SPANS": {
        "span_count": (["COUNT"], ["span_name", "span_type", "span_status", "span_model_name", "span_model_provider"]),
        "latency": (STATS, ["span_name", "span_status"]),
        "input_cost": (["SUM", *STATS], ["span_model_name", "span_model_provider"]),
        "total_cost": (["SUM", *STATS], ["span_model_name", "span_model_provider"]),
    },
    "ASSESSMENTS": {
        "assessment_count": (["COUNT"], ["assessment_name", "assessment_value"]),
        "assessment_value": (STATS, ["assessment_name"]),
    },
}
REAL = {("SPANS", "input_cost"), ("SPANS", "total_cost"), ("ASSESSMENTS", "assessment_value")}
TRACE_FILTERS = [
    "trace.status = 'OK'", "trace.status = 'ERROR'", "trace.tag.mlflow.traceName = 'agent'",
    'trace.tag.mlflow.traceName = "manual"', "trace.metadata.mlflow.trace.session = 's-1'",
    "trace.metadata.`mlflow.trace.session` = 's-2'", "trace.tag.`none` = 'x'",
]
SPAN_FILTERS = ["span.name = 'chat'", "span.type = 'CHAT_MODEL'", "span.type = 'AGENT'", "span.status = 'ERROR'",
                "span.status = 'OK'", "span.name = 'Retriever'"]
ASSESSMENT_FILTERS = ["assessment.name = 'quality'", "assessment.name = 'ok'", "assessment.type = 'feedback'",
                      "assessment.type = 'expectation'"]
BAD_FILTERS = ["trace.status != 'OK'", "status = 'OK'", "trace.status LIKE 'O%'", "span.name = x", "bad",
               "trace.status = 'OK' AND span.name = 'chat'", ""]


def gen_query(rng, dialect):
    view = rng.choice(list(VIEWS))
    if rng.random() < 0.05:
        view = rng.choice([*VIEWS, "EVENTS"])
    metrics = VIEWS.get(view, VIEWS["TRACES"])
    metric = rng.choice(list(metrics))
    if rng.random() < 0.05:
        metric = rng.choice([m for v in VIEWS.values() for m in v])
    allowed, dims = metrics.get(metric, (["COUNT"], []))
    aggs = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        a = rng.choice(allowed) if rng.random() < 0.93 else rng.choice(["COUNT", "SUM", "MEDIAN"])
        if dialect == "sqlite" and (view, metric) in REAL and a in ("SUM", "AVG"):
            a = "MAX"
        agg = {"aggregation_type": a}
        if a == "PERCENTILE":
            agg["percentile_value"] = rng.choice([0, 25, 50, 50.0, 90, 99.9, 100])
        aggs.append(agg)
    body = {"view_type": view, "metric_name": metric, "aggregations": aggs}
    if dims and rng.random() < 0.5:
        body["dimensions"] = rng.sample(dims, rng.choice([1, min(2, len(dims))]))
    if rng.random() < 0.03:
        body["dimensions"] = [*body.get("dimensions", []), "zzz"]
    if rng.random() < 0.35:
        body["time_interval_seconds"] = rng.choice([60, 120, 3600])
        body["start_time_ms"], body["end_time_ms"] = START, END
    elif rng.random() < 0.2:
        body["start_time_ms"] = rng.choice([START, START + 60_000])
        body["end_time_ms"] = rng.choice([END, START + 180_000])
    if rng.random() < 0.15:
        body["max_results"] = rng.choice([1, 2, 3])
    pool = TRACE_FILTERS + (SPAN_FILTERS if view == "SPANS" else []) + (
        ASSESSMENT_FILTERS if view == "ASSESSMENTS" else [])
    filters = [rng.choice(pool) for _ in range(rng.choice([0, 0, 1, 1, 2]))]
    if rng.random() < 0.06:
        filters.append(rng.choice(BAD_FILTERS + SPAN_FILTERS + ASSESSMENT_FILTERS))
    if filters:
        body["filters"] = filters
    body["experiments"] = rng.choice([[0], [0, 1], [1]])
    return body


@pytest.fixture(scope="module", params=DIALECTS)
def server_pair(request, tmp_path_factory):
    yield from open_pair(request.param, tmp_path_factory, "parity-trace-metrics-fuzz")


@pytest.mark.rpc("MlflowService.queryTraceMetrics", case="both")
def test_trace_metrics_fuzz(parity):
    # One fixture for every seed (its experiment and trace names are the scenario's own).
    def sc(s):
        eids = seed(s)
        for seed_n in SEEDS:
            rng = random.Random(seed_n)
            for i in range(N_QUERIES):
                q = gen_query(rng, s.server.db.dialect)
                body = {k: v for k, v in q.items() if k != "experiments"}
                body["experiment_ids"] = [eids[e] for e in q["experiments"]]
                s.post(METRICS, body, prefix=V3, label=f"s{seed_n} q{i}: {q}")

    parity.check(sc)
