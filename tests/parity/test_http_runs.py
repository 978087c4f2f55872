"""Raw HTTP: the run RPCs (create/get/update/delete/restore/tags/logging/inputs/search)."""

import pytest

PREFIXES = ("/api/2.0", "/ajax-api/2.0")
T0 = 1_600_000_000_000  # fixed client timestamps: compared exactly
MISSING_RUN = "0123456789abcdef0123456789abcdef"


def new_exp(s, suffix="e"):
    _, out = s.post("/mlflow/experiments/create", {"name": s.name(suffix)})
    return out.get("experiment_id")


def new_run(s, eid, i=0, **extra):
    body = {"experiment_id": eid, "start_time": T0 + i * 1000}
    body.update(extra)
    _, out = s.post("/mlflow/runs/create", body)
    return out["run"]["info"]["run_id"] if isinstance(out, dict) and "run" in out else None


@pytest.mark.rpc("MlflowService.createRun", "MlflowService.getRun", case="ok")
def test_create_and_get_run(parity):
    def sc(s):
        eid = new_exp(s)
        for p in PREFIXES:
            _, out = s.post(
                "/mlflow/runs/create",
                {
                    "experiment_id": eid,
                    "start_time": T0,
                    "run_name": "named_run" + p[1:4],
                    "user_id": "alice",
                    "tags": [{"key": "t1", "value": "v1"}, {"key": "mlflow.source.type", "value": "LOCAL"}],
                },
                prefix=p,
            )
            rid = out["run"]["info"]["run_id"]
            for q in PREFIXES:
                s.get("/mlflow/runs/get", {"run_id": rid}, prefix=q)
            s.get("/mlflow/runs/get", {"run_uuid": rid})
        # generated name, no start time, no user, name given as tag only
        s.post("/mlflow/runs/create", {"experiment_id": eid})
        s.post("/mlflow/runs/create", {"experiment_id": eid, "start_time": T0, "tags": [{"key": "mlflow.runName", "value": "from_tag"}]})
        s.post("/mlflow/runs/create", {"experiment_id": eid, "start_time": T0, "run_name": "a", "tags": [{"key": "mlflow.runName", "value": "a"}]})
        # default experiment when experiment_id is omitted
        s.post("/mlflow/runs/create", {"start_time": T0, "run_name": "in_default"})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.createRun", "MlflowService.getRun", case="error")
def test_create_and_get_run_errors(parity):
    def sc(s):
        eid = new_exp(s)
        s.post("/mlflow/runs/create", {"experiment_id": "987654321", "start_time": T0})
        s.post("/mlflow/runs/create", {"experiment_id": eid, "start_time": "yesterday"})
        s.post("/mlflow/runs/create", {"experiment_id": eid, "start_time": T0, "run_name": "a", "tags": [{"key": "mlflow.runName", "value": "b"}]})
        s.post("/mlflow/runs/create", {"experiment_id": eid, "tags": [{"key": "k" * 251, "value": "v"}]})
        s.post("/mlflow/runs/create", {"experiment_id": eid, "tags": "nope"})
        s.post("/mlflow/experiments/delete", {"experiment_id": eid})
        s.post("/mlflow/runs/create", {"experiment_id": eid, "start_time": T0})
        s.get("/mlflow/runs/get", {"run_id": MISSING_RUN})
        s.get("/mlflow/runs/get", {})
        s.get("/mlflow/runs/get", {"run_id": ""})
        s.get("/mlflow/runs/get", {"run_id": "not a run id"})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.updateRun", "MlflowService.deleteRun", "MlflowService.restoreRun", case="both")
