"""The real client's `mlflow.sklearn.log_model` / `load_model` with an S3 artifact destination (moto
on loopback): the model's files go through mlflow-ts's native mlflow-artifacts service into S3 and
come back. The candidate is mlflow-ts with its Python child, which creates the logged models (not
native yet); each side has its own moto server, so both use the same bucket and prefix."""

import os
import signal

import pytest

from conftest import open_pair
from test_http_logged_model_artifacts import sklearn_scenario
from test_s3_artifacts import BUCKET, CREDS, _start_moto


@pytest.fixture(scope="module")
def server_pair(tmp_path_factory):
    log = open(tmp_path_factory.mktemp("moto-models") / "moto.log", "wb")
    procs, urls = [], {}
    try:
        for role in ("reference", "candidate"):
            proc, urls[role] = _start_moto(log)
            procs.append(proc)
        yield from open_pair(
            "sqlite",
            tmp_path_factory,
            "parity-s3-models",
            lambda role: {
                "args": ["--artifacts-destination", f"s3://{BUCKET}/models"],
                "env": {"MLFLOW_S3_ENDPOINT_URL": urls[role], **CREDS},
            },
            kind="ts-proxy",
        )
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        log.close()


@pytest.mark.rpc("MlflowArtifactsService.uploadArtifact", "MlflowArtifactsService.downloadArtifact", case="ok")
def test_s3_sklearn_log_model_and_load_model(parity):
    parity.check(sklearn_scenario)
