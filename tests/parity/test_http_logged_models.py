"""Raw HTTP: logged models (MLflow 3's model records) and a run's model outputs.

createLoggedModel, getLoggedModel, finalizeLoggedModel, deleteLoggedModel, setLoggedModelTags,
deleteLoggedModelTag, LogLoggedModelParams, searchLoggedModels and logOutputs. Model ids are
random on both sides (`m-<32 hex>`) and normalized like run ids; models are created a few
milliseconds apart so that the default order (creation time, then id) does not depend on them.
"""

import base64
import json
import time

import pytest

from test_http_runs import T0, new_exp, new_run

LM = "/mlflow/logged-models"
MODEL_RPCS = (
    "MlflowService.createLoggedModel",
    "MlflowService.getLoggedModel",
    "MlflowService.finalizeLoggedModel",
    "MlflowService.deleteLoggedModel",
    "MlflowService.setLoggedModelTags",
    "MlflowService.deleteLoggedModelTag",
    "MlflowService.LogLoggedModelParams",
)


def new_model(s, eid, name=None, **extra):
    time.sleep(0.004)
    body = {"experiment_id": eid, **extra}
    if name is not None:
        body["name"] = name
    _, out = s.post(LM, body, label=f"create {name}")
    return out["model"]["info"]["model_id"] if isinstance(out, dict) and "model" in out else None


def finalize(s, mid, status, **kw):
    return s.call("PATCH", f"{LM}/{mid}", json_body={"model_id": mid, "status": status}, **kw)


def log_model_metric(s, run_id, mid, key, value, step=0, ts=T0, **extra):
    body = {"run_id": run_id, "key": key, "value": value, "timestamp": ts, "step": step, "model_id": mid, **extra}
    s.post("/mlflow/runs/log-metric", body, record=False)


@pytest.mark.rpc(*MODEL_RPCS, case="ok")
def test_logged_model_lifecycle(parity):
    def sc(s):
        eid = new_exp(s)
        run = new_run(s, eid)
        full = new_model(
            s, eid, "full", model_type="sklearn", source_run_id=run,
            params=[{"key": "alpha", "value": "0.5"}, {"key": "l1", "value": ""}],
            tags=[{"key": "team", "value": "a"}, {"key": "z", "value": "1"}],
        )
        unnamed = new_model(s, eid)
        new_model(s, eid, "")  # an empty name is no name
        for prefix in ("/api/2.0", "/ajax-api/2.0"):
            s.get(f"{LM}/{full}", prefix=prefix)
        s.get(f"{LM}/{unnamed}")
        finalize(s, full, "LOGGED_MODEL_READY")
        finalize(s, unnamed, 3, label="finalize by number")
        finalize(s, unnamed, "LOGGED_MODEL_STATUS_UNSPECIFIED")
        s.call("PATCH", f"{LM}/{full}/tags", json_body={"model_id": full, "tags": [
            {"key": "team", "value": "b"}, {"key": "new", "value": "x"}, {"key": "new", "value": "y"},
        ]})
        s.call("PATCH", f"{LM}/{full}/tags", json_body={"tags": [{"key": "bare"}]}, label="a tag without value")
        s.call("PATCH", f"{LM}/{full}/tags", json_body={}, label="no tags")
        s.call("DELETE", f"{LM}/{full}/tags/z")
        s.post(f"{LM}/{full}/params", {"model_id": full, "params": [{"key": "beta", "value": "2"}]})
        s.post(f"{LM}/{full}/params", {"model_id": full}, label="no params")
        s.get(f"{LM}/{full}")
        s.call("DELETE", f"{LM}/{unnamed}")
        s.call("DELETE", f"{LM}/{unnamed}", label="delete again")
        s.get(f"{LM}/{unnamed}", label="deleted")
        s.get(f"{LM}/{unnamed}", {"allow_deleted": "TRUE"}, label="deleted, allowed")
        s.get(f"{LM}/{unnamed}", {"allow_deleted": "yes"}, label="deleted, not 'true'")
        s.call("PATCH", f"{LM}/{unnamed}/tags", json_body={"tags": [{"key": "k", "value": "v"}]}, label="tag a deleted model")
        finalize(s, unnamed, "LOGGED_MODEL_READY", label="finalize a deleted model")
        s.get(f"{LM}/{unnamed}", {"allow_deleted": "true"}, label="deleted, after writes")

    parity.check(sc)