def test_update_delete_restore_run(parity):
    def sc(s):
        eid = new_exp(s)
        rid = new_run(s, eid, run_name="before")
        s.post("/mlflow/runs/update", {"run_id": rid, "status": "FINISHED", "end_time": T0 + 5000})
        s.post("/mlflow/runs/update", {"run_id": rid, "run_name": "after"}, prefix="/ajax-api/2.0")
        s.post("/mlflow/runs/update", {"run_uuid": rid, "status": "FAILED"})
        s.post("/mlflow/runs/update", {"run_id": rid, "run_name": ""})
        s.get("/mlflow/runs/get", {"run_id": rid})
        s.post("/mlflow/runs/update", {"run_id": rid, "status": "SOMETHING"})
        s.post("/mlflow/runs/update", {"run_id": rid, "end_time": "later"})
        s.post("/mlflow/runs/update", {"run_id": MISSING_RUN, "status": "FINISHED"})
        s.post("/mlflow/runs/update", {})
        s.post("/mlflow/runs/delete", {"run_id": rid})
        s.get("/mlflow/runs/get", {"run_id": rid})
        s.post("/mlflow/runs/update", {"run_id": rid, "status": "KILLED"})
        s.post("/mlflow/runs/delete", {"run_id": rid}, prefix="/ajax-api/2.0")
        s.post("/mlflow/runs/restore", {"run_id": rid})
        s.post("/mlflow/runs/restore", {"run_id": rid}, prefix="/ajax-api/2.0")
        s.get("/mlflow/runs/get", {"run_id": rid})
        s.post("/mlflow/runs/delete", {"run_id": MISSING_RUN})
        s.post("/mlflow/runs/restore", {"run_id": MISSING_RUN})
        s.post("/mlflow/runs/delete", {})
        s.post("/mlflow/runs/restore", {})
        # a deleted experiment's runs
        rid2 = new_run(s, eid, 1, run_name="second")
        s.post("/mlflow/experiments/delete", {"experiment_id": eid})
        s.get("/mlflow/runs/get", {"run_id": rid2})
        s.post("/mlflow/experiments/restore", {"experiment_id": eid})
        s.get("/mlflow/runs/get", {"run_id": rid2})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.setTag", "MlflowService.deleteTag", case="both")
def test_run_tags(parity):
    def sc(s):
        eid = new_exp(s)
        rid = new_run(s, eid, run_name="tagged")
        for p in PREFIXES:
            s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "k" + p[1:4], "value": "v"}, prefix=p)
        s.post("/mlflow/runs/set-tag", {"run_uuid": rid, "key": "legacy", "value": "v"})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "k", "value": "1"})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "k", "value": "2"})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "mlflow.runName", "value": "renamed_by_tag"})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "empty", "value": ""})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "long", "value": "x" * 8000})
        s.get("/mlflow/runs/get", {"run_id": rid})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "toolong", "value": "x" * 8001})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "k" * 251, "value": "v"})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "/abs", "value": "v"})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "a/../b", "value": "v"})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "value": "v"})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "nov"})
        s.post("/mlflow/runs/set-tag", {"key": "k", "value": "v"})
        s.post("/mlflow/runs/set-tag", {"run_id": MISSING_RUN, "key": "k", "value": "v"})
        for p in PREFIXES:
            s.post("/mlflow/runs/delete-tag", {"run_id": rid, "key": "k" + p[1:4]}, prefix=p)
        s.post("/mlflow/runs/delete-tag", {"run_id": rid, "key": "never"})
        s.post("/mlflow/runs/delete-tag", {"run_id": rid})
        s.post("/mlflow/runs/delete-tag", {"run_id": MISSING_RUN, "key": "k"})
        s.get("/mlflow/runs/get", {"run_id": rid})
        s.post("/mlflow/runs/delete", {"run_id": rid})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "k", "value": "v"})
        s.post("/mlflow/runs/delete-tag", {"run_id": rid, "key": "k"})
        s.post("/mlflow/runs/update", {"run_id": rid, "status": "FINISHED"})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.logParam", case="both")
