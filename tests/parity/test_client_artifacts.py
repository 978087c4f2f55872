"""The real `mlflow` client logging and reading artifacts through each server (proxied artifact
storage: the runs' artifact URIs are `mlflow-artifacts:/...`, uploads and downloads go through the
mlflow-artifacts service). Compares what the client lists and the bytes it downloads."""

import contextlib
import hashlib
import os
import re
import tempfile

import numpy as np
import pytest

ARTIFACT_RPCS = (
    "MlflowService.getExperimentByName",
    "MlflowService.createExperiment",
    "MlflowService.createRun",
    "MlflowService.updateRun",
    "MlflowService.getRun",
    "MlflowService.listArtifacts",
    "MlflowArtifactsService.uploadArtifact",
    "MlflowArtifactsService.downloadArtifact",
)


def tree(root):
    """Every file under `root` (relative path -> sha256), for comparing downloads."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = hashlib.sha256(fh.read()).hexdigest()
    return dict(sorted(out.items()))


def listing(infos):
    return [(i.path, i.is_dir, i.file_size) for i in infos]


def client_scenario(s):
    """log_artifact(s), log_dict / log_text / log_image, listings, downloads, load_* (shared with
    test_s3_artifacts.py)."""
    with tempfile.TemporaryDirectory() as tmp, s.fluent() as mlflow:
        mlflow.set_experiment(s.name("client"))
        src = os.path.join(tmp, "src")
        os.makedirs(os.path.join(src, "nested", "deeper"))
        for rel, content in {
            "a.txt": b"alpha",
            "nested/b.bin": bytes(range(256)) * 64,
            "nested/deeper/c.html": b"<b>c</b>",
            "nested/empty": b"",
        }.items():
            with open(os.path.join(src, rel), "wb") as f:
                f.write(content)
        single = os.path.join(tmp, "single file.csv")
        with open(single, "w") as f:
            f.write("x,y\n1,2\n")
        with mlflow.start_run() as run:
            mlflow.log_artifact(single)
            mlflow.log_artifact(single, artifact_path="under/here")
            mlflow.log_artifacts(src, artifact_path="tree")
            mlflow.log_dict({"k": [1, 2, 3], "nested": {"x": "y"}}, "dicts/d.json")
            mlflow.log_dict({"k": "v"}, "dicts/d.yaml")
            mlflow.log_text("some text\nwith lines", "texts/t.txt")
            mlflow.log_image(np.arange(48, dtype=np.uint8).reshape(4, 4, 3), "images/img.png")
            run_id = run.info.run_id
        client = s.client
        uri = run.info.artifact_uri
        s.observe("root", listing(client.list_artifacts(run_id)))
        # A runs:/ URI with a path first asks the server for a logged model of that name
        # (logged-models/search, not native yet): paths are read through the run's
        # artifact URI (mlflow-artifacts:/...), as the client does once it has resolved it.
        for path in ("tree", "tree/nested", "tree/nested/deeper", "dicts", "images", "under/here", "nope"):
            s.observe(f"list {path}", listing(mlflow.artifacts.list_artifacts(artifact_uri=f"{uri}/{path}")))
        dst = os.path.join(tmp, "dl-all")
        os.makedirs(dst)
        local = mlflow.artifacts.download_artifacts(run_id=run_id, dst_path=dst)
        s.observe("download all", tree(local))
        dst1 = os.path.join(tmp, "dl-one")
        os.makedirs(dst1)
        one = mlflow.artifacts.download_artifacts(artifact_uri=f"{uri}/tree/nested/b.bin", dst_path=dst1)
        s.observe("download one", tree(os.path.dirname(one)))
        dst2 = os.path.join(tmp, "dl-dir")
        os.makedirs(dst2)
        sub = mlflow.artifacts.download_artifacts(artifact_uri=f"{uri}/tree/nested", dst_path=dst2)
        s.observe("download a directory", tree(sub))
        s.observe("load_dict", mlflow.artifacts.load_dict(f"{uri}/dicts/d.json"))
        s.observe("load_text", mlflow.artifacts.load_text(f"{uri}/texts/t.txt"))
        s.observe("load_image size", mlflow.artifacts.load_image(f"{uri}/images/img.png").size)
        from mlflow.exceptions import MlflowException

        try:
            mlflow.artifacts.download_artifacts(artifact_uri=f"{uri}/nope.txt", dst_path=dst1)
            s.observe("download missing", "no error")
        except MlflowException as e:
            # On S3 the client's message quotes its connection pool (the server's port).
            s.observe("download missing", {"code": e.error_code, "message": re.sub(r"port=\d+", "port=N", e.message)})


@pytest.mark.rpc(*ARTIFACT_RPCS, case="ok")
def test_client_logs_lists_and_downloads(parity):
    parity.check(client_scenario)


@pytest.mark.rpc(*ARTIFACT_RPCS, "MlflowArtifactsService.createMultipartUpload", case="both")
def test_client_proxy_multipart_on_local_destination(parity):
    """MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD on a local destination: the server answers the
    multipart create with 501 and the client falls back to a plain upload."""

    def sc(s):
        with multipart_client_env():
            big_file_scenario(s)

    parity.check(sc)


@contextlib.contextmanager
def multipart_client_env(min_size=1024 * 1024, chunk=5 * 1024 * 1024):
    """The client's proxied multipart upload switched on for files from `min_size` bytes."""
    keys = {
        "MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD": "true",
        "MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE": str(min_size),
        "MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE": str(chunk),
    }
    old = {k: os.environ.get(k) for k in keys}
    os.environ.update(keys)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def big_file_scenario(s):
    """One file large enough for a multipart upload (3 parts of 5 MiB), logged and read back."""
    with tempfile.TemporaryDirectory() as tmp, s.fluent() as mlflow:
        mlflow.set_experiment(s.name("big"))
        big = os.path.join(tmp, "weights.bin")
        with open(big, "wb") as f:
            for i in range(11):
                f.write(bytes([i]) * (1024 * 1024))
        with mlflow.start_run() as run:
            mlflow.log_artifact(big, artifact_path="ckpt")
            mlflow.log_text("small", "small.txt")
        uri = run.info.artifact_uri
        s.observe("list", listing(mlflow.artifacts.list_artifacts(artifact_uri=f"{uri}/ckpt")))
        dst = os.path.join(tmp, "dl")
        os.makedirs(dst)
        s.observe("download", tree(mlflow.artifacts.download_artifacts(run_id=run.info.run_id, dst_path=dst)))
