"""Seeded, stateful differential fuzzing of the native tracking RPCs over raw HTTP.

Each seed deterministically generates one sequence of operations (create/rename/delete/restore
experiments and runs, tags, params, metrics, batches, inputs; edge values near and over every
limit; wrong types and missing fields; operations on deleted or unknown objects), each mutation
followed by a read (getRun, metric history with pagination, bulk interval, the UI's bulk history,
searchRuns, searchExperiments, getExperiment / getExperimentByName). The sequence is generated
before it runs, from the seed alone, and refers to experiments and runs by *handle* (the n-th
one the sequence created); each side resolves handles to the ids its own server returned, so
both servers receive the same requests and their normalized transcripts must be equal, including
the order of lists inside run data.

The seed list is fixed (CI is deterministic); a seed's transcript step labels carry the
operation number, so a difference points at the operation that produced it.
Set MLFLOW_TS_FUZZ_SEEDS=1,2,3 and MLFLOW_TS_FUZZ_OPS=N to explore other sequences locally.
"""

from __future__ import annotations

import json
import os
import random

import pytest

import harness
from harness import group_by_run
from strict_numbers import unreadable_number

PREFIXES = ("/api/2.0", "/ajax-api/2.0")
T0 = 1_600_000_000_000
MISSING_RUN = "0123456789abcdef0123456789abcdef"
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
BULK = "GET /ajax-api/2.0/mlflow/metrics/get-history-bulk"

SEEDS = [int(x) for x in os.environ.get("MLFLOW_TS_FUZZ_SEEDS", "6,11,12,23").split(",") if x.strip()]
N_OPS = int(os.environ.get("MLFLOW_TS_FUZZ_OPS", "120"))

ALL_RPCS = (
    "MlflowService.createExperiment",
    "MlflowService.getExperiment",
    "MlflowService.getExperimentByName",
    "MlflowService.updateExperiment",
    "MlflowService.deleteExperiment",
    "MlflowService.restoreExperiment",
    "MlflowService.setExperimentTag",
    "MlflowService.deleteExperimentTag",
    "MlflowService.searchExperiments",
    "MlflowService.createRun",
    "MlflowService.getRun",
    "MlflowService.updateRun",
    "MlflowService.deleteRun",
    "MlflowService.restoreRun",
    "MlflowService.setTag",
    "MlflowService.deleteTag",
    "MlflowService.logParam",
    "MlflowService.logMetric",
    "MlflowService.logBatch",
    "MlflowService.logInputs",
    "MlflowService.searchRuns",
    "MlflowService.getMetricHistory",
    "MlflowService.getMetricHistoryBulkInterval",
    BULK,
)


# ---------------------------------------------------------------------------------------------
# Edge values