def test_log_param(parity):
    def sc(s):
        eid = new_exp(s)
        rid = new_run(s, eid, run_name="params")
        for p in PREFIXES:
            s.post("/mlflow/runs/log-parameter", {"run_id": rid, "key": "p" + p[1:4], "value": "1"}, prefix=p)
        s.post("/mlflow/runs/log-parameter", {"run_id": rid, "key": "same", "value": "a"})
        s.post("/mlflow/runs/log-parameter", {"run_id": rid, "key": "same", "value": "a"})  # idempotent
        s.post("/mlflow/runs/log-parameter", {"run_id": rid, "key": "same", "value": "b"})  # change refused
        s.post("/mlflow/runs/log-parameter", {"run_id": rid, "key": "empty", "value": ""})
        s.post("/mlflow/runs/log-parameter", {"run_id": rid, "key": "big", "value": "v" * 6000})
        s.post("/mlflow/runs/log-parameter", {"run_id": rid, "key": "toobig", "value": "v" * 6001})
        s.post("/mlflow/runs/log-parameter", {"run_id": rid, "key": "k" * 251, "value": "v"})
        s.post("/mlflow/runs/log-parameter", {"run_id": rid, "key": "num", "value": 3})
        s.post("/mlflow/runs/log-parameter", {"run_id": rid, "value": "v"})
        s.post("/mlflow/runs/log-parameter", {"run_id": rid, "key": "nov"})
        s.post("/mlflow/runs/log-parameter", {"run_uuid": rid, "key": "legacy", "value": "v"})
        s.post("/mlflow/runs/log-parameter", {"run_id": MISSING_RUN, "key": "k", "value": "v"})
        s.get("/mlflow/runs/get", {"run_id": rid})
        s.post("/mlflow/runs/update", {"run_id": rid, "status": "FINISHED"})
        s.post("/mlflow/runs/log-parameter", {"run_id": rid, "key": "after_finish", "value": "v"})
        s.post("/mlflow/runs/delete", {"run_id": rid})
        s.post("/mlflow/runs/log-parameter", {"run_id": rid, "key": "after_delete", "value": "v"})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.logMetric", case="both")
def test_log_metric(parity):
    def sc(s):
        eid = new_exp(s)
        rid = new_run(s, eid, run_name="metrics")
        for p in PREFIXES:
            s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "m", "value": 1.5, "timestamp": T0, "step": 0}, prefix=p)
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "m", "value": 2, "timestamp": T0 + 1, "step": 1})
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "m", "value": -3.25, "timestamp": T0 + 2})
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "nan", "value": "NaN", "timestamp": T0})
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "inf", "value": "Infinity", "timestamp": T0})
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "ninf", "value": "-Infinity", "timestamp": T0})
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "big", "value": 1e308, "timestamp": T0, "step": 2**53})
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "strnum", "value": "4.5", "timestamp": str(T0), "step": "3"})
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "no_ts", "value": 1})
        s.get("/mlflow/runs/get", {"run_id": rid})
        # errors
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "m", "timestamp": T0})
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "value": 1, "timestamp": T0})
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "m", "value": "abc", "timestamp": T0})
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "m", "value": 1, "timestamp": "now"})
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "m", "value": 1, "timestamp": T0, "step": 1.5})
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "k" * 251, "value": 1, "timestamp": T0})
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "a/../b", "value": 1, "timestamp": T0})
        s.post("/mlflow/runs/log-metric", {"run_id": MISSING_RUN, "key": "m", "value": 1, "timestamp": T0})
        s.post("/mlflow/runs/delete", {"run_id": rid})
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "m", "value": 1, "timestamp": T0})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.logBatch", case="both")
def test_log_batch(parity):
    def sc(s):
        eid = new_exp(s)
        rid = new_run(s, eid, run_name="batch")
        metrics = [{"key": f"m{i % 3}", "value": i / 7, "timestamp": T0 + i, "step": i} for i in range(30)]
        params = [{"key": f"p{i}", "value": str(i)} for i in range(10)]
        tags = [{"key": f"t{i}", "value": f"v{i}"} for i in range(5)]
        for p in PREFIXES:
            s.post("/mlflow/runs/log-batch", {"run_id": rid, "metrics": metrics[:15], "params": params[:5], "tags": tags}, prefix=p)
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "metrics": metrics[15:], "params": params[5:]})
        s.post("/mlflow/runs/log-batch", {"run_id": rid})
        s.get("/mlflow/runs/get", {"run_id": rid})
        # duplicate param keys inside one batch, conflicting existing param, empty values
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "params": [{"key": "d", "value": "1"}, {"key": "d", "value": "1"}]})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "params": [{"key": "x", "value": "1"}, {"key": "x", "value": "2"}]})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "params": [{"key": "p0", "value": "changed"}]})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "tags": [{"key": "t0", "value": "overwritten"}]})
        # limits
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "metrics": [{"key": "m", "value": 1, "timestamp": T0, "step": 0}] * 1001})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "params": [{"key": f"q{i}", "value": "v"} for i in range(101)]})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "tags": [{"key": f"u{i}", "value": "v"} for i in range(101)]})
        s.post(
            "/mlflow/runs/log-batch",
            {
                "run_id": rid,
                "metrics": [{"key": "m", "value": 1, "timestamp": T0, "step": 0}] * 900,
                "params": [{"key": f"r{i}", "value": "v"} for i in range(100)],
                "tags": [{"key": f"w{i}", "value": "v"} for i in range(1)],
            },
        )
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "params": [{"key": "long", "value": "v" * 6001}]})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "tags": [{"key": "long", "value": "v" * 8001}]})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "metrics": [{"key": "m", "value": 1}]})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "metrics": [{"value": 1, "timestamp": T0}]})
        # a metric value ParseDict cannot read ("x"): test_http_edge_cases.py::test_unreadable_numbers_refused
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "metrics": {"key": "m"}})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "params": [{"key": "nov"}]})
        s.post("/mlflow/runs/log-batch", {"metrics": metrics[:1]})
        s.post("/mlflow/runs/log-batch", {"run_id": MISSING_RUN, "metrics": metrics[:1]})
        s.get("/mlflow/runs/get", {"run_id": rid})
        s.post("/mlflow/runs/delete", {"run_id": rid})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "params": [{"key": "z", "value": "1"}]})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.logInputs", case="both")