@pytest.mark.rpc(*MODEL_RPCS, case="error")
def test_logged_model_errors(parity):
    def sc(s):
        eid = new_exp(s)
        gone = new_exp(s, "gone")
        s.post("/mlflow/experiments/delete", {"experiment_id": gone}, record=False)
        s.post(LM, {})
        s.post(LM, {"experiment_id": "abc"})
        s.post(LM, {"experiment_id": "424242"})
        s.post(LM, {"experiment_id": gone}, label="deleted experiment")
        for bad in ("a.b", "a/b", "a:b", "50%", "it's", 'say "hi"'):
            s.post(LM, {"experiment_id": eid, "name": bad}, label=f"name {bad}")
        s.post(LM, {"experiment_id": eid, "name": "dup", "params": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]},
               label="repeated param")
        s.post(f"{LM}/search", {"experiment_ids": [eid]}, label="nothing was created")
        s.post(LM, {"experiment_id": 7}, label="experiment id as a number")
        s.post(LM, {"experiment_id": eid, "tags": "x"})
        s.post(LM, {"experiment_id": eid, "params": {"a": 1}})
        s.post(LM, {"experiment_id": eid, "name": 5})
        s.call("POST", LM, data="{}", headers={"Content-Type": "text/plain"}, label="text/plain")
        mid = new_model(s, eid, "m")
        missing = "m-00000000000000000000000000000000"
        s.get(f"{LM}/{missing}")
        s.call("PATCH", f"{LM}/{mid}", json_body={"status": "LOGGED_MODEL_READY"}, label="finalize, id only in path")
        s.call("PATCH", f"{LM}/{mid}", json_body={"model_id": mid}, label="finalize without status")
        finalize(s, mid, "NOT_A_STATUS", label="unknown status name")
        finalize(s, mid, 9, label="unknown status number")
        finalize(s, mid, "2", label="status as a string number")
        finalize(s, missing, 2, label="finalize missing")
        s.call("DELETE", f"{LM}/{missing}")
        s.call("PATCH", f"{LM}/{missing}/tags", json_body={"tags": [{"key": "a", "value": "b"}]}, label="tag missing")
        s.call("PATCH", f"{LM}/{mid}/tags", json_body={"tags": "x"}, label="tags not a list")
        s.call("DELETE", f"{LM}/{mid}/tags/nope", label="delete a missing tag")
        s.call("DELETE", f"{LM}/{mid}/tags/it's", label="delete a missing tag with a quote")
        s.call("DELETE", f"{LM}/{missing}/tags/a", label="delete a tag of a missing model")
        s.post(f"{LM}/{mid}/params", {"params": [{"key": "a", "value": "1"}]}, label="params, id only in path")
        s.post(f"{LM}/{mid}/params", {"model_id": mid, "params": [{"key": "a", "value": "1"}]})
        s.post(f"{LM}/{mid}/params", {"model_id": mid, "params": [{"key": "a", "value": "2"}]}, label="param logged twice")
        s.post(f"{LM}/{missing}/params", {"model_id": missing, "params": []}, label="params of a missing model")
        s.get(f"{LM}/{mid}", label="after the errors")

    parity.check(sc)


def outputs_by_step(body):
    """A run's model outputs come back in the database's order (random ids): compared by step."""
    runs = body.get("runs") or ([body["run"]] if "run" in body else [])
    for r in runs:
        outs = r.get("outputs", {}).get("model_outputs")
        if outs:
            outs.sort(key=lambda o: o.get("step", 0))
    return body