def _text(rng: random.Random, n: int) -> str:
    """A string of n code points: ASCII, BMP non-ASCII or astral (UTF-16 surrogate pairs)."""
    kind = rng.choice(["ascii", "ascii", "bmp", "astral", "mixed"])
    if kind == "ascii":
        return "x" * n
    if kind == "bmp":
        return "é" * n
    if kind == "astral":
        return "😀" * n
    return ("aé😀" * (n // 3 + 1))[:n]


def edge_key(rng: random.Random, base: str) -> object:
    r = rng.random()
    if r < 0.55:
        return base
    return rng.choice(
        [
            base + "é",
            base + "😀",
            "ключ_" + base,
            base + " sp",
            base + ".dot-dash_",
            "a/" + base,
            _text(rng, 249),
            _text(rng, 250),
            _text(rng, 251),
            "",
            " ",
            "../" + base,
            base + "/..",
            123,
            None,
            "MISSING",
        ]
    )


def edge_string(rng: random.Random, limit: int) -> object:
    r = rng.random()
    if r < 0.5:
        return rng.choice(["v", "1", "0.5", "true", "", " ", "naïve", "日本語", "😀", "a\nb", "x" * 40])
    if r < 0.85:
        n = rng.choice([limit - 1, limit, limit, limit + 1, limit // 2])
        return _text(rng, n)
    return rng.choice([3, 1.5, True, None, [], {"a": 1}, "MISSING"])


def edge_metric_value(rng: random.Random) -> object:
    return rng.choice(
        [
            0,
            1,
            -1,
            1.5,
            -3.25,
            0.1,
            -0.0,
            2.0,
            1e308,
            -1e308,
            5e-324,
            2**53,
            2**53 + 1,
            INT64_MAX,
            2**64,
            float("nan"),
            float("inf"),
            float("-inf"),
            "NaN",
            "Infinity",
            "-Infinity",
            "inf",
            "nan",
            "4.5",
            "1e3",
            "",
            "abc",
            True,
            None,
            [],
            "MISSING",
        ]
    )


def edge_int(rng: random.Random, common: list) -> object:
    if rng.random() < 0.6:
        return rng.choice(common)
    return rng.choice(
        [
            0,
            -1,
            -5,
            2**31,
            2**53,
            2**53 + 1,
            INT64_MAX,
            INT64_MIN,
            2**63,
            INT64_MIN - 1,
            3.0,
            1.5,
            -0.0,
            "7",
            "-7",
            "1e3",
            "abc",
            "",
            True,
            None,
            [],
            "MISSING",
        ]
    )


def put(d: dict, k: str, v: object) -> dict:
    if v != "MISSING" or isinstance(v, bool):
        d[k] = v
    return d


# ---------------------------------------------------------------------------------------------
# The generator: a list of abstract operations from the seed alone


class Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.seed = seed
        self.n_exp = 0
        self.n_run = 0
        self.metric_keys = ["m", "loss"]
        self.param_keys = ["p", "lr"]
        self.tag_keys = ["t", "mlflow.runName", "mlflow.note.content"]
        self.ops: list[dict] = []

    # references to earlier objects, occasionally unknown ones
    def exp_ref(self):
        r = self.rng.random()
        if self.n_exp == 0 or r < 0.05:
            return self.rng.choice([{"unknown": "987654321"}, {"unknown": "abc"}, {"unknown": ""}, {"unknown": None}])
        return {"exp": self.rng.randrange(self.n_exp)}

    def run_ref(self):
        r = self.rng.random()
        if self.n_run == 0 or r < 0.05:
            return self.rng.choice([{"unknown": MISSING_RUN}, {"unknown": "not-a-run"}, {"unknown": ""}, {"unknown": None}])
        # recent runs more often, so a run accumulates data
        i = max(0, self.n_run - 1 - int(self.rng.expovariate(0.7)))
        return {"run": i}

    def pick(self, pool: list, new_prefix: str):
        if self.rng.random() < 0.2:
            k = f"{new_prefix}{len(pool)}"
            pool.append(k)
            return k
        return self.rng.choice(pool)

    def metric(self, rng):
        key = edge_key(rng, self.pick(self.metric_keys, "m"))
        m = put({}, "key", key)
        put(m, "value", edge_metric_value(rng) if rng.random() < 0.4 else rng.choice([0, 1.5, -2, 3.25, 10]))
        put(m, "timestamp", edge_int(rng, [T0, T0 + 1, T0 + 2, T0, -1]) if rng.random() < 0.3 else T0 + rng.randrange(5))
        put(m, "step", edge_int(rng, [0, 1, 2, 3]) if rng.random() < 0.3 else rng.choice([0, 1, 2, 3, 4, "MISSING"]))
        return m

    def param(self, rng):
        p = put({}, "key", edge_key(rng, self.pick(self.param_keys, "p")))
        put(p, "value", edge_string(rng, 6000) if rng.random() < 0.35 else rng.choice(["1", "a", "b", ""]))
        return p

    def tag(self, rng, limit=8000):
        t = put({}, "key", edge_key(rng, self.pick(self.tag_keys, "t")))
        put(t, "value", edge_string(rng, limit) if rng.random() < 0.35 else rng.choice(["x", "y", ""]))
        return t

    def dataset(self, rng):
        ds = {
            "name": rng.choice(["train", "eval", "d"]),
            "digest": rng.choice(["abc", "def", "0" * 36]),
            "source_type": "local",
            "source": '{"uri": "/d"}',
        }
        r = rng.random()
        if r < 0.15:
            ds["name"] = _text(rng, rng.choice([499, 500, 501]))
        elif r < 0.3:
            ds["digest"] = "d" * rng.choice([35, 36, 37])
        elif r < 0.4:
            ds.pop(rng.choice(list(ds)))
        elif r < 0.5:
            ds["schema"] = '{"mlflow_colspec": []}'
            ds["profile"] = '{"num_rows": 1}'
        elif r < 0.55:
            ds["name"] = 5
        entry = {"dataset": ds}
        if rng.random() < 0.5:
            tv = rng.choice(["training", "eval", _text(rng, rng.choice([500, 501]))])
            entry["tags"] = [{"key": rng.choice(["mlflow.data.context", "k" * rng.choice([255, 256])]), "value": tv}]
        return entry

    def op(self, kind: str, **kw):
        kw["kind"] = kind
        kw["prefix"] = self.rng.choice(PREFIXES)
        self.ops.append(kw)

    def generate(self, n: int) -> list[dict]:
        rng = self.rng
        self.op("create_exp", name_kind="plain", tags=[])
        self.op("create_run", exp={"exp": 0}, body_extra={})
        self.n_exp, self.n_run = 1, 1
        weights = {
            "create_exp": 4,
            "rename_exp": 2,
            "delete_exp": 1.5,
            "restore_exp": 1.5,
            "set_exp_tag": 2,
            "delete_exp_tag": 1,
            "create_run": 6,
            "update_run": 3,
            "delete_run": 2,
            "restore_run": 2,
            "set_tag": 4,
            "delete_tag": 2,
            "log_param": 5,
            "log_metric": 8,
            "log_batch": 8,
            "log_inputs": 3,
        }
        kinds, ws = zip(*weights.items())
        while len(self.ops) < n:
            kind = rng.choices(kinds, ws)[0]
            if kind == "create_exp":
                tags = [self.tag(rng, 5000) for _ in range(rng.choice([0, 0, 1, 2]))]
                self.op("create_exp", name_kind=rng.choice(["plain"] * 6 + ["dup", "unicode", "long499", "long500", "long501", "empty", "astral"]), tags=tags)
                self.n_exp += 1
            elif kind == "rename_exp":
                self.op("rename_exp", exp=self.exp_ref(), name_kind=rng.choice(["plain", "plain", "dup", "empty", "unicode", "long501"]))
            elif kind in ("delete_exp", "restore_exp"):
                self.op(kind, exp=self.exp_ref())
            elif kind == "set_exp_tag":
                self.op(kind, exp=self.exp_ref(), tag=self.tag(rng, 5000))
            elif kind == "delete_exp_tag":
                self.op(kind, exp=self.exp_ref(), key=edge_key(rng, rng.choice(self.tag_keys)))
            elif kind == "create_run":
                extra = {}
                if rng.random() < 0.3:
                    put(extra, "run_name", edge_string(rng, 500))
                if rng.random() < 0.3:
                    extra["tags"] = [self.tag(rng) for _ in range(rng.choice([1, 2, 3]))]
                if rng.random() < 0.2:
                    put(extra, "user_id", rng.choice(["alice", "", "ü", 5]))
                if rng.random() < 0.1:
                    extra["start_time"] = rng.choice(["abc", -1, 1.5, "MISSING"])
                self.op("create_run", exp=self.exp_ref(), body_extra=extra)
                self.n_run += 1
            elif kind == "update_run":
                body = {}
                if rng.random() < 0.6:
                    put(body, "status", rng.choice(["RUNNING", "FINISHED", "FAILED", "KILLED", "SCHEDULED", "BAD", 3, "MISSING"]))
                if rng.random() < 0.4:
                    put(body, "end_time", edge_int(rng, [T0 + 10_000, T0 + 20_000]))
                if rng.random() < 0.4:
                    put(body, "run_name", edge_string(rng, 500))
                self.op("update_run", run=self.run_ref(), body=body)
            elif kind in ("delete_run", "restore_run"):
                self.op(kind, run=self.run_ref())
            elif kind == "set_tag":
                self.op(kind, run=self.run_ref(), tag=self.tag(rng))
            elif kind == "delete_tag":
                self.op(kind, run=self.run_ref(), key=edge_key(rng, rng.choice(self.tag_keys)))
            elif kind == "log_param":
                self.op(kind, run=self.run_ref(), param=self.param(rng))
            elif kind == "log_metric":
                self.op(kind, run=self.run_ref(), metric=self.metric(rng))
            elif kind == "log_batch":
                body = {}
                if rng.random() < 0.7:
                    ms = [self.metric(rng) for _ in range(rng.choice([1, 2, 3, 5, 12]))]
                    if rng.random() < 0.15:
                        ms = ms + ms[:1]  # exact duplicate inside one batch
                    if rng.random() < 0.03:
                        ms = ms[:1] * 1001
                    body["metrics"] = ms
                if rng.random() < 0.5:
                    ps = [self.param(rng) for _ in range(rng.choice([1, 2, 3]))]
                    if rng.random() < 0.3:
                        ps = ps + [dict(ps[0])]  # duplicate key, same value
                    if rng.random() < 0.15 and isinstance(ps[0].get("key"), str):
                        ps = ps + [{"key": ps[0]["key"], "value": "other"}]  # duplicate key, other value
                    body["params"] = ps
                if rng.random() < 0.4:
                    ts = [self.tag(rng) for _ in range(rng.choice([1, 2, 3]))]
                    if rng.random() < 0.3:
                        ts = ts + [dict(ts[0], value="again")]  # duplicate tag key: last wins
                    body["tags"] = ts
                if rng.random() < 0.05:
                    body[rng.choice(["metrics", "params", "tags"])] = rng.choice(["nope", {"key": "k"}, None, 5])
                self.op(kind, run=self.run_ref(), body=body)
            elif kind == "log_inputs":
                datasets = [self.dataset(rng) for _ in range(rng.choice([0, 1, 1, 2]))]
                if datasets and rng.random() < 0.2:
                    datasets.append(datasets[0])
                self.op(kind, run=self.run_ref(), datasets=datasets)
            # a read after every mutation
            self.ops.append(self.read())
        return self.ops

    def read(self) -> dict:
        rng = self.rng
        kind = rng.choices(
            ["get_run", "history", "bulk_interval", "bulk_ajax", "search_runs", "search_exps", "get_exp", "get_exp_by_name"],
            [6, 3, 2, 1.5, 3, 1.5, 1.5, 1],
        )[0]
        op = {"kind": kind, "prefix": rng.choice(PREFIXES)}
        if kind in ("get_run", "history", "bulk_interval", "bulk_ajax"):
            op["run"] = self.run_ref()
            op["run2"] = self.run_ref() if rng.random() < 0.3 else None
            op["key"] = rng.choice(self.metric_keys)
            op["max_results"] = rng.choice([None, None, 1, 2, 3, 1000, 0, -1, "x"])
            op["steps"] = rng.choice([None, None, (0, 2), (1, 1), (2, 0), (0, None), (-5, 2**40)])
        elif kind in ("get_exp", "get_exp_by_name"):
            op["exp"] = self.exp_ref()
        elif kind == "search_runs":
            op["filter"] = rng.choice(
                [
                    None,
                    None,
                    "metrics.m > 0",
                    "metrics.loss <= 10",
                    "params.p = '1'",
                    "params.lr != 'a'",
                    "tags.t = 'x'",
                    "attributes.status = 'FINISHED'",
                    "attributes.run_name LIKE '%'",
                    "metrics.m = 1.5",
                    "tags.t ILIKE 'X%'",
                ]
            )
            op["order_by"] = rng.choice([None, None, ["metrics.m DESC"], ["params.p"], ["attributes.start_time ASC"], ["tags.t DESC"]])
            op["view"] = rng.choice([None, None, "ALL", "DELETED_ONLY", "ACTIVE_ONLY"])
            op["max_results"] = rng.choice([None, None, 2, 3])
            op["pages"] = rng.choice([1, 1, 2])
        elif kind == "search_exps":
            op["view"] = rng.choice([None, "ALL", "DELETED_ONLY"])
            op["order_by"] = rng.choice([None, ["name"], ["name DESC"], ["experiment_id"]])
            op["max_results"] = rng.choice([None, 2])
            op["filter_extra"] = rng.choice([None, None, "tags.t = 'x'", "tags.t LIKE '%'"])
        return op


# ---------------------------------------------------------------------------------------------
# The executor: one side runs the sequence, resolving handles to its own ids


class Runner:
    def __init__(self, s, seed: int):
        self.s = s
        self.seed = seed
        self.exps: list = []  # handle -> experiment id (or None)
        self.exp_names: list = []
        self.runs: list = []  # handle -> run id (or None)
        self.run_start: list = []
        self.n_created_exps = 0

    def exp_id(self, ref):
        if "unknown" in ref:
            return ref["unknown"]
        return self.exps[ref["exp"]] if ref["exp"] < len(self.exps) else None

    def run_id(self, ref):
        if "unknown" in ref:
            return ref["unknown"]
        return self.runs[ref["run"]] if ref["run"] < len(self.runs) else None

    def exp_name(self, kind: str, i: int) -> object:
        base = self.s.name(f"s{self.seed}-{i}")
        if kind == "dup" and self.exp_names:
            return self.exp_names[i % len(self.exp_names)]
        return {
            "plain": base,
            "dup": base,
            "unicode": base + "-ünï-😀",
            "astral": base + "😀" * 40,
            "long499": (base + "x" * 500)[:499],
            "long500": (base + "x" * 500)[:500],
            "long501": (base + "x" * 501)[:501],
            "empty": "",
        }[kind]

    def step(self, i: int, op: dict) -> None:
        s = self.s
        k = op["kind"]
        p = op["prefix"]
        lab = f"op{i} {k}"

        def post(path, body, label=lab):
            # A number ParseDict cannot read: Python stores defaults, mlflow-ts refuses (docs/
            # parity-differences.md section 2 item 6). Sent to neither side, so both databases stay
            # equal; test_http_edge_cases.py and the vitest suite cover the refusal itself.
            bad = unreadable_number(path, body)
            if bad is not None:
                s.observe(f"{label} POST {p}{path}", f"not sent: unreadable number in '{bad}'")
                return 0, {}
            # json.dumps, not requests' json=: NaN and Infinity go out as the bare tokens Python's
            # json module writes (and MLflow's parser reads); requests refuses them
            return s.call(
                "POST",
                path,
                data=json.dumps(body, allow_nan=True).encode(),
                headers={"Content-Type": "application/json"},
                prefix=p,
                label=f"{label} POST {p}{path}",
            )

        def get(path, params, label=lab, **kw):
            return s.get(path, params, prefix=p, label=f"{label} GET {p}{path}", **kw)

        def rid_field(ref):
            v = self.run_id(ref)
            return {} if v is None else {"run_id": v}

        if k == "create_exp":
            name = self.exp_name(op["name_kind"], len(self.exps))
            body = put({}, "name", name)
            if op["tags"]:
                body["tags"] = op["tags"]
            st, out = post("/mlflow/experiments/create", body)
            eid = out.get("experiment_id") if st == 200 and isinstance(out, dict) else None
            self.exps.append(eid)
            self.exp_names.append(name if eid else None)
        elif k == "rename_exp":
            eid = self.exp_id(op["exp"])
            name = self.exp_name(op["name_kind"], 1000 + i)
            post("/mlflow/experiments/update", put(put({}, "experiment_id", eid), "new_name", name))
            if st_ok(s) and "exp" in op["exp"]:
                self.exp_names[op["exp"]["exp"]] = name
        elif k in ("delete_exp", "restore_exp"):
            verb = "delete" if k == "delete_exp" else "restore"
            post(f"/mlflow/experiments/{verb}", put({}, "experiment_id", self.exp_id(op["exp"])))
        elif k == "set_exp_tag":
            post("/mlflow/experiments/set-experiment-tag", dict(op["tag"], **put({}, "experiment_id", self.exp_id(op["exp"]))))
        elif k == "delete_exp_tag":
            post("/mlflow/experiments/delete-experiment-tag", put(put({}, "experiment_id", self.exp_id(op["exp"])), "key", op["key"]))
        elif k == "create_run":
            body = {"start_time": T0 + 1000 * len(self.runs)}  # unique: search order never ties
            body.update(op["body_extra"])
            if body.get("start_time") == "MISSING":
                del body["start_time"]
            put(body, "experiment_id", self.exp_id(op["exp"]))
            st, out = post("/mlflow/runs/create", body)
            rid = out["run"]["info"]["run_id"] if st == 200 and isinstance(out, dict) and "run" in out else None
            self.runs.append(rid)
        elif k == "update_run":
            post("/mlflow/runs/update", dict(op["body"], **rid_field(op["run"])))
        elif k in ("delete_run", "restore_run"):
            verb = "delete" if k == "delete_run" else "restore"
            post(f"/mlflow/runs/{verb}", rid_field(op["run"]))
        elif k == "set_tag":
            post("/mlflow/runs/set-tag", dict(op["tag"], **rid_field(op["run"])))
        elif k == "delete_tag":
            post("/mlflow/runs/delete-tag", put(rid_field(op["run"]), "key", op["key"]))
        elif k == "log_param":
            post("/mlflow/runs/log-parameter", dict(op["param"], **rid_field(op["run"])))
        elif k == "log_metric":
            post("/mlflow/runs/log-metric", dict(op["metric"], **rid_field(op["run"])))
        elif k == "log_batch":
            post("/mlflow/runs/log-batch", dict(op["body"], **rid_field(op["run"])))
        elif k == "log_inputs":
            post("/mlflow/runs/log-inputs", dict({"datasets": op["datasets"]}, **rid_field(op["run"])))
        elif k == "get_run":
            get("/mlflow/runs/get", rid_field(op["run"]))
        elif k == "history":
            params = dict(rid_field(op["run"]), metric_key=op["key"])
            if op["max_results"] is not None:
                params["max_results"] = str(op["max_results"])
            st, out = get("/mlflow/metrics/get-history", params)
            pages = 0
            while st == 200 and isinstance(out, dict) and out.get("next_page_token") and pages < 4:
                pages += 1
                st, out = get("/mlflow/metrics/get-history", dict(params, page_token=out["next_page_token"]), label=f"{lab} page {pages}")
        elif k in ("bulk_interval", "bulk_ajax"):
            ids = [x for x in (self.run_id(op["run"]), self.run_id(op["run2"]) if op["run2"] else None) if x is not None]
            ids = sorted(set(ids))
            field = "run_ids" if k == "bulk_interval" else "run_id"
            params = [(field, x) for x in ids] + [("metric_key", op["key"])]
            if op["max_results"] is not None:
                params.append(("max_results", str(op["max_results"])))
            if k == "bulk_interval" and op["steps"] is not None:
                a, b = op["steps"]
                params.append(("start_step", str(a)))
                if b is not None:
                    params.append(("end_step", str(b)))
            order = [x for x in self.runs if x in ids]
            tf = group_by_run("metrics", ids, order)
            if k == "bulk_interval":
                get("/mlflow/metrics/get-history-bulk-interval", params, transform=tf)
            else:
                s.get("/mlflow/metrics/get-history-bulk", params, prefix="/ajax-api/2.0", label=f"{lab} GET ajax bulk", transform=tf)
        elif k == "search_runs":
            eids = [e for e in self.exps if e is not None]
            body = {"experiment_ids": eids}
            for f, v in (("filter", op["filter"]), ("order_by", op["order_by"]), ("run_view_type", op["view"]), ("max_results", op["max_results"])):
                if v is not None:
                    body[f] = v
            st, out = post("/mlflow/runs/search", body)
            for pg in range(1, op["pages"]):
                if st == 200 and isinstance(out, dict) and out.get("next_page_token"):
                    st, out = post("/mlflow/runs/search", dict(body, page_token=out["next_page_token"]), label=f"{lab} page {pg}")
        elif k == "search_exps":
            flt = f"name LIKE '{s.name(f's{self.seed}-')}%'"
            if op["filter_extra"]:
                flt += " AND " + op["filter_extra"]
            body = {"filter": flt}
            for f, v in (("view_type", op["view"]), ("order_by", op["order_by"]), ("max_results", op["max_results"])):
                if v is not None:
                    body[f] = v
            st, out = post("/mlflow/experiments/search", body)
            if st == 200 and isinstance(out, dict) and out.get("next_page_token"):
                post("/mlflow/experiments/search", dict(body, page_token=out["next_page_token"]), label=f"{lab} page 1")
        elif k == "get_exp":
            get("/mlflow/experiments/get", put({}, "experiment_id", self.exp_id(op["exp"])))
        elif k == "get_exp_by_name":
            ref = op["exp"]
            name = self.exp_names[ref["exp"]] if "exp" in ref and ref["exp"] < len(self.exp_names) else "no such experiment"
            get("/mlflow/experiments/get-by-name", put({}, "experiment_name", name))
        else:  # pragma: no cover
            raise AssertionError(k)


def st_ok(s) -> bool:
    last = s.transcript[-1] if s.transcript else {}
    return last.get("status") == 200


def run_sequence(s, seed: int, n_ops: int = N_OPS) -> None:
    ops = Gen(seed).generate(n_ops)
    r = Runner(s, seed)
    for i, op in enumerate(ops):
        r.step(i, op)


# Seeds whose sequence logs integers beyond 2**53: an open parity bug (docs/parity-differences.md,
# section 4.1). Strict: the day it is fixed these pass and the marker must go.
INT64_PRECISION_SEEDS = {6}


def _seed_param(seed: int):
    if seed in INT64_PRECISION_SEEDS:
        return pytest.param(
            seed,
            marks=pytest.mark.xfail(strict=True, reason="known limitation 4.1: int64 beyond 2**53"),
        )
    return seed


@pytest.mark.rpc(*ALL_RPCS, case="both")
@pytest.mark.parametrize("seed", [_seed_param(x) for x in SEEDS])
def test_differential_fuzz(parity, seed):
    # the seed in the key: experiment names and MLFLOW_TS_PARITY_DUMP files per seed
    harness.compare(parity.pair, lambda s: run_sequence(s, seed), f"{parity.test_key}_s{seed}")


def test_generator_is_deterministic():
    a = Gen(SEEDS[0]).generate(N_OPS)
    b = Gen(SEEDS[0]).generate(N_OPS)
    assert repr(a) == repr(b)
    assert len(a) >= N_OPS
    kinds = {op["kind"] for seed in SEEDS for op in Gen(seed).generate(N_OPS)}
    assert {"create_run", "log_batch", "log_metric", "get_run", "search_runs"} <= kinds