def test_log_inputs(parity):
    def sc(s):
        eid = new_exp(s)
        rid = new_run(s, eid, run_name="inputs")
        ds = {
            "name": "train",
            "digest": "abc123",
            "source_type": "local",
            "source": '{"uri": "/data/train.csv"}',
            "schema": '{"mlflow_colspec": [{"type": "double", "name": "x"}]}',
            "profile": '{"num_rows": 3}',
        }
        for p in PREFIXES:
            s.post(
                "/mlflow/runs/log-inputs",
                {"run_id": rid, "datasets": [{"dataset": ds, "tags": [{"key": "mlflow.data.context", "value": "train" + p[1:4]}]}]},
                prefix=p,
            )
        s.post("/mlflow/runs/log-inputs", {"run_id": rid, "datasets": [{"dataset": dict(ds, name="eval", digest="def456")}]})
        s.post("/mlflow/runs/log-inputs", {"run_id": rid, "datasets": []})
        s.post("/mlflow/runs/log-inputs", {"run_id": rid})
        minimal = {"name": "m", "digest": "d", "source_type": "code", "source": "{}"}
        s.post("/mlflow/runs/log-inputs", {"run_id": rid, "datasets": [{"dataset": minimal}]})
        s.get("/mlflow/runs/get", {"run_id": rid})
        # errors
        s.post("/mlflow/runs/log-inputs", {"run_id": rid, "datasets": [{"dataset": {"name": "n"}}]})
        s.post("/mlflow/runs/log-inputs", {"run_id": rid, "datasets": [{}]})
        s.post("/mlflow/runs/log-inputs", {"run_id": rid, "datasets": [{"dataset": dict(minimal, name="x" * 501)}]})
        s.post("/mlflow/runs/log-inputs", {"run_id": rid, "datasets": "nope"})
        s.post("/mlflow/runs/log-inputs", {"datasets": [{"dataset": minimal}]})
        s.post("/mlflow/runs/log-inputs", {"run_id": MISSING_RUN, "datasets": [{"dataset": minimal}]})
        s.post("/mlflow/runs/delete", {"run_id": rid})
        s.post("/mlflow/runs/log-inputs", {"run_id": rid, "datasets": [{"dataset": minimal}]})

    parity.check(sc)


def _seed_search(s):
    eid = new_exp(s, "search")
    ids = []
    for i in range(6):
        rid = new_run(s, eid, i, run_name=f"run_{i}", tags=[{"key": "grp", "value": "ab"[i % 2]}])
        ids.append(rid)
        s.post(
            "/mlflow/runs/log-batch",
            {
                "run_id": rid,
                "metrics": [{"key": "acc", "value": i / 10, "timestamp": T0, "step": 0}, {"key": "loss", "value": 1 - i / 10, "timestamp": T0, "step": 0}],
                "params": [{"key": "lr", "value": str(0.1 * (i + 1))}, {"key": "opt", "value": "sgd" if i < 3 else "adam"}],
            },
        )
    s.post("/mlflow/runs/update", {"run_id": ids[1], "status": "FINISHED", "end_time": T0 + 99_000})
    s.post("/mlflow/runs/update", {"run_id": ids[2], "status": "FAILED", "end_time": T0 + 98_000})
    s.post("/mlflow/runs/delete", {"run_id": ids[5]})
    return eid, ids


