"""Seeded differential fuzzing of the trace search grammar (searchTracesV3 and the v2 searchTraces).

Each seed builds the same fixture on both sides: two experiments of traces with fixed ids and
times, tags and request metadata drawn from a small vocabulary (case variants, LIKE wildcards in
values), sessions, token usage and cost, source runs and run links, spans stored through
`/v1/traces` (names, types, statuses, attributes; some spans starting well before their trace),
and feedback / expectation assessments (strings, numbers, booleans, overridden ones, session-scoped
ones), all through routes mlflow-ts serves natively. Then it sends random filters (1-3 clauses over every entity of the grammar, well-formed
most of the time, sometimes not) with random order_by lists and pages, and random pairs of clauses
(with and without a base filter) to calculateTraceFilterCorrelation, and compares the answers.
The candidate runs without its Python child, so every answer compared is mlflow-ts' own.

The sequence is generated from the seed alone; per-side values (experiment and run ids) are
substituted into the filter at send time. Set MLFLOW_TS_TRACE_FUZZ_SEEDS=1,2 and
MLFLOW_TS_TRACE_FUZZ_QUERIES=N to explore other sequences locally.
"""

from __future__ import annotations

import hashlib
import json
import os
import random

import pytest

from conftest import DIALECTS, open_pair
from test_http_runs import T0, new_exp, new_run
from test_http_traces import TRACES, V3, iso

SEEDS = [int(x) for x in os.environ.get("MLFLOW_TS_TRACE_FUZZ_SEEDS", "3,8,21").split(",") if x.strip()]
N_QUERIES = int(os.environ.get("MLFLOW_TS_TRACE_FUZZ_QUERIES", "90"))
N_TRACES = 18
OTLP = "/v1/traces"


@pytest.fixture(scope="module", params=DIALECTS)
def server_pair(request, tmp_path_factory):
    # Standalone mlflow-ts: a search handed to a Python server would be a 501 and differ.
    yield from open_pair(request.param, tmp_path_factory, "parity-trace-fuzz")


# No two keys differ only in case: MySQL's case-insensitive keys would merge them (a write-path
# matter, not the search's); filters still ask for case variants.
TAG_KEYS = ["team", "env", "k_1", "Env2"]
TAG_VALUES = ["a", "A", "ab", "b%c", "x_y", "alpha beta", ""]
META_KEYS = ["m", "source", "Mx"]
SESSIONS = ["s1", "s2", "S1"]
SPAN_NAMES = ["agent", "retrieve", "llm", "Tool", "chat_model"]
SPAN_TYPES = ["AGENT", "RETRIEVER", "LLM", "TOOL", "CHAT_MODEL"]
ATTR_VALUES = ["a", "ab", "B", "gpt-4", "x y"]
FEEDBACK_VALUES = ["yes", "no", "Yes", 0.5, 1, 3, True, False]


def trace_hex(s, i):
    return hashlib.md5(s.name(f"{s.state['seed']}-trace{i}").encode()).hexdigest()


def span_hex(s, i, j):
    return hashlib.md5(s.name(f"{s.state['seed']}-span{i}.{j}").encode()).hexdigest()[:16]


def kv(key, value):
    return {"key": key, "value": {"stringValue": json.dumps(value)}}


# ---------------------------------------------------------------------------------------------
# The fixture, generated from the seed


