"""Raw HTTP: `mlflow server --artifacts-only` against `mlflow-ts --no-python --artifacts-only`. The
mlflow-artifacts service works; every route MLflow disables in that mode answers its 503 naming the
Flask rule, whether or not mlflow-ts serves that route natively otherwise; neither opens a database."""

import pytest

from conftest import open_pair
from test_http_artifacts import A, raw

REFERENCE_ENV = {
    "MLFLOW_ENABLE_AI_GATEWAY": "false",
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
    "MLFLOW_DISABLE_TELEMETRY": "true",
}


@pytest.fixture(scope="module")
def server_pair(tmp_path_factory):
    # No database is used: one pair (the SQLite label is nominal).
    yield from open_pair(
        "sqlite",
        tmp_path_factory,
        "parity-artifacts-only",
        lambda role: {
            "args": ["--artifacts-only"],
            "no_backend_store": True,
            "env": REFERENCE_ENV if role == "reference" else {},
        },
    )


@pytest.mark.rpc(
    "MlflowArtifactsService.uploadArtifact",
    "MlflowArtifactsService.downloadArtifact",
    "MlflowArtifactsService.listArtifacts",
    "MlflowArtifactsService.deleteArtifact",
    case="ok",
)
def test_artifacts_only_serves_artifacts(parity):
    def sc(s):
        root = s.name()
        raw(s, "PUT", f"{A}/artifacts/{root}/a/b.txt", data=b"hello")
        raw(s, "PUT", f"{A}/artifacts/{root}/page.html", data=b"<b>x</b>", prefix="/ajax-api/2.0")
        raw(s, "GET", f"{A}/artifacts/{root}/a/b.txt")
        raw(s, "GET", f"{A}/artifacts/{root}/page.html", prefix="/ajax-api/2.0")
        s.get(f"{A}/artifacts", {"path": root})
        raw(s, "DELETE", f"{A}/artifacts/{root}/a")
        s.get(f"{A}/artifacts", {"path": root})
        s.get("/mlflow/server-info", prefix="/ajax-api/3.0")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.createRun", "MlflowService.getRun", "ModelRegistryService.getRegisteredModel", case="error")
def test_artifacts_only_disables_tracking(parity):
    def sc(s):
        j = {"Content-Type": "application/json"}
        for method, target, body in (
            ("POST", "/api/2.0/mlflow/runs/create", b"{}"),
            ("GET", "/api/2.0/mlflow/runs/get?run_id=abc", None),
            ("POST", "/ajax-api/2.0/mlflow/experiments/search", b"{}"),
            ("GET", "/api/2.0/mlflow/registered-models/get?name=m", None),
            ("GET", "/ajax-api/2.0/mlflow/webhooks/abc", None),
            ("POST", "/api/3.0/mlflow/traces/search", b"{}"),
            ("POST", "/api/2.0/mlflow/logged-models", b"{}"),
            ("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=a&metric_key=m", None),
            ("GET", "/get-artifact?run_id=a&path=b", None),
            ("GET", "/model-versions/get-artifact?name=m&version=1&path=MLmodel", None),
            ("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=a&metric_key=m", None),
            ("POST", "/ajax-api/2.0/mlflow/experiments/search-datasets", b'{"experiment_ids": ["0"]}'),
            ("POST", "/ajax-api/2.0/mlflow/upload-artifact?run_id=a&path=b", b"x"),
            ("GET", "/ajax-api/2.0/mlflow/get-trace-artifact?request_id=x", None),
            ("GET", "/ajax-api/3.0/mlflow/get-trace-artifact?request_id=x", None),
            ("GET", "/ajax-api/2.0/mlflow/logged-models/m-1/artifacts/files?artifact_file_path=a", None),
            ("POST", "/ajax-api/2.0/mlflow/runs/create-promptlab-run", b"{}"),
        ):
            path, _, query = target.partition("?")
            params = dict(p.split("=", 1) for p in query.split("&")) if query else None
            raw(s, method, path, prefix="", params=params, data=body, headers=j if body else None,
                label=f"{method} {target}")

    parity.check(sc)