@pytest.mark.rpc("MlflowService.searchRuns", case="ok")
def test_search_runs(parity):
    def sc(s):
        eid, ids = _seed_search(s)
        e = [eid]
        for p in PREFIXES:
            s.post("/mlflow/runs/search", {"experiment_ids": e}, prefix=p)
        s.post("/mlflow/runs/search", {"experiment_ids": e, "run_view_type": "ALL"})
        s.post("/mlflow/runs/search", {"experiment_ids": e, "run_view_type": "DELETED_ONLY"})
        for f in [
            "metrics.acc > 0.25",
            "metrics.acc >= 0.2 AND params.opt = 'sgd'",
            "params.lr LIKE '0.3%'",
            "params.opt ILIKE 'ADAM'",
            "tags.grp = 'a'",
            "tags.grp != 'a'",
            "attributes.status = 'FINISHED'",
            "status != 'RUNNING'",
            "attributes.run_name = 'run_3'",
            "run_name LIKE 'run_%'",
            f"attributes.start_time > {T0 + 2500}",
            "attributes.end_time IS NOT NULL",
            f"attributes.run_id = '{ids[0]}'",
            f"attributes.run_id IN ('{ids[0]}', '{ids[3]}')",
            "tags.grp IN ('b')",
            "params.missing = 'x'",
            "metrics.loss < 0.75 and tags.`grp` = \"b\"",
            "tags.mlflow.runName = 'run_4'",
        ]:
            s.post("/mlflow/runs/search", {"experiment_ids": e, "filter": f}, label=f"search: {f}")
        for order in (
            ["metrics.acc DESC"],
            ["params.lr"],
            ["attributes.start_time ASC"],
            ["tags.grp DESC", "metrics.loss"],
            ["attributes.run_name DESC"],
            ["attributes.end_time"],
            ["status"],
        ):
            s.post("/mlflow/runs/search", {"experiment_ids": e, "order_by": order}, label=f"order: {order}")
        # paging
        token = None
        for _ in range(5):
            body = {"experiment_ids": e, "max_results": 2, "order_by": ["metrics.acc"]}
            if token:
                body["page_token"] = token
            _, out = s.post("/mlflow/runs/search", body)
            token = out.get("next_page_token") if isinstance(out, dict) else None
            if not token:
                break
        # several experiments, including one with no runs and the default one
        empty = new_exp(s, "empty")
        s.post("/mlflow/runs/search", {"experiment_ids": [eid, empty], "filter": "params.opt = 'adam'"})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.searchRuns", case="error")
def test_search_runs_errors(parity):
    def sc(s):
        eid, _ = _seed_search(s)
        e = [eid]
        for f in [
            "metrics.acc >",
            "metrics.acc > 'x'",
            "params.lr > 1",
            "nonsense",
            "attributes.bogus = 1",
            "tags.grp = 'a' OR tags.grp = 'b'",
            "attributes.run_id IN ()",
            "metrics.acc = 1 AND",
            "status = RUNNING",
        ]:
            s.post("/mlflow/runs/search", {"experiment_ids": e, "filter": f}, label=f"bad filter: {f}")
        for order in (["bogus.key"], ["metrics.acc SIDEWAYS"], ["attributes.nope"]):
            s.post("/mlflow/runs/search", {"experiment_ids": e, "order_by": order}, label=f"bad order: {order}")
        s.post("/mlflow/runs/search", {"experiment_ids": e, "max_results": 50001})
        s.post("/mlflow/runs/search", {"experiment_ids": e, "max_results": 0})
        s.post("/mlflow/runs/search", {"experiment_ids": e, "max_results": -5})
        s.post("/mlflow/runs/search", {"experiment_ids": e, "page_token": "garbage"})
        s.post("/mlflow/runs/search", {"experiment_ids": e, "page_token": "eyJvZmZzZXQiOiAiYSJ9"})
        s.post("/mlflow/runs/search", {"experiment_ids": e, "run_view_type": "NOPE"})
        s.post("/mlflow/runs/search", {"experiment_ids": "1"})
        s.post("/mlflow/runs/search", {"experiment_ids": ["987654321"]})
        s.post("/mlflow/runs/search", {})
        s.post("/mlflow/runs/search", {"experiment_ids": []})

    parity.check(sc)
