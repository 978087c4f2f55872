"""Seeded differential fuzzing of searchLoggedModels: its filter grammar, order_by, datasets and pages.

Each seed builds the same fixture on both sides: two experiments of logged models with names,
model types, source runs, params, tags, statuses (finalized or not, some deleted) and metrics
logged against them at several steps, some on datasets. Then it sends random searches: 1-3
filter clauses over every entity of the grammar (attributes, params, tags, metrics; every
comparator, IN lists, quoting and backtick forms, well-formed most of the time, sometimes not),
random order_by lists (attributes and metrics, with and without a dataset), dataset lists and page
sizes, following next_page_token for a few pages, and compares the answers, errors included.

The sequence is generated from the seed alone. Set MLFLOW_TS_LM_FUZZ_SEEDS=1,2 and
MLFLOW_TS_LM_FUZZ_QUERIES=N to explore other sequences locally.
"""

from __future__ import annotations

import os
import random

import pytest

from test_http_logged_models import LM, finalize, log_model_metric, new_model
from test_http_runs import T0, new_exp, new_run

SEEDS = [int(x) for x in os.environ.get("MLFLOW_TS_LM_FUZZ_SEEDS", "5,17").split(",") if x.strip()]
N_QUERIES = int(os.environ.get("MLFLOW_TS_LM_FUZZ_QUERIES", "70"))
N_MODELS = 14