def gen_fixture(rng):
    traces = []
    for i in range(N_TRACES):
        t = {
            "exp": 0 if i < N_TRACES - 4 else 1,
            "offset": rng.choice([0, 1000, 1000, 5000, 20_000, 60_000]) + (i % 3),
            "state": rng.choice(["OK", "OK", "ERROR", "IN_PROGRESS"]),
            "duration": rng.choice([None, "0.500s", "2s", "15s"]),
            "client_request_id": rng.choice([None, "c-1", "c-2", "C-1"]),
            "tags": {},
            "metadata": {},
            "spans": [],
            "assessments": [],
            "spans_first": rng.random() < 0.3,
            "link_run": rng.random() < 0.2,
        }
        if rng.random() < 0.7:
            t["tags"]["mlflow.traceName"] = rng.choice(["predict", "Predict", "chat", "p_1"])
        for _ in range(rng.randint(0, 3)):
            t["tags"][rng.choice(TAG_KEYS)] = rng.choice(TAG_VALUES)
        for _ in range(rng.randint(0, 2)):
            t["metadata"][rng.choice(META_KEYS)] = rng.choice(TAG_VALUES)
        if rng.random() < 0.5:
            t["metadata"]["mlflow.trace.session"] = rng.choice(SESSIONS)
        if rng.random() < 0.4:
            t["metadata"]["mlflow.trace.tokenUsage"] = json.dumps(
                {"input_tokens": rng.choice([1, 5]), "output_tokens": 2, "total_tokens": rng.choice([3, 7])})
        if rng.random() < 0.3:
            t["metadata"]["mlflow.trace.cost"] = json.dumps({"input_cost": 0.5, "total_cost": rng.choice([1.5, 2.0])})
        if rng.random() < 0.3:
            t["metadata"]["mlflow.sourceRun"] = "{RUN0}"
        for j in range(rng.choice([0, 1, 2, 3, 3])):
            k = rng.randrange(len(SPAN_NAMES))
            attrs = {"mlflow.spanType": SPAN_TYPES[k]}
            if rng.random() < 0.6:
                attrs["x"] = rng.choice(ATTR_VALUES)
            if rng.random() < 0.3:
                attrs["model"] = rng.choice(ATTR_VALUES)
            t["spans"].append({
                "name": SPAN_NAMES[rng.randrange(len(SPAN_NAMES))] if rng.random() < 0.3 else SPAN_NAMES[k],
                "attrs": attrs,
                # Some spans start well before the trace's request time (the span search's time bound).
                "start_ms": rng.choice([-30_000, 0, 0, 100]) if t["spans_first"] else rng.choice([0, 100]),
                "status": rng.choice([1, 1, 2, 0]),
            })
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            kind = rng.choice(["feedback", "feedback", "expectation"])
            t["assessments"].append({
                "kind": kind,
                "name": rng.choice(["rel", "Rel", "quality"]) if kind == "feedback" else rng.choice(["e", "facts"]),
                "value": rng.choice(FEEDBACK_VALUES) if kind == "feedback" else rng.choice(["Paris", "paris", 2]),
                "session": rng.random() < 0.25,
                "override": rng.random() < 0.15,
            })
        traces.append(t)
    return traces


