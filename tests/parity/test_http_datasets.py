"""Raw HTTP: POST experiments/search-datasets (the runs table's dataset filter), at the Flask route
the UI calls and at MLflow's generated one (`/api/2.0mlflow/...`, without the slash)."""

import pytest

from test_http_runs import new_exp, new_run

ROUTE = "/mlflow/experiments/search-datasets"


def dataset(name, digest):
    return {"name": name, "digest": digest, "source_type": "local", "source": '{"uri": "/d"}'}


def search(s, body, label=None, **kw):
    return s.post(ROUTE, body, prefix="/ajax-api/2.0", label=label, **kw)


@pytest.mark.rpc("MlflowService.searchDatasets", case="ok")
def test_search_datasets(parity):
    def sc(s):
        e1, e2, empty = new_exp(s, "a"), new_exp(s, "b"), new_exp(s, "c")
        r1, r2, r3 = new_run(s, e1, 0), new_run(s, e1, 1), new_run(s, e2, 2)
        ctx = lambda v: [{"key": "mlflow.data.context", "value": v}]
        s.post("/mlflow/runs/log-inputs", {"run_id": r1, "datasets": [
            {"dataset": dataset("train", "d1"), "tags": ctx("training")},
            {"dataset": dataset("eval", "d2"), "tags": ctx("eval")},
        ]})
        # the same dataset in another run and context, and without a context
        s.post("/mlflow/runs/log-inputs", {"run_id": r2, "datasets": [
            {"dataset": dataset("train", "d1"), "tags": ctx("validation")},
            {"dataset": dataset("plain", "d3")},
            {"dataset": dataset("tagged", "d4"), "tags": [{"key": "other", "value": "x"}]},
        ]})
        s.post("/mlflow/runs/log-inputs", {"run_id": r3, "datasets": [{"dataset": dataset("other", "d5"), "tags": ctx("test")}]})
        search(s, {"experiment_ids": [e1]})
        search(s, {"experiment_ids": [e1, e2]})
        search(s, {"experiment_ids": [e2, empty]})
        search(s, {"experiment_ids": [empty]})
        search(s, {"experiment_ids": ["123456789"]}, label="unknown experiment")
        search(s, {"experiment_ids": [e1]}, headers={"Content-Type": "application/json; charset=utf-8"}, label="charset")
        # MLflow's generated route for this RPC lacks the slash after the version
        s.call("POST", "mlflow/experiments/search-datasets", json_body={"experiment_ids": [e2]}, prefix="/ajax-api/2.0")
        s.call("POST", "mlflow/experiments/search-datasets", json_body={"experiment_ids": [e2]}, prefix="/api/2.0")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.searchDatasets", case="error")
def test_search_datasets_errors(parity):
    def sc(s):
        e1 = new_exp(s, "a")
        search(s, {})
        search(s, {"experiment_ids": []})
        search(s, {"experiment_ids": [e1] * 21})
        search(s, {"experiment_ids": [e1] * 20}, label="twenty")
        search(s, {"experiment_ids": ["x"]})
        search(s, {"experiment_ids": [" 7 "]}, label="padded id")
        search(s, {"experiment_ids": "nope"})
        search(s, {"experiment_ids": [1.5]})
        s.call("POST", ROUTE, data=b'{"experiment_ids": ["0"]}', headers={"Content-Type": "text/plain"},
               prefix="/ajax-api/2.0", label="text/plain")
        s.call("POST", ROUTE, data=b'{"experiment_ids": ["0"]}', prefix="/ajax-api/2.0", label="no content type")
        s.call("POST", ROUTE, data=b"not json", headers={"Content-Type": "application/json"}, prefix="/ajax-api/2.0",
               label="bad json")
        s.call("GET", ROUTE, params={"experiment_ids": e1}, prefix="/ajax-api/2.0", label="GET")

    parity.check(sc)