@pytest.mark.rpc("MlflowService.logOutputs", case="both")
def test_log_outputs(parity):
    def sc(s):
        eid = new_exp(s)
        run = new_run(s, eid)
        m1, m2 = new_model(s, eid, "one"), new_model(s, eid, "two")
        s.post("/mlflow/runs/outputs", {"run_id": run, "models": [{"model_id": m1, "step": 3}]})
        s.post("/mlflow/runs/outputs", {"run_id": run, "models": [{"model_id": m2}]}, label="no step")
        s.post("/mlflow/runs/outputs", {"run_id": run, "models": []}, label="empty list")
        s.get("/mlflow/runs/get", {"run_id": run}, transform=outputs_by_step)
        s.post("/mlflow/runs/search", {"experiment_ids": [eid]}, transform=outputs_by_step)
        # errors
        s.post("/mlflow/runs/outputs", {"run_id": run}, label="no models")
        s.post("/mlflow/runs/outputs", {"models": [{"model_id": m1}]}, label="no run")
        s.post("/mlflow/runs/outputs", {"run_id": "nope", "models": [{"model_id": m1}]}, label="missing run")
        s.post("/mlflow/runs/outputs", {"run_id": run, "models": [{"model_id": m1, "step": 3}]}, label="same output twice")
        s.post("/mlflow/runs/outputs", {"run_id": run, "models": "x"}, label="models not a list")
        s.post("/mlflow/runs/update", {"run_id": run, "status": "FINISHED"}, record=False)
        s.post("/mlflow/runs/delete", {"run_id": run}, record=False)
        s.post("/mlflow/runs/outputs", {"run_id": run, "models": [{"model_id": m2, "step": 1}]}, label="deleted run")
        s.get("/mlflow/runs/get", {"run_id": run}, label="run after the errors", transform=outputs_by_step)

    parity.check(sc)


def search(s, body, label=None, **kw):
    return s.post(f"{LM}/search", body, label=label, **kw)


def page_through(s, body, label):
    token, pages = None, 0
    while True:
        b = dict(body, **({"page_token": token} if token else {}))
        _, out = search(s, b, label=f"{label} page {pages}")
        pages += 1
        token = out.get("next_page_token") if isinstance(out, dict) else None
        if not token or pages > 10:
            return