def build_fixture(s, traces):
    eids = [new_exp(s, f"{s.state['seed']}-a"), new_exp(s, f"{s.state['seed']}-b")]
    run = new_run(s, eids[0])
    s.state["vars"] = {"RUN0": run, "EXP0": eids[0], "EXP1": eids[1]}
    for i, t in enumerate(traces):
        hex_id = trace_hex(s, i)
        tid = "tr-" + hex_id
        eid = eids[t["exp"]]
        metadata = {k: v.replace("{RUN0}", run) for k, v in t["metadata"].items()}
        info = {
            "trace_id": tid,
            "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": eid}},
            "request_time": iso(T0 + t["offset"]),
            "state": t["state"],
            "tags": t["tags"],
            "trace_metadata": metadata,
        }
        if t["duration"]:
            info["execution_duration"] = t["duration"]
        if t["client_request_id"]:
            info["client_request_id"] = t["client_request_id"]

        def start():
            s.post(TRACES, {"trace": {"trace_info": info}}, prefix=V3, record=False)

        def spans():
            if not t["spans"]:
                return
            out = []
            for j, sp in enumerate(t["spans"]):
                start_ns = (T0 + t["offset"] + sp["start_ms"]) * 1_000_000 + j
                out.append({
                    "traceId": hex_id, "spanId": span_hex(s, i, j), "name": sp["name"], "kind": 1,
                    "startTimeUnixNano": str(start_ns), "endTimeUnixNano": str(start_ns + 1_000_000),
                    "attributes": [kv(k, v) for k, v in sp["attrs"].items()],
                    "status": {"code": sp["status"]},
                    **({"parentSpanId": span_hex(s, i, 0)} if j else {}),
                })
            body = {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": out}]}]}
            s.call("POST", OTLP, data=json.dumps(body), prefix="", record=False,
                   headers={"Content-Type": "application/json", "x-mlflow-experiment-id": str(eid)})

        if t["spans_first"]:
            spans()
            start()
        else:
            start()
            spans()
        previous = None
        for k, a in enumerate(t["assessments"]):
            aid = "a-" + hashlib.md5(s.name(f"{s.state['seed']}-a{i}.{k}").encode()).hexdigest()
            body = {"assessment_id": aid, "trace_id": tid, "assessment_name": a["name"],
                    "source": {"source_type": "HUMAN", "source_id": "ann"},
                    "create_time": iso(T0 + 7), "last_update_time": iso(T0 + 9)}
            body[a["kind"]] = {"value": a["value"]}
            if a["session"] and "mlflow.trace.session" in metadata:
                body["metadata"] = {"mlflow.trace.session": metadata["mlflow.trace.session"]}
            if a["override"] and previous:
                body["overrides"] = previous
            s.post(f"{TRACES}/{tid}/assessments", {"assessment": body}, prefix=V3, record=False)
            previous = aid
        if t["link_run"]:
            s.post(f"{TRACES}/link-to-run", {"trace_ids": [tid], "run_id": run}, record=False)


# ---------------------------------------------------------------------------------------------
# Queries


def quote(rng, v):
    return f"'{v}'" if rng.random() < 0.85 else f'"{v}"'


def pattern(rng, words):
    w = rng.choice(words)
    form = rng.choice(["exact", "prefix", "suffix", "contains", "underscore"])
    if form == "prefix":
        return w[:1] + "%"
    if form == "suffix":
        return "%" + w[-1:]
    if form == "contains":
        return "%" + w[1:2] + "%"
    if form == "underscore":
        return "_" + w[1:]
    return w


def regex(rng, words):
    w = rng.choice(words)
    return rng.choice([f"^{w}", f"{w}$", f"^{w}$", w[:1] + ".*", f"[ab]{w[1:]}", f"{w}|zz", f"^({w})+$"])


def string_clause(rng, ident, words, ops=("=", "!=", "LIKE", "ILIKE", "RLIKE")):
    op = rng.choice(ops)
    if op in ("LIKE", "ILIKE"):
        v = pattern(rng, words)
    elif op == "RLIKE":
        v = regex(rng, words)
    else:
        v = rng.choice(words)
    return f"{ident} {op} {quote(rng, v)}"


def clause(rng):
    kind = rng.choice(["attr", "num", "name", "tag", "meta", "session", "analytics", "run", "span", "span_attr",
                       "content", "feedback", "feedback_num", "expectation", "null", "in", "bad"])
    if kind == "attr":
        ident = rng.choice(["trace.status", "status", "attributes.client_request_id", "client_request_id"])
        return string_clause(rng, ident, ["OK", "ERROR", "IN_PROGRESS", "c-1", "C-1", "ok"])
    if kind == "num":
        ident = rng.choice(["timestamp_ms", "trace.timestamp_ms", "timestamp", "execution_time_ms", "execution_time",
                            "end_time", "trace.end_time_ms"])
        base = T0 if "time" in ident and "exec" not in ident else 0
        v = base + rng.choice([0, 500, 1000, 2000, 5000, 20_000, 60_000])
        return f"{ident} {rng.choice(['=', '!=', '>', '>=', '<', '<='])} {v}"
    if kind == "name":
        return string_clause(rng, rng.choice(["name", "trace.name", "tags.mlflow.traceName", "tag.name"]),
                             ["predict", "Predict", "chat", "p_1"])
    if kind == "tag":
        key = rng.choice(TAG_KEYS)
        ident = rng.choice([f"tags.{key}", f"tag.`{key}`", f"tags.'{key}'"])
        return string_clause(rng, ident, TAG_VALUES[:-1])
    if kind == "meta":
        return string_clause(rng, f"metadata.{rng.choice(META_KEYS)}", TAG_VALUES[:-1])
    if kind == "session":
        return string_clause(rng, rng.choice(["metadata.`mlflow.trace.session`", "request_metadata.mlflow.trace.session"]),
                             SESSIONS)
    if kind == "analytics":
        key = rng.choice(["mlflow.trace.tokenUsage", "mlflow.trace.cost"])
        v = rng.choice(['{"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}',
                        '{"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}',
                        '{"input_cost": 0.5, "total_cost": 1.5}', '{"input_cost": 0.5, "total_cost": 2.0}',
                        '{"total_cost": 2}', "x"])
        op = rng.choice(["=", "!=", "IS NULL", "IS NOT NULL", "LIKE"])
        return f"metadata.`{key}` {op}" if op.startswith("IS") else f"metadata.`{key}` {op} '{v}'"
    if kind == "run":
        return rng.choice(["run_id = '{RUN0}'", "metadata.mlflow.sourceRun = '{RUN0}'", "run_id != '{RUN0}'",
                           "run_id LIKE '%'", "run_id = 'nope'"])
    if kind == "span":
        col = rng.choice(["name", "type", "status"])
        words = {"name": SPAN_NAMES, "type": SPAN_TYPES, "status": ["OK", "ERROR", "UNSET"]}[col]
        if rng.random() < 0.2:
            return f"span.{col} {rng.choice(['IN', 'NOT IN'])} ('{rng.choice(words)}', '{rng.choice(words)}')"
        return string_clause(rng, f"span.{col}", words)
    if kind == "span_attr":
        attr = rng.choice(["x", "model", "`x`", "mlflow.spanType"])
        op = rng.choice(["LIKE", "ILIKE", "RLIKE", "="])
        v = rng.choice(ATTR_VALUES)
        if op == "RLIKE":
            v = rng.choice([v, f"^{v}", f"{v}$", f"^{v}$"])
        else:
            v = rng.choice([f"%{v}%", f"%{v}", v])
        return f"span.attributes.{attr} {op} '{v}'"
    if kind == "content":
        return f"{rng.choice(['span.content', 'span.content', 'span.content', 'text'])} {rng.choice(['LIKE', 'ILIKE'])} '%{rng.choice(ATTR_VALUES + SPAN_NAMES)}%'"
    if kind == "feedback":
        name = rng.choice(["rel", "Rel", "quality", "`rel`"])
        op = rng.choice(["=", "!=", "LIKE", "ILIKE", "RLIKE"])
        v = rng.choice(["yes", "no", "Yes", "%e%", "true", "0.5", "1"])
        if op == "RLIKE":
            v = rng.choice(["^.y", "e", "^true$"])
        return f"feedback.{name} {op} '{v}'"
    if kind == "feedback_num":
        return f"feedback.{rng.choice(['rel', 'quality'])} {rng.choice(['>', '>=', '<', '<='])} {rng.choice(['0.5', '1', '0', '2.5'])}"
    if kind == "expectation":
        op = rng.choice(["=", "!=", "LIKE", "IS NULL", "IS NOT NULL"])
        name = rng.choice(["e", "facts"])
        if op.startswith("IS"):
            return f"expectation.{name} {op}"
        return f"expectation.{name} {op} '{rng.choice(['Paris', 'paris', '%ar%', '2'])}'"
    if kind == "null":
        ident = rng.choice(["tags.team", "tags.env", "name", "metadata.m", "metadata.mlflow.trace.session",
                            "feedback.rel", "feedback.quality", "expectation.e"])
        return f"{ident} {rng.choice(['IS NULL', 'IS NOT NULL'])}"
    if kind == "in":
        ident = rng.choice(["status", "trace.status", "request_id", "client_request_id", "name"])
        op = rng.choice(["IN", "NOT IN"])
        words = {"status": ["OK", "ERROR"], "trace.status": ["IN_PROGRESS", "OK"], "name": ["predict", "chat"],
                 "client_request_id": ["c-1", "C-1"], "request_id": ["tr-0"]}[ident]
        return f"{ident} {op} ({', '.join(repr(w) for w in words)})"
    # malformed or rejected clauses
    return rng.choice([
        "status > 'OK'", "tags.team IN ('a')", "span.content = 'x'", "span.foo = 'a'", "feedback.rel > 'a'",
        "feedback.rel = 1", "issue.id = 'i-1'", "issue.x = 'a'", "prompt = 'p/1'", "prompt = 'p'",
        "prompt LIKE 'p/1'", "metadata.`mlflow.trace.tokenUsage` LIKE '%'", "timestamp > 'x'", "name = 5",
        "status = 'OK' OR status = 'ERROR'", "span.attributes. = 'a'", "feedback. = 'a'", "metric.m > 1",
        "timestamp_ms IN ('1')", "tags.team", "status == 'OK'",
    ])


ORDER_KEYS = ["timestamp_ms", "timestamp", "execution_time", "end_time", "status", "request_id", "experiment_id",
              "name", "trace.name", "tags.team", "tag.env", "metadata.m", "metadata.mlflow.trace.session", "run_id",
              "tags.mlflow.traceName"]


def gen_query(rng):
    n = rng.choice([1, 1, 1, 1, 2, 2, 3])
    body = {"filter": " AND ".join(clause(rng) for _ in range(n))}
    if rng.random() < 0.08:
        body["filter"] = body["filter"].replace(" AND ", " and ", 1)
    if rng.random() < 0.5:
        keys = rng.sample(ORDER_KEYS, rng.choice([1, 1, 2]))
        body["order_by"] = [f"{k}{rng.choice(['', ' ASC', ' DESC'])}" for k in keys]
    if rng.random() < 0.25:
        body["max_results"] = rng.choice([1, 2, 3])
    body["experiments"] = rng.choice([[0], [0], [0, 1], [0, 1], [1]])
    body["v2"] = rng.random() < 0.15
    return body


def sort_assessments(body):
    """A trace's assessments in assessment_id order. MLflow reads them without ORDER BY; after an
    override's UPDATE, PostgreSQL's heap order depends on when a read pruned the page, which the
    two servers' different read patterns trigger at different moments."""
    for t in body.get("traces") or []:
        if isinstance(t.get("assessments"), list):
            t["assessments"] = sorted(t["assessments"], key=lambda a: a.get("assessment_id", ""))
    return body


def run_query(s, i, query):
    vars_ = s.state["vars"]
    filt = query["filter"].replace("{RUN0}", vars_["RUN0"])
    eids = [vars_[f"EXP{e}"] for e in query["experiments"]]
    label = f"q{i}: {query['filter']} | {query.get('order_by')} | {query.get('max_results')} | {query['experiments']}"
    extra = {k: query[k] for k in ("order_by", "max_results") if k in query}
    for page in range(3):
        if query["v2"]:
            _, out = s.get(TRACES, {"experiment_ids": eids, "filter": filt, **extra}, label=label + f" v2 p{page}",
                           transform=sort_assessments)
        else:
            body = {"locations": [{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": e}} for e in eids],
                    "filter": filt, **extra}
            _, out = s.post(f"{TRACES}/search", body, prefix=V3, label=label + f" p{page}",
                            transform=sort_assessments)
        token = out.get("next_page_token") if isinstance(out, dict) else None
        if not token:
            break
        extra = {**extra, "page_token": token}


def gen_correlation(rng):
    body = {"filter_string1": clause(rng), "filter_string2": clause(rng),
            "experiments": rng.choice([[0], [0], [0, 1], [1]])}
    if rng.random() < 0.4:
        body["base_filter"] = rng.choice(["timestamp_ms > 1600000001000", "trace.status = 'OK'", "tags.team IS NOT NULL",
                                          "span.type = 'LLM'", "feedback.rel IS NOT NULL", "bogus = 1", ""])
    return body


def run_correlation(s, i, c):
    vars_ = s.state["vars"]
    body = {k: v.replace("{RUN0}", vars_["RUN0"]) for k, v in c.items() if k != "experiments"}
    body["experiment_ids"] = [vars_[f"EXP{e}"] for e in c["experiments"]]
    label = f"c{i}: {c['filter_string1']} ~ {c['filter_string2']} | base {c.get('base_filter')} | {c['experiments']}"
    s.post(f"{TRACES}/calculate-filter-correlation", body, prefix=V3, label=label)


@pytest.mark.rpc("MlflowService.searchTracesV3", "MlflowService.searchTraces",
                 "MlflowService.calculateTraceFilterCorrelation", case="both")
@pytest.mark.parametrize("seed", SEEDS)
def test_trace_search_fuzz(parity, seed):
    rng = random.Random(seed)
    traces = gen_fixture(rng)
    queries = [gen_query(rng) for _ in range(N_QUERIES)]
    correlations = [gen_correlation(rng) for _ in range(N_QUERIES // 3)]

    def sc(s):
        s.state["seed"] = seed
        build_fixture(s, traces)
        for i, query in enumerate(queries):
            run_query(s, i, query)
        for i, c in enumerate(correlations):
            run_correlation(s, i, c)

    parity.check(sc)
