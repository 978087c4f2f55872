"""Seeded, stateful differential fuzzing of logged models' writes.

Each seed runs the same random sequence on both servers: creates (names, model types, source
runs, params and tags, now and then a value MLflow refuses), tag sets and deletes, param logs
(new keys, the same value again, a changed value), finalizations (every status, by name and by
number, unknown ones), deletes and gets (with and without allow_deleted), on models that exist,
that were deleted and that never did. After every write the model is read back. The candidate is
standalone: every answer is mlflow-ts' own.

Set MLFLOW_TS_LM_OPS_FUZZ_SEEDS=1,2 and MLFLOW_TS_LM_OPS_FUZZ_OPS=N to explore.
"""

from __future__ import annotations

import os
import random

import pytest

from test_http_logged_models import LM, finalize, new_model
from test_http_runs import new_exp, new_run

SEEDS = [int(x) for x in os.environ.get("MLFLOW_TS_LM_OPS_FUZZ_SEEDS", "3,8").split(",") if x.strip()]
N_OPS = int(os.environ.get("MLFLOW_TS_LM_OPS_FUZZ_OPS", "45"))
MISSING = "m-00000000000000000000000000000000"

# (values MLflow takes, values it refuses)
NAMES = ([None, "model", "Model_2", "é", "a-b", ""], ["a.b", "x" * 300])
TYPES = ([None, "sklearn", ""], ["t" * 300])
KEYS = (["a", "b", "lr", "é", "x y"], ["a/b", "", "k" * 300])
VALUES = (["1", "", "0.5", "é", None], ["v" * 700])


def pick(rng, values):
    """Mostly a value MLflow takes; one in ten from both lists."""
    good, bad = values
    return rng.choice(good + bad if rng.random() < 0.1 else good)
STATUSES = ["LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED", "LOGGED_MODEL_PENDING",
            "LOGGED_MODEL_STATUS_UNSPECIFIED", 1, 2, 3, "NOPE", 9]


def kvs(rng, n, no_null=False):
    out = []
    for _ in range(n):
        item = {"key": pick(rng, KEYS)}
        v = pick(rng, VALUES)
        if no_null and v is None:
            v = "1"
        if v is not None:
            item["value"] = v
        out.append(item)
    return out


def gen_ops(rng):
    ops = []
    for _ in range(N_OPS):
        kind = rng.choice(["create", "create", "tags", "tags", "del_tag", "params", "params", "finalize",
                           "delete", "get"])
        op = {"kind": kind, "target": rng.randrange(10), "which": rng.choice(["live", "live", "live", "missing"])}
        if kind == "create":
            op["name"] = pick(rng, NAMES)
            op["type"] = pick(rng, TYPES)
            op["run"] = rng.choice([None, None, "run", "run", "bogus"])
            op["params"] = kvs(rng, rng.choice([0, 0, 1, 2]), no_null=True)
            op["tags"] = kvs(rng, rng.choice([0, 1, 2]))
        elif kind == "tags":
            op["tags"] = kvs(rng, rng.choice([1, 1, 2, 3]))
        elif kind == "del_tag":
            op["key"] = rng.choice(KEYS[0] + ["nope"])
        elif kind == "params":
            op["params"] = kvs(rng, rng.choice([1, 1, 2]), no_null=True)
        elif kind == "finalize":
            op["status"] = rng.choice(STATUSES)
        elif kind == "get":
            op["allow_deleted"] = rng.choice([None, "true", "TRUE", "false"])
        ops.append(op)
    return ops


@pytest.mark.rpc("MlflowService.createLoggedModel", "MlflowService.getLoggedModel", "MlflowService.finalizeLoggedModel",
                 "MlflowService.deleteLoggedModel", "MlflowService.setLoggedModelTags",
                 "MlflowService.deleteLoggedModelTag", "MlflowService.LogLoggedModelParams", case="both")
@pytest.mark.parametrize("seed", SEEDS)
def test_logged_model_ops_fuzz(parity, seed):
    ops = gen_ops(random.Random(seed))

    def sc(s):
        eid = new_exp(s, f"lm-ops-{seed}")
        run = new_run(s, eid)
        live = []
        for i, op in enumerate(ops):
            label = f"op{i} {op['kind']}"
            if op["kind"] == "create":
                extra = {k: v for k, v in (("model_type", op["type"]), ("params", op["params"]),
                                          ("tags", op["tags"])) if v}
                if op["run"]:
                    extra["source_run_id"] = run if op["run"] == "run" else "r-bogus"
                mid = new_model(s, eid, op["name"], **extra)
                if mid:
                    live.append(mid)
                    s.get(f"{LM}/{mid}", label=f"{label}: read back")
                continue
            target = live[op["target"] % len(live)] if live and op["which"] == "live" else MISSING
            if op["kind"] == "tags":
                s.call("PATCH", f"{LM}/{target}/tags", json_body={"model_id": target, "tags": op["tags"]}, label=label)
            elif op["kind"] == "del_tag":
                s.call("DELETE", f"{LM}/{target}/tags/{op['key']}", label=f"{label} {op['key']}")
            elif op["kind"] == "params":
                s.post(f"{LM}/{target}/params", {"model_id": target, "params": op["params"]}, label=label)
            elif op["kind"] == "finalize":
                finalize(s, target, op["status"], label=f"{label} {op['status']}")
            elif op["kind"] == "delete":
                s.call("DELETE", f"{LM}/{target}", label=label)
            else:
                query = {"allow_deleted": op["allow_deleted"]} if op["allow_deleted"] else None
                s.get(f"{LM}/{target}", query, label=f"{label} {op['allow_deleted']}")
                continue
            s.get(f"{LM}/{target}", {"allow_deleted": "true"}, label=f"{label}: read back")
        assert len(live) >= 3, live

    parity.check(sc)