def search_fixture(s):
    e1, e2 = new_exp(s, "a"), new_exp(s, "b")
    run = new_run(s, e1)
    other_run = new_run(s, e2, 1)
    ids = {}
    specs = [
        (e1, "alpha", "sklearn", {"lr": "0.1", "depth": "3"}, {"team": "red", "stage": "dev"}),
        (e1, "beta", "torch", {"lr": "0.01"}, {"team": "blue"}),
        (e1, "gamma", None, {"depth": "10"}, {"team": "Red"}),
        (e1, "delta", "sklearn", {}, {}),
        (e2, "eps", "sklearn", {"lr": "0.1"}, {"team": "red"}),
    ]
    for eid, name, mtype, params, tags in specs:
        extra = {}
        if mtype:
            extra["model_type"] = mtype
        if params:
            extra["params"] = [{"key": k, "value": v} for k, v in params.items()]
        if tags:
            extra["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
        if name == "alpha":
            extra["source_run_id"] = run
        ids[name] = new_model(s, eid, name, **extra)
    finalize(s, ids["alpha"], "LOGGED_MODEL_READY", record=False)
    finalize(s, ids["beta"], "LOGGED_MODEL_UPLOAD_FAILED", record=False)
    finalize(s, ids["eps"], "LOGGED_MODEL_READY", record=False)
    # metrics: latest by step, then timestamp; some on datasets
    log_model_metric(s, run, ids["alpha"], "acc", 0.5, step=0)
    log_model_metric(s, run, ids["alpha"], "acc", 0.9, step=1)
    log_model_metric(s, run, ids["beta"], "acc", 0.7, step=5)
    log_model_metric(s, run, ids["beta"], "acc", 0.95, step=2)
    log_model_metric(s, run, ids["gamma"], "acc", 0.8, step=0, dataset_name="eval", dataset_digest="d1")
    log_model_metric(s, run, ids["gamma"], "loss", 0.3, step=0, dataset_name="eval", dataset_digest="d1")
    log_model_metric(s, run, ids["alpha"], "loss", 0.2, step=0, dataset_name="eval", dataset_digest="d2")
    log_model_metric(s, run, ids["beta"], "loss", 0.4, step=0, dataset_name="train", dataset_digest="t1")
    log_model_metric(s, other_run, ids["eps"], "acc", 0.99, step=0)
    gone = new_model(s, e1, "deleted")
    s.call("DELETE", f"{LM}/{gone}", record=False)
    return e1, e2, ids


@pytest.mark.rpc("MlflowService.searchLoggedModels", case="ok")
def test_search_logged_models(parity):
    def sc(s):
        e1, e2, ids = search_fixture(s)
        search(s, {"experiment_ids": [e1]})
        search(s, {"experiment_ids": [e1, e2]}, prefix="/ajax-api/2.0")
        search(s, {"experiment_ids": ["424242"]}, label="unknown experiment")
        filters = [
            "name = 'alpha'",
            "name != 'alpha'",
            "name LIKE 'a%'",
            "name like '%ta'",
            "name ILIKE 'A%'",
            "name IN ('alpha', 'beta')",
            "name NOT IN ('alpha')",
            "name IN ('alpha')",
            "model_type = 'sklearn'",
            "model_id = 'nope'",
            "attributes.name = 'beta'",
            "status = 'READY'",
            "status != 'READY'",
            "status IN ('READY', 'FAILED')",
            "status NOT IN ('PENDING')",
            "creation_timestamp > 0",
            "creation_time >= 0 AND last_updated_timestamp > 0",
            "params.lr = '0.1'",
            "params.lr != '0.1'",
            "params.depth LIKE '1%'",
            "params.lr IN ('0.1', '0.01')",
            "tags.team = 'red'",
            "tags.team ILIKE 'red'",
            "tags.`team` LIKE 'R%'",
            "tags.team NOT IN ('red')",
            "metrics.acc > 0.6",
            "metrics.acc >= 0.9",
            "metrics.acc < 0.8",
            "metrics.acc = 0.7",
            "metrics.acc != 0.9",
            "metrics.loss <= 0.3",
            "metrics.acc > 0.5 AND params.lr = '0.1' AND tags.team = 'red'",
            "metrics.acc > 1e-1",
            "name = 'alpha' and model_type = 'sklearn'",
            "source_run_id != ''",
            "lifecycle_stage = 'active'",
        ]
        for f in filters:
            search(s, {"experiment_ids": [e1, e2], "filter": f}, label=f"filter {f}")
        orders = [
            [{"field_name": "name"}],
            [{"field_name": "name", "ascending": False}],
            [{"field_name": "model_type"}],
            [{"field_name": "model_type", "ascending": False}],
            [{"field_name": "creation_timestamp", "ascending": True}],
            [{"field_name": "creation_time"}],
            [{"field_name": "last_updated_timestamp", "ascending": False}],
            [{"field_name": "status"}, {"field_name": "name", "ascending": False}],
            [{"field_name": "metrics.acc"}],
            [{"field_name": "metrics.acc", "ascending": False}],
            [{"field_name": "metrics.loss", "dataset_name": "eval"}],
            [{"field_name": "metrics.loss", "dataset_name": "eval", "dataset_digest": "d2", "ascending": False}],
            [{"field_name": "metrics.missing"}],
        ]
        for o in orders:
            search(s, {"experiment_ids": [e1, e2], "order_by": o}, label=f"order {json.dumps(o)}")
        # datasets: a model qualifies with a metric on one of them (a missing digest means NULL)
        search(s, {"experiment_ids": [e1], "datasets": [{"dataset_name": "eval", "dataset_digest": "d1"}]})
        search(s, {"experiment_ids": [e1], "datasets": [{"dataset_name": "eval"}]}, label="dataset without digest")
        search(s, {"experiment_ids": [e1], "datasets": [{"dataset_name": "train"}]}, label="dataset train, no digest")
        search(s, {"experiment_ids": [e1], "datasets": [{"dataset_name": "train", "dataset_digest": "t1"}]}, label="dataset train")
        search(s, {"experiment_ids": [e1], "datasets": [{"dataset_name": "eval", "dataset_digest": "d1"},
                                                       {"dataset_name": "eval", "dataset_digest": "d2"}],
                   "filter": "metrics.loss < 1", "order_by": [{"field_name": "metrics.loss"}]}, label="datasets, metric filter")
        # pages
        page_through(s, {"experiment_ids": [e1, e2], "max_results": 2}, "by 2")
        page_through(s, {"experiment_ids": [e1, e2], "max_results": 1, "filter": "name != 'x'",
                         "order_by": [{"field_name": "name"}]}, "by 1, filtered")
        search(s, {"experiment_ids": [e1], "max_results": 0}, label="max_results 0 is the default")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.searchLoggedModels", case="error")
def test_search_logged_models_errors(parity):
    def sc(s):
        e1 = new_exp(s, "a")
        new_model(s, e1, "alpha")
        bad_filters = [
            "name = 'a'; name = 'b'",
            "name = 'a' OR name = 'b'",
            "name",
            "foo.bar = 'x'",
            "Tags.x = 'y'",
            "name < 'b'",
            "metrics.acc LIKE 'x'",
            "metrics.acc > 'abc'",
            "creation_timestamp IN (1, 2)",
            "status LIKE 'R%'",
            "status = 'DONE'",
            "status IN ('READY', 'NOPE')",
            "nonexistent = 'x'",
            "tags.x IS NULL",
            "params.p = 1",
        ]
        for f in bad_filters:
            search(s, {"experiment_ids": [e1], "filter": f}, label=f"filter {f}")
        bad_orders = [
            [{"field_name": "nope"}],
            [{"field_name": "params.lr"}],
            [{"field_name": "tags.x"}],
            [{"ascending": True}],
        ]
        for o in bad_orders:
            search(s, {"experiment_ids": [e1], "order_by": o}, label=f"order {json.dumps(o)}")
        search(s, {}, label="no experiment ids")
        search(s, {"experiment_ids": []}, label="empty experiment ids")
        search(s, {"experiment_ids": ["x"]}, label="experiment id not a number")
        search(s, {"experiment_ids": [1]}, label="experiment id as a number")
        search(s, {"experiment_ids": [e1], "max_results": "x"}, label="max_results not a number")
        search(s, {"experiment_ids": [e1], "datasets": [{"dataset_digest": "d"}]}, label="dataset without name")
        tok = lambda d: base64.b64encode(json.dumps(d).encode()).decode()
        tokens = {
            "not base64 json": base64.b64encode(b"not json").decode(),
            "other experiments": tok({"experiment_ids": ["999"], "filter_string": None, "order_by": None, "offset": 1}),
            "other filter": tok({"experiment_ids": [e1], "filter_string": "name = 'x'", "order_by": None, "offset": 1}),
            "other order": tok({"experiment_ids": [e1], "filter_string": None,
                                "order_by": [{"field_name": "name", "ascending": True, "dataset_name": None, "dataset_digest": None}],
                                "offset": 1}),
            "empty dict": tok({}),
            "good, offset 1": tok({"experiment_ids": [e1], "filter_string": None, "order_by": None, "offset": 1}),
            "good, offset 0": tok({"experiment_ids": [e1], "offset": 0}),
        }
        for label, t in tokens.items():
            search(s, {"experiment_ids": [e1], "page_token": t}, label=f"token {label}")
        for raw in ("!!!!", "abc", "WzFd"):
            search(s, {"experiment_ids": [e1], "page_token": raw}, label=f"token {raw}")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.logMetric", "MlflowService.logBatch", case="error")
def test_model_metric_dataset_must_be_whole(parity):
    """A metric names its dataset by name and digest, or not at all (the Metric entity's check)."""
    def sc(s):
        eid = new_exp(s)
        run = new_run(s, eid)
        mid = new_model(s, eid, "m")
        base = {"run_id": run, "key": "k", "value": 1, "timestamp": T0, "model_id": mid}
        s.post("/mlflow/runs/log-metric", dict(base, dataset_name="d"), label="name only")
        s.post("/mlflow/runs/log-metric", dict(base, dataset_digest="x"), label="digest only")
        s.post("/mlflow/runs/log-metric", dict(base, dataset_name="d", dataset_digest=""), label="empty digest")
        s.post("/mlflow/runs/log-metric", dict(base, run_id="nope", dataset_name="d"), label="name only, missing run")
        ok = {"key": "a", "value": 1, "timestamp": T0, "step": 0}
        s.post("/mlflow/runs/log-batch", {"run_id": run, "metrics": [ok, dict(ok, key="b", dataset_digest="x")]},
               label="batch, digest only")
        s.post("/mlflow/runs/log-batch", {"run_id": "", "metrics": [dict(ok, dataset_name="d")]},
               label="batch, name only, no run id")
        s.post("/mlflow/runs/log-batch", {"run_id": run, "metrics": [dict(ok, key="", dataset_name="d")]},
               label="batch, name only, bad key")
        s.get("/mlflow/runs/get", {"run_id": run}, label="nothing logged")
        s.get(f"{LM}/{mid}", label="model has no metrics")

    parity.check(sc)