NAMES = ["alpha", "Alpha", "beta", "a_b", "a%b", "gamma-1", "model"]
TYPES = [None, "sklearn", "Sklearn", "torch", "t_x"]
PARAM_KEYS = ["lr", "depth", "Opt"]
PARAM_VALUES = ["0.1", "0.01", "10", "1e-3", "a_b", "A%", ""]
TAG_KEYS = ["team", "stage", "Env"]
TAG_VALUES = ["red", "Red", "blue", "r_d", "x%y", "a b"]
METRIC_KEYS = ["acc", "loss", "f1"]
METRIC_VALUES = [0, 0.5, 0.7, 0.9, 1, -1, 0.001, 2.5]
DATASETS = [None, None, ("eval", "d1"), ("eval", "d2"), ("train", "t1")]
STATUSES = [None, "LOGGED_MODEL_READY", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"]


# ---------------------------------------------------------------------------------------------
# The fixture, generated from the seed


def gen_fixture(rng):
    models = []
    for i in range(N_MODELS):
        m = {
            "exp": 0 if i < N_MODELS - 4 else 1,
            "name": rng.choice(NAMES),
            "type": rng.choice(TYPES),
            "source_run": rng.random() < 0.4,
            "params": {rng.choice(PARAM_KEYS): rng.choice(PARAM_VALUES) for _ in range(rng.randint(0, 3))},
            "tags": {rng.choice(TAG_KEYS): rng.choice(TAG_VALUES) for _ in range(rng.randint(0, 3))},
            "status": rng.choice(STATUSES),
            "deleted": rng.random() < 0.1,
            "metrics": [],
        }
        for k in range(rng.choice([0, 1, 2, 3, 4])):
            m["metrics"].append({
                "key": rng.choice(METRIC_KEYS),
                "value": rng.choice(METRIC_VALUES),
                "step": rng.choice([0, 1, 2, 5]),
                # Distinct per model, so that "latest" never ties on (step, timestamp).
                "ts": T0 + k,
                "dataset": rng.choice(DATASETS),
            })
        models.append(m)
    return models


def build_fixture(s, models):
    eids = [new_exp(s, f"lmf{s.state['seed']}-a"), new_exp(s, f"lmf{s.state['seed']}-b")]
    runs = [new_run(s, eids[0]), new_run(s, eids[1], 1)]
    s.state["vars"] = {"RUN0": runs[0], "EXP0": eids[0], "EXP1": eids[1]}
    for m in models:
        extra = {}
        if m["type"]:
            extra["model_type"] = m["type"]
        if m["params"]:
            extra["params"] = [{"key": k, "value": v} for k, v in m["params"].items()]
        if m["tags"]:
            extra["tags"] = [{"key": k, "value": v} for k, v in m["tags"].items()]
        if m["source_run"]:
            extra["source_run_id"] = runs[m["exp"]]
        mid = new_model(s, eids[m["exp"]], m["name"], **extra)
        if m["status"]:
            finalize(s, mid, m["status"], record=False)
        for x in m["metrics"]:
            ds = {"dataset_name": x["dataset"][0], "dataset_digest": x["dataset"][1]} if x["dataset"] else {}
            log_model_metric(s, runs[m["exp"]], mid, x["key"], x["value"], step=x["step"], ts=x["ts"], **ds)
        if m["deleted"]:
            s.call("DELETE", f"{LM}/{mid}", record=False)


# ---------------------------------------------------------------------------------------------
# Queries


def quote(rng, v):
    return f"'{v}'" if rng.random() < 0.85 else f'"{v}"'


def pattern(rng, words):
    w = rng.choice(words) or "x"
    return rng.choice([w, w[:1] + "%", "%" + w[-1:], "%" + w[1:2] + "%", "_" + w[1:], "%"])


def string_clause(rng, ident, words, ops=("=", "!=", "LIKE", "ILIKE", "IN", "NOT IN")):
    op = rng.choice(ops)
    if op in ("LIKE", "ILIKE"):
        return f"{ident} {op} {quote(rng, pattern(rng, words))}"
    if op in ("IN", "NOT IN"):
        vals = rng.sample(words, rng.choice([1, 2]))
        return f"{ident} {op} ({', '.join(quote(rng, v) for v in vals)})"
    return f"{ident} {op} {quote(rng, rng.choice(words))}"


def entity_key(rng, prefix, key):
    return rng.choice([f"{prefix}.{key}", f"{prefix}.{key}", f"{prefix}.`{key}`"])


def clause(rng):
    kind = rng.choice(["name", "name", "type", "status", "time", "run", "id", "param", "param", "tag", "tag",
                       "metric", "metric", "metric", "bad"])
    if kind == "name":
        return string_clause(rng, rng.choice(["name", "attributes.name", "attribute.name"]), NAMES)
    if kind == "type":
        return string_clause(rng, rng.choice(["model_type", "attributes.model_type"]), [t for t in TYPES if t])
    if kind == "status":
        words = ["READY", "PENDING", "FAILED"]
        if rng.random() < 0.4:
            vals = rng.sample(words, rng.choice([1, 2]))
            return f"status {rng.choice(['IN', 'NOT IN'])} ({', '.join(quote(rng, v) for v in vals)})"
        return f"status {rng.choice(['=', '!='])} {quote(rng, rng.choice(words))}"
    if kind == "time":
        ident = rng.choice(["creation_timestamp", "creation_time", "last_updated_timestamp", "attributes.creation_timestamp"])
        return f"{ident} {rng.choice(['=', '!=', '>', '>=', '<', '<='])} {rng.choice([0, 1, 9_999_999_999_999])}"
    if kind == "run":
        return rng.choice(["source_run_id = '{RUN0}'", "source_run_id != '{RUN0}'", "source_run_id = ''",
                           "source_run_id != ''", "source_run_id IN ('{RUN0}')", "source_run_id LIKE '%'"])
    if kind == "id":
        return rng.choice(["model_id = 'm-nope'", "model_id != 'm-nope'", "model_id LIKE 'm-%'",
                           "model_id IN ('m-a', 'm-b')"])
    if kind == "param":
        return string_clause(rng, entity_key(rng, rng.choice(["params", "param"]), rng.choice(PARAM_KEYS)),
                             [v for v in PARAM_VALUES if v])
    if kind == "tag":
        return string_clause(rng, entity_key(rng, rng.choice(["tags", "tag"]), rng.choice(TAG_KEYS)), TAG_VALUES)
    if kind == "metric":
        ident = entity_key(rng, rng.choice(["metrics", "metric"]), rng.choice(METRIC_KEYS))
        v = rng.choice(["0", "0.5", "0.7", "1", "1.0", "-1", "1e-3", "2.5", ".5", "0.9"])
        return f"{ident} {rng.choice(['=', '!=', '>', '>=', '<', '<='])} {v}"
    return rng.choice([
        "name = 'a' OR name = 'b'", "name", "foo.bar = 'x'", "name < 'b'", "metrics.acc LIKE 'x'",
        "metrics.acc > 'abc'", "creation_timestamp IN (1, 2)", "status LIKE 'R%'", "status = 'DONE'",
        "tags.x IS NULL", "params.p = 1", "metrics.acc IN (1, 2)", "name = 5", "params.lr > '0.1'",
        "model_type LIKE 1", "tags.team != 'red' AND", "datasets.name = 'eval'", "name == 'alpha'",
        "metrics.acc > 0.5 and metrics.acc < 1", "`name` = 'alpha'", "status IS NOT NULL",
    ])


ORDER_FIELDS = ["name", "model_type", "creation_timestamp", "creation_time", "last_updated_timestamp", "status",
                "metrics.acc", "metrics.loss", "metrics.f1", "metrics.acc", "source_run_id", "params.lr", "nope"]


def gen_order(rng):
    out = []
    for field in rng.sample(ORDER_FIELDS, rng.choice([1, 1, 2])):
        o = {"field_name": field}
        if rng.random() < 0.7:
            o["ascending"] = rng.random() < 0.5
        if field.startswith("metrics.") and rng.random() < 0.35:
            ds = rng.choice(DATASETS[2:])
            o["dataset_name"] = ds[0]
            if rng.random() < 0.6:
                o["dataset_digest"] = ds[1]
        out.append(o)
    return out


def gen_query(rng):
    body = {}
    if rng.random() < 0.85:
        n = rng.choice([1, 1, 1, 2, 2, 3])
        body["filter"] = " AND ".join(clause(rng) for _ in range(n))
        if rng.random() < 0.08:
            body["filter"] = body["filter"].replace(" AND ", " and ", 1)
    if rng.random() < 0.5:
        body["order_by"] = gen_order(rng)
    if rng.random() < 0.2:
        body["datasets"] = [
            {"dataset_name": d[0], **({"dataset_digest": d[1]} if rng.random() < 0.7 else {})}
            for d in rng.sample(DATASETS[2:], rng.choice([1, 2]))
        ]
    # Pages, except where the filter names a run: the token carries the filter, and run ids differ
    # between the two sides inside its base64.
    if rng.random() < 0.35 and "{RUN0}" not in body.get("filter", ""):
        body["max_results"] = rng.choice([1, 2, 3, 5])
    body["experiments"] = rng.choice([[0], [0], [0, 1], [1]])
    return body


def run_query(s, i, query):
    vars_ = s.state["vars"]
    body = {k: v for k, v in query.items() if k != "experiments"}
    if "filter" in body:
        body["filter"] = body["filter"].replace("{RUN0}", vars_["RUN0"])
    body["experiment_ids"] = [vars_[f"EXP{e}"] for e in query["experiments"]]
    label = f"q{i}: {query.get('filter')} | {query.get('order_by')} | {query.get('datasets')} | " \
            f"{query.get('max_results')} | {query['experiments']}"
    for page in range(3):
        _, out = s.post(f"{LM}/search", body, label=f"{label} p{page}")
        token = out.get("next_page_token") if isinstance(out, dict) else None
        if not token:
            break
        body = {**body, "page_token": token}


@pytest.mark.rpc("MlflowService.searchLoggedModels", case="both")
@pytest.mark.parametrize("seed", SEEDS)
def test_logged_model_search_fuzz(parity, seed):
    rng = random.Random(seed)
    models = gen_fixture(rng)
    queries = [gen_query(rng) for _ in range(N_QUERIES)]

    def sc(s):
        s.state["seed"] = seed
        build_fixture(s, models)
        for i, query in enumerate(queries):
            run_query(s, i, query)

    parity.check(sc)
