"""The artifact routes with an S3 destination (`--artifacts-destination s3://bucket/<side>`), on a
real S3 API: a moto server on loopback, started and stopped here. Each side writes under its own
prefix of one bucket. Presigned URLs are not compared (host, signature and time differ); they are
used, and what they give back is compared.

Accepted S3-only differences (docs/parity-differences.md): MLflow streams an S3 download from a
temporary copy without Content-Length and ignores Range; mlflow-ts streams it from the object with
Content-Length and honours single ranges. Downloads are compared without Content-Length here.
"""

import hashlib
import json
import os
import signal
import subprocess
import time

import pytest
import requests

from conftest import DIALECTS, open_pair
from servers import VENV_PYTHON, free_port
from test_http_artifacts import A, PREFIXES, RUN_FILES, TRAVERSALS, flask_routable, new_run, put_run_artifacts
from test_http_artifacts import raw as raw_full

BUCKET = "mlflow-ts-parity"
CREDS = {"AWS_ACCESS_KEY_ID": "parity", "AWS_SECRET_ACCESS_KEY": "parity", "AWS_DEFAULT_REGION": "us-east-1"}


def _start_moto(logfile):
    """A moto S3 server on a free loopback port, with the bucket created: (process, url)."""
    port = free_port()
    proc = subprocess.Popen(
        [str(VENV_PYTHON), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=logfile,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(url, timeout=1)
            break
        except requests.RequestException:
            if time.monotonic() > deadline or proc.poll() is not None:
                os.killpg(proc.pid, signal.SIGKILL)
                raise RuntimeError("moto server did not start")
            time.sleep(0.2)
    import boto3

    boto3.client("s3", endpoint_url=url, **_boto_creds()).create_bucket(Bucket=BUCKET)
    return proc, url


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    """One S3 server per side, so both use the same bucket and prefix (messages name them)."""
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "wb")
    procs = []
    try:
        urls = {}
        for role in ("reference", "candidate"):
            proc, urls[role] = _start_moto(log)
            procs.append(proc)
        yield urls
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        log.close()


def _boto_creds():
    return {
        "aws_access_key_id": CREDS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDS["AWS_SECRET_ACCESS_KEY"],
        "region_name": CREDS["AWS_DEFAULT_REGION"],
    }


@pytest.fixture(scope="module", params=DIALECTS)
def server_pair(request, moto, tmp_path_factory):
    """The parity pair of this module: both servers on S3 (overrides conftest's local pair)."""
    dialect = request.param
    yield from open_pair(
        dialect,
        tmp_path_factory,
        "parity-s3",
        lambda role: {
            "args": ["--artifacts-destination", f"s3://{BUCKET}/{dialect}"],
            "env": {"MLFLOW_S3_ENDPOINT_URL": moto[role], **CREDS},
        },
    )


def raw(s, *a, **kw):
    """raw() of test_http_artifacts without Content-Length (see the module docstring)."""
    out = raw_full(s, *a, **kw)
    s.transcript[-1].pop("header:content-length", None)
    return out


def presigned_fetch(s, label, path):
    """GET the presigned URL of `path` and record what S3 answers through it."""
    status, body = s.get(f"{A}/presigned/{path}", label=label, record=False)
    if status != 200:
        s.observe(label, {"status": status, "body": body})
        return
    r = requests.get(body["url"], timeout=30)
    s.observe(
        label,
        {
            "headers": body.get("headers"),
            "file_size": body.get("file_size"),
            "fetched": r.status_code,
            "content-disposition": r.headers.get("content-disposition"),
            "sha256": hashlib.sha256(r.content).hexdigest(),
        },
    )


FILES = {
    "page.html": b"<html><script>alert(1)</script></html>",
    "data.json": b'{"a": 1}',
    "blob.bin": bytes(range(256)) * 100,
    "arch.tar.gz": b"\x1f\x8b" + b"\x00" * 20,
    "ünï côdé.txt": b"unicode name",
    'quo"te.txt': b"quote",
    "empty.txt": b"",
}


@pytest.mark.rpc(
    "MlflowArtifactsService.uploadArtifact",
    "MlflowArtifactsService.downloadArtifact",
    "MlflowArtifactsService.listArtifacts",
    "MlflowArtifactsService.deleteArtifact",
    "MlflowArtifactsService.getPresignedDownloadUrl",
    case="ok",
)
def test_s3_upload_download_list_delete(parity):
    from urllib.parse import quote

    def sc(s):
        root = s.name()
        for i, (name, content) in enumerate(FILES.items()):
            raw(s, "PUT", f"{A}/artifacts/{root}/d/{quote(name)}", data=content, prefix=PREFIXES[i % 2])
        raw(s, "PUT", f"{A}/artifacts/{root}/d/sub/deep/leaf.txt", data=b"leaf")
        raw(s, "PUT", f"{A}/artifacts/{root}/d/.artifact.uploading.x", data=b"not reserved on S3")
        for name in FILES:
            raw(s, "GET", f"{A}/artifacts/{root}/d/{quote(name)}")
            presigned_fetch(s, f"presigned {name}", f"{root}/d/{quote(name)}")
        for prefix in PREFIXES:
            s.get(f"{A}/artifacts", {"path": root}, prefix=prefix)
            s.get(f"{A}/artifacts", {"path": f"{root}/d"}, prefix=prefix)
            s.get(f"{A}/artifacts", {"path": f"{root}/d/sub/"}, prefix=prefix)
            s.get(f"{A}/artifacts", {"path": f"{root}/d/page.html"}, prefix=prefix)
            s.get(f"{A}/artifacts", {"path": f"{root}/missing"}, prefix=prefix)
        s.call("DELETE", f"{A}/artifacts/{root}/d/page.html")
        s.call("DELETE", f"{A}/artifacts/{root}/d/sub")
        s.call("DELETE", f"{A}/artifacts/{root}/never")
        s.get(f"{A}/artifacts", {"path": f"{root}/d"})
        raw(s, "GET", f"{A}/artifacts/{root}/d/page.html")

    parity.check(sc)


@pytest.mark.rpc(
    "MlflowArtifactsService.createMultipartUpload",
    "MlflowArtifactsService.completeMultipartUpload",
    "MlflowArtifactsService.abortMultipartUpload",
    case="ok",
)
def test_s3_multipart_upload(parity):
    part = 5 * 1024 * 1024
    content = bytes(range(256)) * (part * 2 // 256) + b"tail"

    def sc(s):
        root = s.name()
        for prefix in PREFIXES:
            status, created = s.post(
                f"{A}/mpu/create/{root}/mp-{prefix.strip('/').replace('/', '-')}", {"path": "/local/dir/big.bin", "num_parts": 3},
                prefix=prefix, record=False,
            )
            s.observe(
                "created",
                {
                    "status": status,
                    "parts": [(c["part_number"], c.get("headers", {})) for c in created.get("credentials", [])],
                    "has_upload_id": bool(created.get("upload_id")),
                },
            )
            etags = []
            for i, cred in enumerate(created["credentials"]):
                chunk = content[i * part : (i + 1) * part]
                r = requests.put(cred["url"], data=chunk, headers=cred.get("headers") or {}, timeout=60)
                etags.append({"part_number": cred["part_number"], "etag": r.headers["ETag"]})
            s.post(
                f"{A}/mpu/complete/{root}/mp-{prefix.strip('/').replace('/', '-')}",
                {"path": "big.bin", "upload_id": created["upload_id"], "parts": etags},
                prefix=prefix,
            )
            raw(s, "GET", f"{A}/artifacts/{root}/mp-{prefix.strip('/').replace('/', '-')}/big.bin", prefix=prefix)
            # an aborted upload leaves nothing
            _, created = s.post(f"{A}/mpu/create/{root}/ab", {"path": "gone.bin", "num_parts": 1}, record=False)
            requests.put(created["credentials"][0]["url"], data=b"x" * 100, timeout=60)
            s.post(f"{A}/mpu/abort/{root}/ab", {"path": "gone.bin", "upload_id": created["upload_id"]})
            s.get(f"{A}/artifacts", {"path": f"{root}/ab"})
        s.get(f"{A}/artifacts", {"path": root})

    parity.check(sc)


@pytest.mark.rpc(
    "MlflowArtifactsService.createMultipartUpload",
    "MlflowArtifactsService.completeMultipartUpload",
    "MlflowArtifactsService.abortMultipartUpload",
    "MlflowArtifactsService.getPresignedDownloadUrl",
    "MlflowArtifactsService.downloadArtifact",
    case="error",
)
def test_s3_errors(parity):
    def sc(s):
        root = s.name()
        raw(s, "PUT", f"{A}/artifacts/{root}/f.txt", data=b"f")
        raw(s, "GET", f"{A}/artifacts/{root}/missing.txt")
        presigned_fetch(s, "presigned missing", f"{root}/missing.txt")
        s.post(f"{A}/mpu/create/{root}", {"num_parts": 2}, label="create without path")
        s.post(f"{A}/mpu/create/{root}", {"path": "..", "num_parts": 2}, label="create named ..")
        s.post(f"{A}/mpu/complete/{root}", {"path": "f", "upload_id": "bogus", "parts": []}, label="complete bogus")
        s.post(f"{A}/mpu/abort/{root}", {"path": "f", "upload_id": "bogus"}, label="abort bogus")
        s.post(f"{A}/mpu/abort/skills/x", {"path": "f", "upload_id": "u"}, label="abort under skills")
        for t in filter(flask_routable, TRAVERSALS):
            raw(s, "GET", f"{A}/presigned/{t}", label=f"presigned {t}")
            status, body = raw_full(
                s,
                "POST",
                f"{A}/mpu/create/{t}",
                data=json.dumps({"path": "f.bin", "num_parts": 1}),
                headers={"Content-Type": "application/json"},
                label=f"mpu create {t}",
            )
            if status == 200:
                # accepted (a safe name): the upload id and URLs are the store's, not compared
                s.transcript[-1]["body"] = sorted(json.loads(body))
        for t in TRAVERSALS:
            raw(s, "GET", f"{A}/artifacts/{root}/{t}", label=f"download {t}")

    parity.check(sc)


@pytest.mark.rpc(
    "MlflowService.listArtifacts", "GET /get-artifact", "POST /ajax-api/2.0/mlflow/upload-artifact", case="both"
)
def test_s3_run_artifacts(parity):
    def sc(s):
        run_id, uri = new_run(s)
        put_run_artifacts(s, uri, RUN_FILES)
        upload = "/ajax-api/2.0/mlflow/upload-artifact"
        octets = {"Content-Type": "application/octet-stream"}
        raw(s, "POST", upload, prefix="", params={"run_id": run_id, "path": "ui/u.txt"}, data=b"ui", headers=octets)
        raw(s, "POST", upload, prefix="", params={"run_id": run_id, "path": "ui/"}, data=b"ui", headers=octets)
        s.get("/mlflow/artifacts/list", {"run_id": run_id, "path": "ui"})
        s.get("/mlflow/artifacts/list", {"run_id": run_id})
        s.get("/mlflow/artifacts/list", {"run_id": run_id, "path": "model"})
        s.get("/mlflow/artifacts/list", {"run_id": run_id, "path": "missing"})
        for name in RUN_FILES:
            raw(s, "GET", "/get-artifact", prefix="", params={"run_id": run_id, "path": name}, label=f"get {name}")
        raw(s, "GET", "/get-artifact", prefix="", params={"run_id": run_id, "path": "nope"}, label="get missing")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.listArtifacts", "MlflowArtifactsService.uploadArtifact", case="ok")
def test_s3_client(parity):
    from test_client_artifacts import client_scenario

    parity.check(client_scenario)


@pytest.mark.rpc(
    "MlflowArtifactsService.createMultipartUpload",
    "MlflowArtifactsService.completeMultipartUpload",
    case="ok",
)
def test_s3_client_proxy_multipart(parity):
    """MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD with a low minimum size: the client creates the
    multipart upload through the server, PUTs the parts to the presigned URLs, completes it."""
    from test_client_artifacts import big_file_scenario, multipart_client_env

    def sc(s):
        with multipart_client_env():
            big_file_scenario(s)

    parity.check(sc)


def presigned_put_and_get(s, run_id, path, content, label):
    """createPresignedUploadUrl, a PUT through it with the headers it names, then
    createPresignedDownloadUrl and a GET through it; what S3 answered is recorded."""
    status, up = s.post("/mlflow/artifacts/presigned-upload-url", {"run_id": run_id, "path": path}, record=False)
    if status != 200:
        s.observe(f"{label}: upload url", {"status": status, "body": up})
        return
    put = requests.put(up["presigned_url"], data=content, headers=up.get("headers") or {}, timeout=30)
    s.observe(f"{label}: upload", {"headers": up.get("headers"), "put": put.status_code})
    status, down = s.post("/mlflow/artifacts/presigned-download-url", {"run_id": run_id, "path": path}, record=False)
    if status != 200:
        s.observe(f"{label}: download url", {"status": status, "body": down})
        return
    got = requests.get(down["presigned_url"], headers=down.get("headers") or {}, timeout=30)
    s.observe(
        f"{label}: download",
        {
            "headers": down.get("headers"),
            "file_size": down.get("file_size"),
            "fetched": got.status_code,
            "content-disposition": got.headers.get("content-disposition"),
            "sha256": hashlib.sha256(got.content).hexdigest(),
        },
    )


def direct_s3_run(s):
    """A run whose artifact_uri is the bucket itself (no proxy): the presigned RPCs' case."""
    _, out = s.post(
        "/mlflow/experiments/create",
        {"name": s.name("direct"), "artifact_location": f"s3://{BUCKET}/direct/{s.name('loc')}"},
    )
    _, out = s.post("/mlflow/runs/create", {"experiment_id": out["experiment_id"], "start_time": 1_600_000_000_000})
    return out["run"]["info"]["run_id"]


@pytest.mark.rpc("MlflowService.createPresignedUploadUrl", "MlflowService.createPresignedDownloadUrl", case="ok")
def test_s3_presigned_run_urls(parity):
    def sc(s):
        run_id = direct_s3_run(s)
        presigned_put_and_get(s, run_id, "data.json", b'{"a": 1}', "json")
        presigned_put_and_get(s, run_id, "nested/dir/page.html", b"<b>x</b>", "html")
        presigned_put_and_get(s, run_id, "blob", bytes(range(256)) * 40, "no extension")
        presigned_put_and_get(s, run_id, "arch.tar.gz", b"\x1f\x8b" + b"\x00" * 20, "gzip")
        s.get("/mlflow/artifacts/list", {"run_id": run_id})
        s.get("/mlflow/artifacts/list", {"run_id": run_id, "path": "nested/dir"})
        for exp in (1, 604800):
            status, down = s.post(
                "/mlflow/artifacts/presigned-download-url",
                {"run_id": run_id, "path": "data.json", "expiration": exp},
                record=False,
            )
            s.observe(f"expiration {exp}", {"status": status, "fetched": requests.get(down["presigned_url"], timeout=30).status_code})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.createPresignedUploadUrl", "MlflowService.createPresignedDownloadUrl", case="error")
def test_s3_presigned_run_url_errors(parity):
    def sc(s):
        run_id = direct_s3_run(s)
        up = "/mlflow/artifacts/presigned-upload-url"
        down = "/mlflow/artifacts/presigned-download-url"
        s.post(up, {"path": "a.txt"})
        s.post(up, {"run_id": run_id, "model_id": "m-1", "path": "a.txt"})
        s.post(up, {"run_id": run_id})
        s.post(up, {"model_id": "m-missing", "path": "a.txt"})
        s.post(up, {"run_id": "0" * 32, "path": "a.txt"})
        s.post(up, {"run_id": run_id, "path": 5})
        s.post(up, {"run_id": run_id, "path": "a.txt", "expiration": "soon"})
        s.post(down, {"path": "a.txt"})
        s.post(down, {"run_id": run_id})
        s.post(down, {"run_id": "0" * 32, "path": "a.txt"})
        for exp in (0, -1, 604801):
            s.post(down, {"run_id": run_id, "path": "a.txt", "expiration": exp})
        for path in ("../a.txt", "/etc/passwd", "a/../../b", "%2e%2e/x", "..\\x"):
            # (a path MLflow lets through gets a URL: its host, port and signature differ)
            status, out = s.post(up, {"run_id": run_id, "path": path}, record=False)
            s.observe(f"upload {path}", {"status": status, "body": {k: v for k, v in out.items() if k != "presigned_url"}})
            s.post(down, {"run_id": run_id, "path": path})
        # a file that is not there
        s.post(down, {"run_id": run_id, "path": "missing.txt"})
        # a proxied run root (mlflow-artifacts:) is refused
        proxied_run, _ = new_run(s)
        s.post(up, {"run_id": proxied_run, "path": "a.txt"})
        s.post(down, {"run_id": proxied_run, "path": "a.txt"})

    parity.check(sc)


@pytest.mark.rpc("GET /model-versions/get-artifact", case="both")
def test_s3_model_version_get_artifact(parity):
    """A model version whose source is a run's direct S3 root: read from the bucket, or presigned."""

    def sc(s):
        run_id = direct_s3_run(s)
        mlmodel = b"artifact_path: model\nflavors: {}\n"
        presigned_put_and_get(s, run_id, "model/MLmodel", mlmodel, "MLmodel")
        _, out = s.get("/mlflow/runs/get", {"run_id": run_id}, record=False)
        uri = out["run"]["info"]["artifact_uri"]
        name = s.name("model")
        s.post("/mlflow/registered-models/create", {"name": name})
        s.post("/mlflow/model-versions/create", {"name": name, "source": f"{uri}/model", "run_id": run_id}, record=False)
        mv = "/model-versions/get-artifact"
        status, body = raw(s, "GET", mv, prefix="", params={"name": name, "version": "1", "path": "MLmodel"})
        assert (status, body) == (200, mlmodel), (status, body[:200])
        raw(s, "GET", mv, prefix="", params={"name": name, "version": "1", "path": "nope"}, label="missing file")
        status, body = raw_full(s, "GET", mv, prefix="", params={"name": name, "version": "1", "path": "MLmodel", "presigned": "true"},
                                label="presigned", )
        s.transcript.pop()
        doc = json.loads(body)
        got = requests.get(doc["url"], headers=doc.get("headers") or {}, timeout=30)
        s.observe("presigned", {"status": status, "keys": sorted(doc), "headers": doc.get("headers"),
                                "file_size": doc.get("file_size"), "fetched": got.status_code,
                                "sha256": hashlib.sha256(got.content).hexdigest(), "ends_with_newline": body.endswith(b"\n")})
        status, body = raw_full(s, "GET", mv, prefix="", params={"name": name, "version": "1", "path": "nope", "presigned": "true"},
                                label="presigned missing file")

    parity.check(sc)


@pytest.mark.rpc("GET /ajax-api/2.0/mlflow/get-trace-artifact", case="both")
def test_s3_trace_attachments(parity):
    """Trace attachments on S3: uploaded by the client through the server, read back through
    get-trace-artifact; a missing one is MLflow's 500 naming the attachment."""
    from test_client_traces import attachments_scenario

    parity.check(attachments_scenario(raw))
