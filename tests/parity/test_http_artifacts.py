"""Raw HTTP: the mlflow-artifacts service (proxied artifact upload / download / list / delete,
multipart, presigned) on the servers' default local destination (./mlartifacts).

Downloads are compared byte for byte (SHA-256 of the body) with the headers that decide how a
browser treats them: status, Content-Type, Content-Disposition, X-Content-Type-Options,
Content-Length, Content-Range. Each test works under its own top-level directory (s.name()).
"""

import hashlib
import http.client
import json
import os
from urllib.parse import quote, urlencode, urlsplit

import pytest

PREFIXES = ("/api/2.0", "/ajax-api/2.0")
A = "/mlflow-artifacts"
FILE_HEADERS = (
    "content-type",
    "content-disposition",
    "x-content-type-options",
    "content-length",
    "content-range",
)


def raw(s, method, path, *, data=None, headers=None, prefix="/api/2.0", params=None, label=None):
    """One request recorded with the headers above and the body (JSON parsed, else its digest).

    Sent as is (http.client: no dot-segment removal, unlike requests), on a fresh connection (a
    server may close one after an error without reading the body).
    """
    url = urlsplit(s.base_url)
    target = prefix + path + ("?" + urlencode(params) if params else "")
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        conn.request(method, target, body=data, headers={"Connection": "close", **(headers or {})})
        resp = conn.getresponse()
        content = resp.read()
        status = resp.status
        got = {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()
    entry = {"step": label or f"{method} {prefix}{path}", "status": status}
    for h in FILE_HEADERS:
        entry[f"header:{h}"] = got.get(h)
    mime = (got.get("content-type") or "").split(";")[0]
    if mime == "application/json":
        try:
            entry["body"] = json.loads(content)
            # JSON layout (compact vs indented) is a documented difference: drop its length.
            entry.pop("header:content-length")
        except ValueError:
            entry["body_sha256"] = hashlib.sha256(content).hexdigest()
    else:
        entry["body_sha256"] = hashlib.sha256(content).hexdigest()
        entry["body_len"] = len(content)
    s.transcript.append(entry)
    return status, content


def listing(s, path=None, prefix="/api/2.0"):
    return s.call("GET", A + "/artifacts", params=None if path is None else {"path": path}, prefix=prefix)


FILES = {
    "page.html": b"<html><script>alert(1)</script></html>",
    "pic.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "data.json": b'{"a": [1, 2, 3]}',
    "MLmodel": b"flavors:\n  python_function: {}\n",
    "noext": bytes(range(256)) * 4,
    "table.csv": b"a,b\n1,2\n",
    "image.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "model.pkl": b"\x80\x04\x95" + b"\x01" * 100,
    "archive.tar.gz": b"\x1f\x8b" + b"\x00" * 30,
    "notes.md": "# título\n".encode(),
    "weird name (1).txt": b"spaces and parens",
    'quo"te.txt': b"a quote in the name",
    "ünïcödé.yaml": b"k: v\n",
    "日本語": b"no extension, no ascii",
    "script.js": b"console.log(1)",
    "page.HTML": b"<b>upper-case extension</b>",
}


@pytest.mark.rpc(
    "MlflowArtifactsService.uploadArtifact",
    "MlflowArtifactsService.downloadArtifact",
    "MlflowArtifactsService.listArtifacts",
    case="ok",
)
def test_upload_download_list(parity):
    def sc(s):
        root = s.name()
        for i, (name, content) in enumerate(FILES.items()):
            prefix = PREFIXES[i % 2]
            raw(s, "PUT", f"{A}/artifacts/{root}/d/{quote(name)}", data=content, prefix=prefix)
        # nested directories are created on the way
        raw(s, "PUT", f"{A}/artifacts/{root}/d/sub/deeper/leaf.txt", data=b"leaf")
        # an empty file, and an overwrite
        raw(s, "PUT", f"{A}/artifacts/{root}/empty.bin", data=b"")
        raw(s, "PUT", f"{A}/artifacts/{root}/d/data.json", data=b'{"overwritten": true}')
        for name in list(FILES) + ["sub/deeper/leaf.txt"]:
            for prefix in PREFIXES:
                raw(s, "GET", f"{A}/artifacts/{root}/d/{quote(name)}", prefix=prefix)
        raw(s, "GET", f"{A}/artifacts/{root}/empty.bin")
        # percent-encoded path segments are decoded (a %2F is a separator)
        raw(s, "GET", f"{A}/artifacts/{root}%2Fd%2Fsub%2Fdeeper%2Fleaf.txt")
        raw(s, "GET", f"{A}/artifacts/{root}/d/weird%20name%20%281%29.txt")
        for prefix in PREFIXES:
            listing(s, root, prefix)
            listing(s, f"{root}/d", prefix)
            listing(s, f"{root}/d/sub", prefix)
            listing(s, f"{root}/d/sub/deeper/", prefix)
            listing(s, f"{root}/d/table.csv", prefix)  # a file: no entries
            listing(s, f"{root}/missing", prefix)
            listing(s, f"./{root}/d/sub", prefix)

    parity.check(sc)


@pytest.mark.rpc("MlflowArtifactsService.downloadArtifact", case="ok")
def test_download_ranges(parity):
    def sc(s):
        root = s.name()
        body = bytes(range(256)) * 16
        raw(s, "PUT", f"{A}/artifacts/{root}/blob.bin", data=body)
        for rng in ("bytes=0-9", "bytes=100-", "bytes=-16", "bytes=4000-5000", "bytes=0-0"):
            raw(s, "GET", f"{A}/artifacts/{root}/blob.bin", headers={"Range": rng}, label=f"range {rng}")
        for rng in ("bytes=5000-", "bytes=9-3", "items=0-1", "bytes=", "bytes=a-b"):
            raw(s, "GET", f"{A}/artifacts/{root}/blob.bin", headers={"Range": rng}, label=f"bad range {rng}")

    parity.check(sc)


@pytest.mark.rpc(
    "MlflowArtifactsService.uploadArtifact",
    "MlflowArtifactsService.downloadArtifact",
    "MlflowArtifactsService.listArtifacts",
    case="error",
)
def test_upload_download_errors(parity):
    def sc(s):
        root = s.name()
        raw(s, "PUT", f"{A}/artifacts/{root}/f.txt", data=b"x")
        for prefix in PREFIXES:
            raw(s, "GET", f"{A}/artifacts/{root}/missing.txt", prefix=prefix)
            raw(s, "GET", f"{A}/artifacts/{root}", prefix=prefix)  # a directory
            raw(s, "GET", f"{A}/artifacts/{root}/", prefix=prefix)
            raw(s, "PUT", f"{A}/artifacts/{root}/dir/", data=b"x", prefix=prefix)  # no file name
            raw(s, "PUT", f"{A}/artifacts/{root}/.artifact.uploading.x", data=b"x", prefix=prefix)
            raw(s, "PUT", f"{A}/artifacts/skills/{root}.txt", data=b"x", prefix=prefix)
            raw(s, "PUT", f"{A}/artifacts/Skills/a/{root}.txt", data=b"x", prefix=prefix)
        # a name MLflow refuses to normalise (verify_artifact_path: an INTERNAL_ERROR)
        raw(s, "PUT", f"{A}/artifacts/{root}/a/./b.txt", data=b"x")
        raw(s, "PUT", f"{A}/artifacts/{root}//double.txt", data=b"x")
        listing(s, root)

    parity.check(sc)


TRAVERSALS = [
    "../outside.txt",
    "a/../../outside.txt",
    "%2e%2e/outside.txt",
    "a/%2e%2e/%2e%2e/outside.txt",
    "a/%252e%252e/%252e%252e/outside.txt",
    "a%2F..%2F..%2Foutside.txt",
    "..%2Foutside.txt",
    "%2Fetc%2Fpasswd",
    "/etc/passwd",
    "C:%5Cwindows%5Cwin.ini",
    "C:/windows/win.ini",
    "%5C%5Cserver%5Cshare%5Cx",
    "file:%2F%2F%2Fetc%2Fpasswd",
    "file:///etc/passwd",
    "a%23b",
    "a/b#frag",
    "..%5C..%5Coutside.txt",
    "a/%00/b",
    "%252525252e%252525252e/x",
]


@pytest.mark.rpc(
    "MlflowArtifactsService.downloadArtifact",
    "MlflowArtifactsService.uploadArtifact",
    "MlflowArtifactsService.deleteArtifact",
    "MlflowArtifactsService.listArtifacts",
    case="error",
)
def test_traversal(parity):
    def sc(s):
        root = s.name()
        raw(s, "PUT", f"{A}/artifacts/{root}/inside.txt", data=b"inside")
        for t in TRAVERSALS:
            raw(s, "GET", f"{A}/artifacts/{root}/{t}", label=f"download {t}")
            raw(s, "GET", f"{A}/artifacts/{t}", label=f"download at root {t}")
            raw(s, "PUT", f"{A}/artifacts/{root}/{t}", data=b"evil", label=f"upload {t}")
            s.call("GET", A + "/artifacts", params={"path": t.replace("%2F", "/")}, label=f"list {t}")
            if not flask_routable(t):
                continue
            raw(s, "DELETE", f"{A}/artifacts/{t}", label=f"delete {t}")
        # the file is still there, and nothing was written outside
        raw(s, "GET", f"{A}/artifacts/{root}/inside.txt")
        listing(s, root)
        s.observe("outside written", os.path.exists(os.path.join(str(s.server.workdir), "outside.txt")))

    parity.check(sc)


def flask_routable(t):
    """A `//` right after a Flask route's static part is answered by werkzeug's merge_slashes
    redirect (308), not by the handler: a routing difference of every Flask route
    (docs/parity-differences.md), not an artifact one."""
    return not t.replace("%2F", "/").startswith("/")


@pytest.mark.rpc(
    "MlflowArtifactsService.createMultipartUpload",
    "MlflowArtifactsService.completeMultipartUpload",
    "MlflowArtifactsService.abortMultipartUpload",
    "MlflowArtifactsService.getPresignedDownloadUrl",
    case="error",
)
def test_traversal_multipart_presigned(parity):
    def sc(s):
        for t in filter(flask_routable, TRAVERSALS):
            raw(s, "GET", f"{A}/presigned/{t}", label=f"presigned {t}")
            for op in ("create", "complete", "abort"):
                raw(
                    s,
                    "POST",
                    f"{A}/mpu/{op}/{t}",
                    data=json.dumps({"path": "f.bin", "num_parts": 1, "upload_id": "u", "parts": []}),
                    headers={"Content-Type": "application/json"},
                    label=f"mpu {op} {t}",
                )

    parity.check(sc)


@pytest.mark.rpc("MlflowArtifactsService.downloadArtifact", "MlflowArtifactsService.listArtifacts", case="error")
def test_symlink_escape(parity):
    """A symlink inside the destination that points outside it is not followed."""

    def sc(s):
        root = s.name()
        raw(s, "PUT", f"{A}/artifacts/{root}/ok.txt", data=b"ok")
        base = os.path.join(str(s.server.workdir), "mlartifacts", root)
        outside = os.path.join(str(s.server.workdir), f"{root}-outside")
        os.makedirs(outside, exist_ok=True)
        with open(os.path.join(outside, "secret.txt"), "w") as f:
            f.write("secret")
        os.symlink(outside, os.path.join(base, "link"))
        os.symlink(os.path.join(outside, "secret.txt"), os.path.join(base, "filelink"))
        raw(s, "GET", f"{A}/artifacts/{root}/link/secret.txt")
        raw(s, "GET", f"{A}/artifacts/{root}/filelink")
        raw(s, "PUT", f"{A}/artifacts/{root}/link/planted.txt", data=b"x")
        listing(s, f"{root}/link")
        s.observe("planted", os.path.exists(os.path.join(outside, "planted.txt")))

    parity.check(sc)


@pytest.mark.rpc("MlflowArtifactsService.deleteArtifact", case="both")
def test_delete(parity):
    def sc(s):
        root = s.name()
        for name in ("a.txt", "d/b.txt", "d/e/c.txt", "keep.txt"):
            raw(s, "PUT", f"{A}/artifacts/{root}/{name}", data=name.encode())
        for prefix in PREFIXES:
            listing(s, root, prefix)
        s.call("DELETE", f"{A}/artifacts/{root}/a.txt")
        listing(s, root)
        s.call("DELETE", f"{A}/artifacts/{root}/d", prefix="/ajax-api/2.0")
        listing(s, root)
        s.call("DELETE", f"{A}/artifacts/{root}/never-there")
        s.call("DELETE", f"{A}/artifacts/skills/{root}")
        s.call("DELETE", f"{A}/artifacts/{root}/../x")
        raw(s, "GET", f"{A}/artifacts/{root}/a.txt")
        raw(s, "GET", f"{A}/artifacts/{root}/keep.txt")

    parity.check(sc)


@pytest.mark.rpc(
    "MlflowArtifactsService.createMultipartUpload",
    "MlflowArtifactsService.completeMultipartUpload",
    "MlflowArtifactsService.abortMultipartUpload",
    "MlflowArtifactsService.getPresignedDownloadUrl",
    case="error",
)
def test_multipart_on_local_destination(parity):
    """A local destination has no multipart upload or presigned download: MLflow answers 501."""

    def sc(s):
        root = s.name()
        raw(s, "PUT", f"{A}/artifacts/{root}/f.bin", data=b"x")
        for prefix in PREFIXES:
            s.post(f"{A}/mpu/create/{root}", {"path": "f.bin", "num_parts": 2}, prefix=prefix)
            s.post(
                f"{A}/mpu/complete/{root}",
                {"path": "f.bin", "upload_id": "u", "parts": [{"part_number": 1, "etag": "e"}]},
                prefix=prefix,
            )
            s.post(f"{A}/mpu/abort/{root}", {"path": "f.bin", "upload_id": "u"}, prefix=prefix)
            s.get(f"{A}/presigned/{root}/f.bin", prefix=prefix)
            s.get(f"{A}/presigned/{root}/missing.bin", prefix=prefix)
        # request validation comes after the path checks and before the repository's
        for body in (
            {"num_parts": 2},
            {"path": 5},
            {"path": "..", "num_parts": 1},
            {"path": "C:\\dir\\..", "num_parts": 1},
            {"path": "/abs/dir/", "num_parts": 1},
            {"path": "src%5C..", "num_parts": 1},
            {"path": "ok.bin", "num_parts": "x"},
        ):
            s.post(f"{A}/mpu/create/{root}", body, label=f"create {json.dumps(body)}")
        s.post(f"{A}/mpu/complete/{root}", {"path": "f.bin", "upload_id": "u"}, label="complete without parts")
        s.post(f"{A}/mpu/abort/{root}", {"upload_id": "u"}, label="abort without path")
        s.post(f"{A}/mpu/create/skills/x", {"path": "f.bin"}, label="create under skills")
        s.post(f"{A}/mpu/create/{root}", {"path": "skills"}, label="create named skills")
        s.post(f"{A}/mpu/create/{root}", None, data="not json", label="create, bad body")
        s.post(f"{A}/mpu/create/../x", {"path": "f.bin"}, label="create, bad path and body")

    parity.check(sc)


# -- reads through a run: MlflowService.listArtifacts and the UI's GET /get-artifact -------------


def new_run(s, **exp):
    _, out = s.post("/mlflow/experiments/create", {"name": s.name(exp.pop("suffix", "e")), **exp})
    eid = out["experiment_id"]
    _, out = s.post("/mlflow/runs/create", {"experiment_id": eid, "start_time": 1_600_000_000_000})
    info = out["run"]["info"]
    return info["run_id"], info["artifact_uri"]


def put_run_artifacts(s, artifact_uri, files):
    """Uploads through the mlflow-artifacts service, where a proxied run root points."""
    root = artifact_uri.removeprefix("mlflow-artifacts:/").lstrip("/")
    for name, content in files.items():
        raw(s, "PUT", f"{A}/artifacts/{root}/{quote(name)}", data=content)


RUN_FILES = {
    "model/MLmodel": b"artifact_path: model\nflavors: {}\n",
    "model/model.pkl": b"\x80\x04" + b"\x00" * 50,
    "plots/loss.svg": b"<svg><script>alert(1)</script></svg>",
    "plots/empty.png": b"",
    "report.html": b"<html>report</html>",
    "metrics.json": b'{"loss": 0.1}',
    "sp ace/ünï.txt": "unicode".encode(),
}


@pytest.mark.rpc("MlflowService.listArtifacts", "GET /get-artifact", case="ok")
def test_run_artifacts_proxied(parity):
    def sc(s):
        run_id, uri = new_run(s)
        s.observe("artifact_uri", uri)
        put_run_artifacts(s, uri, RUN_FILES)
        for prefix in PREFIXES:
            s.get("/mlflow/artifacts/list", {"run_id": run_id}, prefix=prefix)
        for path in ("model", "model/", "plots", "sp ace", "report.html", "missing", ""):
            s.get("/mlflow/artifacts/list", {"run_id": run_id, "path": path})
        s.get("/mlflow/artifacts/list", {"run_uuid": run_id, "path": "model"})
        for name in RUN_FILES:
            raw(s, "GET", "/get-artifact", prefix="", params={"run_id": run_id, "path": name}, label=f"get {name}")
        raw(s, "GET", "/get-artifact", prefix="", params={"run_uuid": run_id, "path": "report.html"})
        raw(s, "GET", "/get-artifact", prefix="", params={"run_id": run_id, "path": "model/MLmodel"},
            headers={"Range": "bytes=0-7"}, label="get with a range")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.listArtifacts", "GET /get-artifact", case="ok")
def test_run_artifacts_local_root(parity):
    """An experiment whose artifact location is a local directory: read from it directly."""

    def sc(s):
        root = os.path.join(str(s.server.workdir), "local-roots", s.name())
        run_id, uri = new_run(s, artifact_location=root)
        s.observe("artifact_uri", uri)
        base = uri.removeprefix("file://")
        for name, content in RUN_FILES.items():
            os.makedirs(os.path.dirname(os.path.join(base, name)), exist_ok=True)
            with open(os.path.join(base, name), "wb") as f:
                f.write(content)
        s.get("/mlflow/artifacts/list", {"run_id": run_id})
        s.get("/mlflow/artifacts/list", {"run_id": run_id, "path": "model"})
        s.get("/mlflow/artifacts/list", {"run_id": run_id, "path": "plots/"})
        for name in RUN_FILES:
            raw(s, "GET", "/get-artifact", prefix="", params={"run_id": run_id, "path": name}, label=f"get {name}")
        raw(s, "GET", "/get-artifact", prefix="", params={"run_id": run_id, "path": "model"}, label="get a dir")
        raw(s, "GET", "/get-artifact", prefix="", params={"run_id": run_id, "path": "nope"}, label="get missing")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.listArtifacts", "GET /get-artifact", case="error")
def test_run_artifacts_errors(parity):
    def sc(s):
        run_id, uri = new_run(s)
        put_run_artifacts(s, uri, {"a/b.txt": b"b"})
        for prefix in PREFIXES:
            s.get("/mlflow/artifacts/list", {}, prefix=prefix)
            s.get("/mlflow/artifacts/list", {"run_id": "0123456789abcdef0123456789abcdef"}, prefix=prefix)
        for t in TRAVERSALS:
            s.get("/mlflow/artifacts/list", {"run_id": run_id, "path": t}, label=f"list {t}")
            raw(s, "GET", "/get-artifact", prefix="", params={"run_id": run_id, "path": t}, label=f"get {t}")
        raw(s, "GET", "/get-artifact", prefix="", params={"run_id": run_id}, label="get without path")
        raw(s, "GET", "/get-artifact", prefix="", params={"path": "a/b.txt"}, label="get without run")
        raw(s, "GET", "/get-artifact", prefix="", params={"run_id": "nope", "path": "a/b.txt"}, label="get unknown run")
        raw(s, "GET", "/get-artifact", prefix="", params={"run_id": run_id, "path": "a"}, label="get a dir")
        raw(s, "GET", "/get-artifact", prefix="", params={"run_id": run_id, "path": "a/c.txt"}, label="get missing")

    parity.check(sc)


UPLOAD = "/ajax-api/2.0/mlflow/upload-artifact"
OCTETS = {"Content-Type": "application/octet-stream"}


@pytest.mark.rpc("POST /ajax-api/2.0/mlflow/upload-artifact", case="both")
def test_ui_upload_artifact(parity):
    def sc(s):
        run_id, _ = new_run(s)
        local_run, _ = new_run(s, suffix="local", artifact_location=os.path.join(str(s.server.workdir), "ui", s.name()))
        for rid in (run_id, local_run):
            raw(s, "POST", UPLOAD, prefix="", params={"run_id": rid, "path": "notes/n.txt"}, data=b"note", headers=OCTETS)
            raw(s, "POST", UPLOAD, prefix="", params={"run_uuid": rid, "path": "top.html"}, data=b"<b>", headers=OCTETS)
            s.get("/mlflow/artifacts/list", {"run_id": rid})
            s.get("/mlflow/artifacts/list", {"run_id": rid, "path": "notes"})
            raw(s, "GET", "/get-artifact", prefix="", params={"run_id": rid, "path": "notes/n.txt"})
        # errors, in MLflow's order
        raw(s, "POST", UPLOAD, prefix="", params={"path": "a"}, data=b"x", headers=OCTETS, label="no run")
        raw(s, "POST", UPLOAD, prefix="", params={"run_id": run_id}, data=b"x", headers=OCTETS, label="no path")
        raw(s, "POST", UPLOAD, prefix="", params={"run_id": run_id, "path": "a"}, label="no data")
        raw(s, "POST", UPLOAD, prefix="", params={"run_id": run_id, "path": "a"}, data=b"k=v",
            headers={"Content-Type": "application/x-www-form-urlencoded"}, label="form body")
        raw(s, "POST", UPLOAD, prefix="", params={"run_id": "nope", "path": "a"}, data=b"x", headers=OCTETS,
            label="unknown run")
        raw(s, "POST", UPLOAD, prefix="", params={"run_id": "nope", "path": "../a"}, data=b"x", headers=OCTETS,
            label="unknown run, bad path")
        for t in ("../a", "a/../../b", "%2e%2e/x", "/etc/x", "C:\\x"):
            raw(s, "POST", UPLOAD, prefix="", params={"run_id": run_id, "path": t}, data=b"x", headers=OCTETS,
                label=f"path {t}")
        raw(s, "POST", UPLOAD, prefix="", params={"run_id": run_id, "path": "big.bin"},
            data=b"\0" * (10 * 1024 * 1024 + 1), headers=OCTETS, label="too large")
        raw(s, "POST", UPLOAD, prefix="", params={"run_id": local_run, "path": "a/./b.txt"}, data=b"x",
            headers=OCTETS, label="unnormalized dir")
        s.get("/mlflow/artifacts/list", {"run_id": run_id})

    parity.check(sc)


@pytest.mark.rpc("MlflowService.createPresignedUploadUrl", "MlflowService.createPresignedDownloadUrl", case="error")
def test_presigned_run_urls_on_local_storage(parity):
    """The local filesystem hands out no presigned URLs; a proxied root is refused first."""

    def sc(s):
        up = "/mlflow/artifacts/presigned-upload-url"
        down = "/mlflow/artifacts/presigned-download-url"
        proxied, _ = new_run(s)
        local, _ = new_run(s, suffix="local", artifact_location=os.path.join(str(s.server.workdir), "roots", s.name()))
        for run_id in (proxied, local):
            s.post(up, {"run_id": run_id, "path": "a.txt"})
            s.post(down, {"run_id": run_id, "path": "a.txt"})
            s.post(up, {"run_id": run_id, "path": "a.txt", "expiration": 60})
            s.post(down, {"run_id": run_id, "path": "a.txt", "expiration": 60})

    parity.check(sc)


MV_ARTIFACT = "/model-versions/get-artifact"


def registered_version(s, files):
    """A model version whose source is a run's proxied artifact directory holding `files`."""
    run_id, uri = new_run(s, suffix="mv")
    put_run_artifacts(s, uri, {f"model/{k}": v for k, v in files.items()})
    name = s.name("model")
    s.post("/mlflow/registered-models/create", {"name": name})
    s.post("/mlflow/model-versions/create", {"name": name, "source": f"{uri}/model", "run_id": run_id})
    return name


@pytest.mark.rpc("GET /model-versions/get-artifact", case="both")
def test_model_version_get_artifact(parity):
    def sc(s):
        files = {
            "MLmodel": b"artifact_path: model\nflavors:\n  python_function: {}\n",
            "model.pkl": b"\x80\x04" + b"\x00" * 40,
            "sub/page.html": b"<html><script>alert(1)</script></html>",
            "requirements.txt": b"scikit-learn\n",
        }
        name = registered_version(s, files)
        for path in files:
            status, body = raw(s, "GET", MV_ARTIFACT, prefix="", params={"name": name, "version": "1", "path": path})
            assert (status, body) == (200, files[path]), (status, body[:200])
        raw(s, "GET", MV_ARTIFACT, prefix="", params={"name": name, "version": " 1 ", "path": "MLmodel"}, label="padded version")
        raw(s, "GET", MV_ARTIFACT, prefix="", params={"name": name, "version": "1", "path": "MLmodel"},
            headers={"Range": "bytes=0-9"}, label="range")
        # errors
        for label, params in (
            ("no path", {"name": name, "version": "1"}),
            ("no name", {"version": "1", "path": "MLmodel"}),
            ("empty name", {"name": "", "version": "1", "path": "MLmodel"}),
            ("no version", {"name": name, "path": "MLmodel"}),
            ("bad version", {"name": name, "version": "one", "path": "MLmodel"}),
            ("missing model", {"name": s.name("nope"), "version": "1", "path": "MLmodel"}),
            ("missing version", {"name": name, "version": "7", "path": "MLmodel"}),
            ("missing file", {"name": name, "version": "1", "path": "nope.txt"}),
            ("directory", {"name": name, "version": "1", "path": "sub"}),
            ("traversal", {"name": name, "version": "1", "path": "../../x"}),
            ("absolute", {"name": name, "version": "1", "path": "/etc/passwd"}),
            ("encoded traversal", {"name": name, "version": "1", "path": "%2e%2e/%2e%2e/x"}),
            ("presigned on local storage", {"name": name, "version": "1", "path": "MLmodel", "presigned": "true"}),
        ):
            raw(s, "GET", MV_ARTIFACT, prefix="", params=params, label=label)

    parity.check(sc)


@pytest.mark.rpc("GET /model-versions/get-artifact", case="both")
def test_model_version_get_artifact_runs_source(parity):
    """A `runs:/<run_id>/<path>` source (what MlflowClient.create_model_version is given) of a run
    whose artifacts live in a local directory: read through the run's root."""

    def sc(s):
        root = os.path.join(str(s.server.workdir), "mv-roots", s.name())
        run_id, uri = new_run(s, suffix="mvruns", artifact_location=root)
        base = uri.removeprefix("file://")
        os.makedirs(os.path.join(base, "model"), exist_ok=True)
        mlmodel = b"artifact_path: model\nflavors: {}\n"
        with open(os.path.join(base, "model", "MLmodel"), "wb") as f:
            f.write(mlmodel)
        name = s.name("model")
        s.post("/mlflow/registered-models/create", {"name": name})
        s.post("/mlflow/model-versions/create", {"name": name, "source": f"runs:/{run_id}/model", "run_id": run_id},
               record=False)
        status, body = raw(s, "GET", MV_ARTIFACT, prefix="", params={"name": name, "version": "1", "path": "MLmodel"})
        assert (status, body) == (200, mlmodel), (status, body[:300])
        raw(s, "GET", MV_ARTIFACT, prefix="", params={"name": name, "version": "1", "path": "nope"}, label="missing")
        raw(s, "GET", MV_ARTIFACT, prefix="", params={"name": name, "version": "1", "path": "MLmodel", "presigned": "true"},
            label="presigned (local: not supported)")

    parity.check(sc)
