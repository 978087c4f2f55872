"""Raw HTTP: request decoding edge cases (content types, bodies, query strings, routing)."""

import json

import pytest

T0 = 1_600_000_000_000


def setup_run(s):
    _, out = s.post("/mlflow/experiments/create", {"name": s.name("req")}, record=False)
    eid = out["experiment_id"]
    _, out = s.post("/mlflow/runs/create", {"experiment_id": eid, "start_time": T0, "run_name": "req"}, record=False)
    return eid, out["run"]["info"]["run_id"]


@pytest.mark.rpc("MlflowService.createExperiment", "MlflowService.setTag", "MlflowService.logBatch", case="error")
def test_content_types_and_bodies(parity):
    def sc(s):
        eid, rid = setup_run(s)
        body = json.dumps({"run_id": rid, "key": "k", "value": "v"})
        for ctype in (None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-8", "APPLICATION/JSON"):
            headers = {} if ctype is None else {"Content-Type": ctype}
            s.call("POST", "/mlflow/runs/set-tag", data=body, headers=headers, label=f"set-tag content-type {ctype}")
        for raw in ("", "{", "null", "[]", "123", '"str"', "{}", '{"run_id": }', "\ufeff{}"):
            s.call(
                "POST",
                "/mlflow/runs/set-tag",
                data=raw.encode("utf-8"),
                headers={"Content-Type": "application/json"},
                label=f"set-tag body {raw!r}",
            )
        # unknown fields are ignored; fields of the wrong JSON type are rejected
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "k2", "value": "v", "bogus": {"a": 1}})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "k3", "value": True})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": "k4", "value": None})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": ["k"], "value": "v"})
        s.post("/mlflow/runs/set-tag", {"run_id": rid, "key": {"a": 1}, "value": "v"})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "metrics": [{"key": "m", "value": True, "timestamp": T0, "step": 0}]})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "metrics": [{"key": "m", "value": 1, "timestamp": 1.5, "step": 0}]})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "metrics": [{"key": "m", "value": 1, "timestamp": T0, "step": "one"}]})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "metrics": [{"key": "m", "value": 1, "timestamp": T0, "step": 2**63}]})
        s.post("/mlflow/runs/log-batch", {"run_id": rid, "params": [["p", "v"]]})
        s.post("/mlflow/experiments/create", {"name": s.name("unicode-é✓"), "tags": [{"key": "ключ", "value": "值"}]})
        s.post("/mlflow/experiments/create", {"name": None})
        s.get("/mlflow/runs/get", {"run_id": rid}, label="get-run after edge cases")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.getRun", "MlflowService.searchExperiments", "MlflowService.getMetricHistory", case="error")
def test_query_string_edges(parity):
    def sc(s):
        eid, rid = setup_run(s)
        s.post("/mlflow/runs/log-metric", {"run_id": rid, "key": "m", "value": 1, "timestamp": T0, "step": 0}, record=False)
        # repeated keys for a singular field
        s.get("/mlflow/runs/get", [("run_id", rid), ("run_id", rid)])
        s.get("/mlflow/runs/get", [("run_id", rid), ("run_id", "0" * 32)])
        # unknown query parameters, empty values, numeric strings, booleans
        s.get("/mlflow/runs/get", {"run_id": rid, "extra": "1"})
        s.get("/mlflow/experiments/get", {"experiment_id": eid, "experiment_id ": "x"})
        s.get("/mlflow/experiments/search", {"max_results": "2", "filter": f"name = '{s.name('req')}'"})
        s.get("/mlflow/experiments/search", {"max_results": "2.0", "filter": f"name = '{s.name('req')}'"})
        s.get("/mlflow/experiments/search", {"max_results": " 2", "filter": f"name = '{s.name('req')}'"})
        s.get("/mlflow/experiments/search", {"max_results": "", "filter": f"name = '{s.name('req')}'"})
        s.get("/mlflow/experiments/search", {"max_results": "1e1", "filter": f"name = '{s.name('req')}'"})
        s.get("/mlflow/experiments/search", {"view_type": "1", "filter": f"name = '{s.name('req')}'"})
        s.get("/mlflow/experiments/search", {"view_type": "ALL", "filter": f"name = '{s.name('req')}'"})
        s.get("/mlflow/experiments/search", {"order_by": ["name", "creation_time DESC"], "filter": f"name = '{s.name('req')}'"})
        s.get("/mlflow/metrics/get-history", {"run_id": rid, "metric_key": "m", "max_results": "true"})
        s.get("/mlflow/metrics/get-history", {"run_id": rid, "metric_key": "m", "max_results": "-1"})
        s.get("/mlflow/metrics/get-history", [("run_id", rid), ("metric_key", "m"), ("metric_key", "m")])
        # a GET body is ignored; query params are used
        s.call("GET", "/mlflow/runs/get", params={"run_id": rid}, data=json.dumps({"run_id": "x"}), headers={"Content-Type": "application/json"})
        # POST RPC called with a query string only
        s.call("POST", "/mlflow/runs/set-tag", params={"run_id": rid, "key": "q", "value": "v"})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.getRun", case="error")
def test_routing_edges(parity):
    def sc(s):
        _, rid = setup_run(s)
        s.call("DELETE", "/mlflow/runs/get", params={"run_id": rid})
        s.call("PUT", "/mlflow/runs/create", json_body={})
        s.call("GET", "/mlflow/runs/create")
        s.call("POST", "/mlflow/runs/get", json_body={"run_id": rid})
        s.call("GET", "/mlflow/runs/no-such-rpc")
        s.call("GET", "/mlflow/runs/get/", params={"run_id": rid})
        s.call("GET", "/mlflow/runs/get", params={"run_id": rid}, prefix="/api/2.1")
        s.call("GET", "/mlflow/experiments/search", prefix="/api/3.0", params={"max_results": "1", "filter": "name = 'zz'"})
        s.call("GET", "/mlflow/metrics/get-history-bulk", prefix="/api/2.0", params={"run_id": rid, "metric_key": "m"})

    parity.check(sc)
