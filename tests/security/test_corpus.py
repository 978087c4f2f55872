"""The attack corpus as tests (reference/attack-and-fault-corpus.md, sections A-D): each case is sent to
mlflow-ts standalone and to the pinned Python server, and must

- answer as the case expects (for the cases MLflow answers too: as MLflow does, status and error_code);
- change nothing outside the artifact root (every file beside it is fingerprinted before and after;
  a secret file there must never come back in a response, nor /etc/passwd);
- change no row of the tracking and registry tables when it is refused.

Section R generates two cases for every native route (from `mlflow-ts endpoints --json`): a request
with a foreign Host (DNS rebinding) and a state-changing request with a foreign Origin, both refused
with 403 before anything runs. A native route added later is covered by it automatically.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest

from conftest import RESULTS

ROOT = Path(__file__).resolve().parents[2]
SECRET = f"TOP-SECRET-{uuid.uuid4().hex}"
DYNAMIC = (".db", ".db-wal", ".db-shm", ".db-journal", "server.log")
TABLES = ("experiments", "experiment_tags", "runs", "metrics", "params", "tags", "registered_models",
          "model_versions", "model_version_tags", "registered_model_tags", "inputs", "datasets")


@dataclass
class Case:
    id: str
    section: str
    anchor: str
    method: str
    target: str  # origin-form, sent as is (may contain {run}, {root}, {model})
    body: bytes | None = None
    headers: dict = field(default_factory=dict)
    #: the answer required of mlflow-ts: a status, or a (status, error_code) pair; None: as Python answers
    expect: tuple | int | None = None
    #: the Python server answers this case too (compared with mlflow-ts)
    python: bool = True
    #: a refusal: no table row may change
    refused: bool = True

    def request(self) -> str:
        return f"{self.method} {self.target}"


# --- helpers --------------------------------------------------------------------------------------


def send(server, method, target, body=None, headers=None):
    url = urlsplit(server.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    hdrs = {"Host": "localhost", "Connection": "close", **(headers or {})}
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for k, v in hdrs.items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        content = resp.read()
        ctype = resp.getheader("content-type") or ""
        disposition = resp.getheader("content-disposition")
        nosniff = resp.getheader("x-content-type-options")
    finally:
        conn.close()
    code = ""
    if ctype.startswith("application/json"):
        try:
            doc = json.loads(content)
            code = doc.get("error_code", "") if isinstance(doc, dict) else ""
        except ValueError:
            pass
    return {"status": resp.status, "code": code, "body": content, "ctype": ctype,
            "disposition": disposition, "nosniff": nosniff}


def fingerprint(workdir: Path) -> dict:
    """Every file beside the artifact root (the server's working directory but ./mlartifacts)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(workdir):
        rel = Path(dirpath).relative_to(workdir)
        if rel.parts[:1] == ("mlartifacts",):
            dirnames[:] = []
            continue
        dirnames[:] = [d for d in dirnames if d not in ("__pycache__", "mlruns", ".trash")]
        for f in filenames:
            if f.endswith(DYNAMIC):
                continue
            p = Path(dirpath) / f
            try:
                out[str(p.relative_to(workdir))] = hashlib.sha256(p.read_bytes()).hexdigest()
            except OSError:
                out[str(p.relative_to(workdir))] = "unreadable"
        for d in dirnames:
            out[str((Path(dirpath) / d).relative_to(workdir)) + "/"] = "dir"
    return out


def row_counts(server) -> dict:
    path = server.store_uri().removeprefix("sqlite:///")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def rest(server, method, path, body=None):
    r = send(server, method, path, json.dumps(body).encode() if body is not None else None,
             {"Content-Type": "application/json"} if body is not None else {})
    assert r["status"] == 200, (path, r["status"], r["body"][:300])
    return json.loads(r["body"]) if r["body"] else {}


@pytest.fixture(scope="session")
def world(pair):
    """Per server: a run with an artifact, a registered model version, a secret beside the artifact
    root and a symlink inside it pointing out to that secret's directory."""
    out = {}
    for role, server in (("python", pair.reference), ("ts", pair.candidate)):
        wd = Path(server.workdir)
        (wd / "outside").mkdir(exist_ok=True)
        (wd / "outside" / "secret.txt").write_text(SECRET)
        exp = rest(server, "POST", "/api/2.0/mlflow/experiments/create", {"name": "security"})["experiment_id"]
        run = rest(server, "POST", "/api/2.0/mlflow/runs/create", {"experiment_id": exp, "start_time": 1})["run"]["info"]
        root = run["artifact_uri"].removeprefix("mlflow-artifacts:").lstrip("/")
        for name, content in (("ok.txt", b"fine"), ("page.html", b"<script>alert(document.domain)</script>"),
                              ("pic.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')):
            r = send(server, "PUT", f"/api/2.0/mlflow-artifacts/artifacts/{root}/{name}", content)
            assert r["status"] == 200, r
        run_dir = wd / "mlartifacts" / root
        (run_dir / "link").symlink_to(wd / "outside", target_is_directory=True)
        rest(server, "POST", "/api/2.0/mlflow/registered-models/create", {"name": "sec-model"})
        rest(server, "POST", "/api/2.0/mlflow/model-versions/create",
             {"name": "sec-model", "source": f"{run['artifact_uri']}/model", "run_id": run["run_id"]})
        out[role] = {"run": run["run_id"], "root": root, "exp": exp, "uri": run["artifact_uri"]}
    return out


def fill(text: str, w: dict) -> str:
    for key in ("run", "root", "exp", "uri"):
        # (placeholders inside an encoded query value are encoded too)
        text = text.replace("{" + key + "}", w[key]).replace("%7B" + key + "%7D", quote(w[key], safe=""))
    return text


def run_case(pair, world, case: Case):
    answers = {}
    untouched = True
    problems = []
    for role, server in (("ts", pair.candidate), ("python", pair.reference)):
        if role == "python" and not case.python:
            continue
        w = world[role]
        wd = Path(server.workdir)
        before, rows_before = fingerprint(wd), row_counts(server)
        body = fill(case.body.decode("latin-1"), w).encode("latin-1") if case.body is not None else None
        r = send(server, case.method, fill(case.target, w), body, case.headers)
        after, rows_after = fingerprint(wd), row_counts(server)
        answers[role] = r
        if before != after:
            untouched = False
            changed = sorted(set(before.items()) ^ set(after.items()))
            problems.append(f"{role}: files beside the artifact root changed: {changed[:5]}")
        if SECRET.encode() in r["body"] or b"root:x:0:0" in r["body"]:
            untouched = False
            problems.append(f"{role}: a file outside the artifact root was sent back")
        if case.refused and r["status"] >= 400 and rows_before != rows_after:
            untouched = False
            problems.append(f"{role}: refused, but rows changed: {rows_before} -> {rows_after}")
    ts = answers["ts"]
    py = answers.get("python")
    if case.expect is not None:
        status, code = case.expect if isinstance(case.expect, tuple) else (case.expect, None)
        if ts["status"] != status or (code is not None and ts["code"] != code):
            problems.append(f"mlflow-ts answered {ts['status']} {ts['code']}, expected {status} {code or ''}")
    if py is not None and (py["status"], py["code"]) != (ts["status"], ts["code"]):
        problems.append(f"mlflow-ts answered {ts['status']} {ts['code']}, Python MLflow {py['status']} {py['code']}")
    expected = case.expect if case.expect is not None else "as Python MLflow"
    if isinstance(expected, tuple):
        expected = " ".join(str(x) for x in expected)
    RESULTS.append({
        "id": case.id, "section": case.section, "anchor": case.anchor, "request": case.request(),
        "expected": str(expected), "ts": ts, "python": py, "untouched": untouched, "passed": not problems,
    })
    return problems


# --- section A: artifact paths ----------------------------------------------------------------------

PATHS = [
    ("P1", "../../../../../../etc/passwd", "CVE-2023-30172"),
    ("P2a", "../x", "validate_path_is_safe"),
    ("P2b", "./../x", "validate_path_is_safe"),
    ("P2c", "a/../../x", "validate_path_is_safe"),
    ("P2d", "..", "validate_path_is_safe"),
    ("P3", "/etc/passwd", "absolute path"),
    ("P4", "/etc/passwd\x00.jpg", "NUL byte"),
    ("P5a", "file:///etc/passwd", "URI as path"),
    ("P5b", "/file://etc/passwd", "URI as path"),
    ("P6", "%2E%2E%2F%2E%2E%2Fx", "encoded traversal"),
    ("P7", "%252e%252e%252fx", "CVE-2024-1560 (double encoding)"),
    ("P8a", "..\\..\\outside\\secret.txt", "CVE-2023-2780/6831/6909"),
    ("P8b", "a\\b", "backslash"),
    ("P9", "C:/Windows/win.ini", "CVE-2023-3765"),
    ("P10", "a#/../../outside/secret.txt", "fragment"),
    ("P11", "a?x=../../", "query in path"),
    ("P12", "a\r\nX-Injected: 1", "control characters"),
    ("P13", "link/secret.txt", "symlink out of the root, CVE-2026-2033"),
]


def q(s: str) -> str:
    return quote(s, safe="")


def artifact_cases() -> list[Case]:
    cases = []
    for pid, p, anchor in PATHS:
        arg = urlencode({"path": p})
        cases += [
            Case(f"A/{pid}/get-artifact", "A", anchor, "GET", f"/get-artifact?run_id={{run}}&{arg}"),
            Case(f"A/{pid}/artifacts-list", "A", anchor, "GET", f"/api/2.0/mlflow/artifacts/list?run_id={{run}}&{arg}"),
            Case(f"A/{pid}/mv-get-artifact", "A", anchor, "GET", f"/model-versions/get-artifact?name=sec-model&version=1&{arg}"),
            Case(f"A/{pid}/upload-artifact", "A", anchor, "POST", f"/ajax-api/2.0/mlflow/upload-artifact?run_id={{run}}&{arg}",
                 body=b"pwned", headers={"Content-Type": "application/octet-stream"}),
            Case(f"A/{pid}/mlflow-artifacts-list", "A", anchor, "GET", f"/api/2.0/mlflow-artifacts/artifacts?{urlencode({'path': '{root}/' + p})}"),
        ]
        # the path inside the request-target: its encoded form (what a client sends)
        enc = "/".join(q(seg) for seg in p.split("/"))
        for method, body in (("GET", None), ("PUT", b"pwned"), ("DELETE", None)):
            if pid == "P13" and method == "DELETE":
                # The pinned release deletes the file the symlink leads to, outside the artifact
                # root: mlflow-ts refuses (its reads and writes are checked the same way).
                cases.append(Case(f"A/{pid}/mlflow-artifacts-{method}", "A", anchor + " (MLflow 3.18 deletes through it)",
                                  method, f"/api/2.0/mlflow-artifacts/artifacts/{{root}}/{enc}",
                                  expect=(400, "INVALID_PARAMETER_VALUE"), python=False))
                continue
            cases.append(Case(f"A/{pid}/mlflow-artifacts-{method}", "A", anchor, method,
                              f"/api/2.0/mlflow-artifacts/artifacts/{{root}}/{enc}", body=body))
        cases.append(Case(f"A/{pid}/mpu-create", "A", anchor, "POST", f"/api/2.0/mlflow-artifacts/mpu/create/{{root}}/{enc}",
                          body=b'{"path": "x", "num_parts": 1}', headers={"Content-Type": "application/json"}))
    cases.append(Case("A/P17/upload-artifact-10MB", "A", "upload_artifact_handler limit", "POST",
                      "/ajax-api/2.0/mlflow/upload-artifact?run_id={run}&path=big.bin", body=b"\0" * (10 * 1024 * 1024 + 1),
                      headers={"Content-Type": "application/octet-stream"}, expect=(400, "INVALID_PARAMETER_VALUE")))
    return cases


# --- section B: model-version sources ---------------------------------------------------------------

SOURCES = [
    ("M1a", "/etc", False, "CVE-2023-1177"),
    ("M1b", "file:///etc", False, "CVE-2023-1177"),
    ("M2", "/tmp", True, "CVE-2023-1177 (with run_id)"),
    ("M3", "file://123.456.789.123/path/to/source", False, "remote file URI"),
    ("M4", "mlflow-artifacts://host:9000/models/../../../", False, "traversal in a proxied source"),
    ("M5a", "http://host:9000/models/../../../", False, "traversal in an http source"),
    ("M5b", "https://host/api/2.0/mlflow-artifacts/artifacts/../../../", False, "traversal in an https source"),
    ("M6", "s3a://my_bucket/api/2.0/mlflow-artifacts/artifacts/../../../", False, "traversal in s3a"),
    ("M7", "mlflow-artifacts://host:9000/models/..%2f..%2fartifacts", False, "encoded traversal"),
    ("M8", "mlflow-artifacts://host:9000/models/artifact%00", False, "NUL"),
    ("M9", "dbfs:/x/artifacts/a%3f/../../../../../../", False, "CVE-2024-8859 class"),
    ("M10", "http:///xxx%23/api/2.0/mlflow-artifacts/artifacts/../../../../../../", False, "CVE-2024-1558"),
    ("M11a", "http://host/;..%2F..%2Fetc", False, "CVE-2024-1593"),
    ("M11b", "file://path/to/../../../../some/where", False, "CVE-2024-1593"),
]


def source_cases() -> list[Case]:
    cases = []
    for mid, src, with_run, anchor in SOURCES:
        for prompt in (False, True):
            body = {"name": "sec-model", "source": src}
            if with_run:
                body["run_id"] = "{run}"
            if prompt:
                body["tags"] = [{"key": "mlflow.prompt.is_prompt", "value": "true"}]
            cases.append(Case(f"B/{mid}{'/prompt' if prompt else ''}", "B",
                              anchor + (", CVE-2026-2614 (prompt tag)" if prompt else ""), "POST",
                              "/api/2.0/mlflow/model-versions/create", body=json.dumps(body).encode(),
                              headers={"Content-Type": "application/json"}))
    return cases


# --- section C: experiment artifact_location ---------------------------------------------------------

LOCATIONS = [
    ("E1", "http://host#/abc/etc/", "fragment"),
    ("E2", "http://host/;..%2F..%2Fetc", "params"),
    ("E3a", "s3://b/p?x=../../etc", "query string"),
    ("E3b", "http://h/p?a=..%2f..", "query string"),
    ("E6", "s3://bucket/" + "a" * 3000, "CVE-2024-6838 (huge value)"),
]

# The corpus's "hardened" rows: stock MLflow accepts these locations (it stores them and fetches
# nothing), and so does mlflow-ts, which answers as MLflow; what is checked is the same answer and
# that no outbound request is made (a location is only a string until artifacts are written).
ACCEPTED_LOCATIONS = [
    ("E4a", "http://169.254.169.254/latest/meta-data/", "GHSA-vf52-gj9c-hw99 (stock MLflow accepts)"),
    ("E4b", "http://127.0.0.1:6379/", "GHSA-vf52-gj9c-hw99 (stock MLflow accepts)"),
    ("E5a", "file:///", "CVE-2023-1177 class (stock MLflow accepts)"),
    ("E5b", "/etc", "CVE-2023-1177 class (stock MLflow accepts)"),
]


def location_cases() -> list[Case]:
    cases = []
    for i, (eid, loc, anchor) in enumerate(LOCATIONS):
        body = json.dumps({"name": f"sec-loc-{eid}", "artifact_location": loc}).encode()
        cases.append(Case(f"C/{eid}", "C", anchor, "POST", "/api/2.0/mlflow/experiments/create", body=body,
                          headers={"Content-Type": "application/json"}))
    for eid, loc, anchor in ACCEPTED_LOCATIONS:
        body = json.dumps({"name": f"sec-loc-{eid}", "artifact_location": loc}).encode()
        cases.append(Case(f"C/{eid}", "C", anchor, "POST", "/api/2.0/mlflow/experiments/create", body=body,
                          headers={"Content-Type": "application/json"}, refused=False))
    cases.append(Case("C/E6-name", "C", "MAX_EXPERIMENT_NAME_LENGTH", "POST", "/api/2.0/mlflow/experiments/create",
                      body=json.dumps({"name": "n" * 501}).encode(), headers={"Content-Type": "application/json"}))
    return cases


# --- section D: browsers ---------------------------------------------------------------------------------

def browser_cases() -> list[Case]:
    j = {"Content-Type": "application/json"}
    upd = b'{"experiment_id": "0", "new_name": "drive-by"}'
    return [
        Case("D/H1", "D", "CVE-2023-43472", "POST", "/api/2.0/mlflow/experiments/update", upd,
             {"Content-Type": "text/plain"}, expect=(400, "INVALID_PARAMETER_VALUE")),
        Case("D/H1-form", "D", "CVE-2023-43472", "POST", "/api/2.0/mlflow/experiments/create", b"name=x",
             {"Content-Type": "application/x-www-form-urlencoded"}, expect=(400, "INVALID_PARAMETER_VALUE")),
        Case("D/H2", "D", "no Content-Type", "POST", "/api/2.0/mlflow/experiments/update", upd, {},
             expect=(400, "INVALID_PARAMETER_VALUE")),
        Case("D/H5", "D", "CVE-2023-6568", "POST", "/api/2.0/mlflow/experiments/update", upd,
             {"Content-Type": "<script>alert(1)</script>"}, expect=(400, "INVALID_PARAMETER_VALUE")),
        Case("D/H6", "D", "CVE-2025-14279", "GET", "/api/2.0/mlflow/experiments/get?experiment_id=0", None,
             {"Host": "evil.example"}, expect=403),
        Case("D/H6-health", "D", "/health is exempt", "GET", "/health", None, {"Host": "evil.example"},
             expect=200, refused=False),
        Case("D/H7", "D", "private-IP host patterns", "GET", "/api/2.0/mlflow/experiments/get?experiment_id=0", None,
             {"Host": "10.evil.example"}, expect=None),
        Case("D/H8", "D", "CVE-2025-14279, CVE-2026-2611", "POST", "/api/2.0/mlflow/experiments/update", upd,
             {**j, "Origin": "https://evil.example"}, expect=403),
        Case("D/H8-ajax", "D", "CVE-2026-2611", "POST", "/ajax-api/2.0/mlflow/runs/delete", b'{"run_id": "{run}"}',
             {**j, "Origin": "https://evil.example"}, expect=403),
        Case("D/H8-upload", "D", "cross-origin upload", "PUT", "/api/2.0/mlflow-artifacts/artifacts/{root}/x.txt", b"x",
             {"Origin": "https://evil.example"}, expect=403),
        Case("D/H9", "D", "localhost origins are allowed", "POST", "/api/2.0/mlflow/experiments/search",
             b'{"max_results": 10}',
             {**j, "Origin": "http://localhost:3000"}, expect=200, refused=False),
        Case("D/H11-html", "D", "XSS through a served artifact", "GET", "/get-artifact?run_id={run}&path=page.html",
             expect=200, refused=False),
        Case("D/H11-svg", "D", "XSS through a served artifact", "GET", "/api/2.0/mlflow-artifacts/artifacts/{root}/pic.svg",
             expect=200, refused=False),
        Case("D/H12", "D", "Fastify CVE-2026-3635", "GET", "/api/2.0/mlflow/experiments/get?experiment_id=0", None,
             {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}, expect=200, refused=False),
        # Spellings of a route other than its canonical one are never served natively (docs/server.md,
        # "Request targets"): with a Python child they reach it unchanged, standalone they answer 501.
        # So no check can be skipped by spelling a path differently.
        Case("D/H13-double-slash", "D", "one canonical path", "GET", "//api/2.0/mlflow/experiments/get?experiment_id=0",
             expect=501, python=False, refused=False),
        Case("D/H13-params", "D", "one canonical path", "GET", "/api/2.0/mlflow/experiments/get;x=1?experiment_id=0",
             expect=501, python=False, refused=False),
        Case("D/H13-trailing", "D", "one canonical path", "GET", "/api/2.0/mlflow/experiments/get/?experiment_id=0",
             expect=501, python=False, refused=False),
        # Standalone, an escaped spelling is routed as Python routes its decoded path: the same answer.
        Case("D/H13-encoded", "D", "one canonical path", "GET", "/api/2.0/mlflow/%65xperiments/get?experiment_id=0",
             refused=False),
    ]


CASES = artifact_cases() + source_cases() + location_cases() + browser_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_case(pair, world, case):
    problems = run_case(pair, world, case)
    assert not problems, "\n".join(problems)


def test_served_html_and_svg_are_attachments(pair, world):
    """H11: a stored HTML or SVG file never renders on the server's origin."""
    for role, server in (("ts", pair.candidate), ("python", pair.reference)):
        w = world[role]
        for target in (f"/get-artifact?run_id={w['run']}&path=page.html",
                       f"/api/2.0/mlflow-artifacts/artifacts/{w['root']}/pic.svg",
                       f"/api/2.0/mlflow-artifacts/artifacts/{w['root']}/page.html"):
            r = send(server, "GET", target)
            assert r["status"] == 200, (role, target, r["status"])
            assert (r["disposition"] or "").startswith("attachment"), (role, target, r["disposition"])
            assert r["nosniff"] == "nosniff", (role, target)


def test_models_uri_source_is_not_resolved_remotely(pair, world):
    """M14 (CVE-2023-6018): a version whose source is `models:/<name>/1`, where version 1's source is
    an attacker's HTTP server. Creating it must not make the server fetch or list anything there:
    a listener on that address counts the connections while mlflow-ts (and Python MLflow) answer."""
    hits: list[str] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            hits.append(current[0])
            conn.close()

    current = ["setup"]
    t = threading.Thread(target=accept, daemon=True)
    t.start()
    answers = {}
    try:
        for role, server in (("ts", pair.candidate), ("python", pair.reference)):
            current[0] = role
            rest(server, "POST", "/api/2.0/mlflow/registered-models/create", {"name": "m14-model"})
            j = {"Content-Type": "application/json"}
            v1 = send(server, "POST", "/api/2.0/mlflow/model-versions/create",
                      json.dumps({"name": "m14-model", "source": f"http://127.0.0.1:{port}/models/evil"}).encode(), j)
            v2 = send(server, "POST", "/api/2.0/mlflow/model-versions/create",
                      json.dumps({"name": "m14-model", "source": "models:/m14-model/1"}).encode(), j)
            answers[role] = (v1, v2)
            time.sleep(0.5)  # a connection attempt made in the background would land by now
    finally:
        stop.set()
        t.join(timeout=2)
        listener.close()
    ts, py = answers["ts"], answers["python"]
    problems = []
    for k, (a, b) in enumerate(zip(ts, py)):
        if (a["status"], a["code"]) != (b["status"], b["code"]):
            problems.append(f"step {k + 1}: mlflow-ts answered {a['status']} {a['code']}, Python {b['status']} {b['code']}")
    if "ts" in hits:
        problems.append("mlflow-ts connected to the source's server")
    # MLflow 3.18 refuses the http source of v1 itself (a host-addressed scheme, unless
    # MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES allows it), so v2's models:/ source then names a
    # missing version: both rows are recorded.
    for k, (label, req) in enumerate((
        ("v1", f"POST /api/2.0/mlflow/model-versions/create source=http://127.0.0.1:{{port}}/models/evil"),
        ("v2", "POST /api/2.0/mlflow/model-versions/create source=models:/m14-model/1"),
    )):
        RESULTS.append({
            "id": f"B/M14-{label}", "section": "B", "anchor": "CVE-2023-6018", "request": req,
            "expected": "as Python MLflow; no connection to the source's server",
            "ts": ts[k], "python": py[k], "untouched": "ts" not in hits, "passed": not problems,
        })
    assert not problems, "\n".join(problems)


# --- section R: every native route ------------------------------------------------------------------------

def native_routes() -> list[tuple[str, str, str | None]]:
    out = subprocess.run(["node", str(ROOT / "bin" / "mlflow-ts.js"), "endpoints", "--json"], capture_output=True,
                         text=True, check=True).stdout
    routes = []
    for rpc in json.loads(out)["rpcs"]:
        if rpc["serving"] != "native":
            continue
        for r in rpc["routes"]:
            url = r["url"].replace("*", "a/b.txt")
            url = "/".join("x" if seg.startswith(":") else seg for seg in url.split("/"))
            routes.append((r["method"], url, None))
    # the native routes that are not proto RPCs, as tests/integration/route-table.test.ts keeps
    # the list complete: (method, target, host check)
    extra = json.loads((Path(__file__).parent / "native-extra-routes.json").read_text())
    routes += [(e["method"], e["target"], e.get("host_check")) for e in extra]
    return routes


ROUTES = native_routes()


def route_cases() -> list[Case]:
    cases = []
    for method, url, host_check in ROUTES:
        # /health and /version answer any Host (MLflow exempts them); /ready is ours only
        expect = 200 if host_check and host_check.startswith("exempt") else 403
        cases.append(Case(f"R/host {method} {url}", "R", "DNS rebinding, CVE-2025-14279", method, url,
                          b"{}" if method in ("POST", "PUT", "PATCH") else None,
                          {"Host": "evil.example", "Content-Type": "application/json"}, expect=expect,
                          python=not (host_check and "ours" in host_check), refused=expect != 200))
        # (MLflow's Origin check guards the API paths: /graphql, for one, answers as Python does)
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            api = url.startswith(("/api/", "/ajax-api/"))
            cases.append(Case(f"R/origin {method} {url}", "R", "cross-origin write, CVE-2026-2611", method, url,
                              b"{}", {"Origin": "https://evil.example", "Content-Type": "application/json"},
                              expect=403 if api else None))
    return cases


ROUTE_CASES = route_cases()


@pytest.mark.parametrize("case", ROUTE_CASES, ids=[c.id for c in ROUTE_CASES])
def test_every_native_route_refuses_foreign_hosts_and_origins(pair, world, case):
    problems = run_case(pair, world, case)
    assert not problems, "\n".join(problems)


def test_every_native_route_has_cases():
    """A native route without a case in section R would be an unchecked attack surface."""
    covered = {(c.method, c.target) for c in ROUTE_CASES}
    missing = [r for r in ROUTES if (r[0], r[1]) not in covered]
    assert not missing and len(ROUTES) > 100, missing
