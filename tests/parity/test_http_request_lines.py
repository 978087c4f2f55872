"""The request-line corpus: odd targets, headers and bodies, sent raw over a socket to the pinned
server and to mlflow-ts in proxy mode (with its Python child), whose answers must be identical.

One pair of servers serves the whole corpus (module-scoped, SQLite): the pinned `mlflow server`
and `mlflow-ts server --python <the pinned venv>`. Each case is a sequence of raw requests sent
to both in the same order (uploads, then reads of what was uploaded). Compared per request:
interim responses (100 Continue), status, the body (JSON bodies of natively served requests
parsed, as everywhere in the suite: mlflow-ts writes them compact), Content-Type, Content-Length
(except native JSON), Location, Content-Disposition, the security headers, and Allow as a set.
Normalized: each server's working directory in bodies (`<workdir>`), and Allow's order (Werkzeug
builds it from a set, so it differs between two Python processes). Not compared: Date, Server,
Connection and framing.

Each case also says which layer of mlflow-ts must answer it: "child" (proxied: the answer carries
the child's `server: uvicorn`), "native" or "front" (no such header). This pins the
classification: a path the child would serve is never answered natively, and vice versa.
The rules are in docs/server.md (Request targets); the differences that remain are listed in
docs/parity-differences.md.
"""

from __future__ import annotations

import re

import json
import os
from dataclasses import dataclass, field

import pytest

import rawhttp
from servers import TS_BUILD_MARKER, start_pair

CANDIDATE = os.environ.get("MLFLOW_TS_PARITY_CANDIDATE", "ts").strip().lower()

A = b"/api/2.0/mlflow-artifacts/artifacts"
X = b"/ajax-api/2.0/mlflow-artifacts/artifacts"
RM = b"/ajax-api/2.0/mlflow/registered-models"
# A GET route with a query string that the Python child still serves (the registry is native).
LS = b"/ajax-api/3.0/mlflow/label-schemas/get-by-name"
EVIL = b"Origin: http://evil.example\r\n"


@dataclass
class Step:
    head: bytes
    body: bytes = b""
    wait_for_continue: bool = False
    served_by: str | None = None  # overrides the case's


def native(step: Step) -> Step:
    """A step mlflow-ts answers itself although its case is the child's."""
    step.served_by = "native"
    return step


@dataclass
class Case:
    id: str
    steps: list[Step]
    served_by: str = "child"  # "child" | "native" | "front"
    note: str = ""
    marks: list = field(default_factory=list)


def req(
    method: str,
    target: bytes,
    headers: bytes = b"",
    body: bytes = b"",
    *,
    host: bytes | None = b"localhost",
    version: bytes = b"HTTP/1.1",
    length: bool = True,
    cont: bool = False,
    served_by: str | None = None,
) -> Step:
    head = method.encode() + b" " + target + b" " + version + b"\r\n"
    if host is not None:
        head += b"Host: " + host + b"\r\n"
    head += b"Connection: close\r\n" + headers
    if body and length and b"transfer-encoding" not in headers.lower():
        head += b"Content-Length: " + str(len(body)).encode() + b"\r\n"
    return Step(head + b"\r\n", body, cont, served_by)


def raw(head: bytes, body: bytes = b"", served_by: str | None = None) -> Step:
    return Step(head, body, False, served_by)


def chunked(*parts: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


LONG_OK = A + b"/long/" + b"d/" * 3000 + b"x"  # ~6 KB target: below both parsers' 16 KiB head limit
# Over 16 KiB of request head that has not ended yet: h11 refuses a buffer that large while the
# head is incomplete, Node's parser refuses a head that large. (A longer head that arrives whole
# in one read is accepted by h11: docs/parity-differences.md.)
LONG_TOO = b"GET " + A + b"/" + b"a/" * 9000

CASES = [
    # --- dot segments (never resolved: the child sees them and refuses them, as MLflow does)
    Case("get-dotdot", [req("GET", A + b"/hx/../../etc/passwd")]),
    Case("get-dotdot-ajax", [req("GET", X + b"/hx/../../etc/passwd")]),
    Case("get-dotdot-encoded", [req("GET", A + b"/hx/%2e%2e/%2e%2e/etc/passwd")]),
    Case("get-dotdot-encoded-upper", [req("GET", A + b"/hx/%2E%2E/x")]),
    Case("get-dotdot-half-encoded", [req("GET", A + b"/hx/.%2e/x")]),
    Case("get-dotdot-double-encoded", [req("GET", A + b"/hx/%252e%252e/%252e%252e/etc/passwd")]),
    Case("get-dot", [req("GET", A + b"/hx/./x"), req("GET", A + b"/hx/%2e/x")]),
    Case("get-dotdot-leading", [req("GET", A + b"/../mlruns"), req("GET", A + b"/..")]),
    Case("put-dotdot", [req("PUT", A + b"/hx/../../x", body=b"x")]),
    Case("put-dotdot-encoded", [req("PUT", A + b"/hx/%2e%2e/%2e%2e/x", body=b"x")]),
    Case("put-dotdot-double-encoded", [req("PUT", A + b"/hx/%252e%252e/x", body=b"x")]),
    Case("delete-dotdot", [req("DELETE", A + b"/hx/../x"), req("DELETE", A + b"/hx/%2e%2e/x")]),
    Case("list-dotdot", [req("GET", A + b"?path=../.."), req("GET", A + b"?path=%2e%2e%2f%2e%2e")]),
    # --- backslashes (a file name character on POSIX: stored, listed and read back as such)
    Case("get-backslash", [req("GET", A + b"/hx/..\\..\\x"), req("GET", A + b"/hx/%5c..%5c..%5cx")]),
    Case(
        "put-backslash-then-read",
        [
            req("PUT", A + b"/bs/..\\..\\x", body=b"backslash"),
            req("GET", A + b"/bs/..\\..\\x"),
            req("GET", A + b"/bs/..%5C..%5Cx"),
            req("GET", A + b"?path=bs"),
        ],
    ),
    # --- slashes: //, %2F, absolute paths
    Case("get-double-slash", [req("GET", A + b"//etc/passwd"), req("GET", A + b"/hx//x")]),
    Case("get-encoded-slash", [req("GET", A + b"/hx%2F..%2F..%2Fetc%2Fpasswd"), req("GET", A + b"/%2Fetc%2Fpasswd")]),
    Case("put-encoded-slash-then-read", [req("PUT", A + b"/es%2Ff", body=b"es"), req("GET", A + b"/es/f")]),
    # --- NUL
    Case("nul", [req("GET", A + b"/hx%00x"), req("PUT", A + b"/hx%00x", body=b"n"), req("GET", A + b"?path=a%00b")]),
    # --- trailing dots
    Case(
        "trailing-dots",
        [
            req("PUT", A + b"/td/x.", body=b"dot"),
            req("GET", A + b"/td/x."),
            req("GET", A + b"/td/x"),
            req("GET", A + b"/td/x.."),
            req("GET", A + b"/td/..."),
            req("GET", A + b"/td/x%2e"),
            req("GET", A + b"?path=td"),
        ],
    ),
    # --- non-ASCII
    Case(
        "utf8-escaped-then-read",
        [
            req("PUT", A + b"/u/h%C3%A9llo", body=b"utf8"),
            req("GET", A + b"/u/h%C3%A9llo"),
            req("GET", A + b"?path=u"),
            req("GET", A + b"/u/%FF%FE"),
        ],
    ),
    Case("raw-non-ascii-target", [req("GET", A + b"/u/h\xc3\xa9llo")], served_by="front"),
    Case("raw-control-byte-target", [req("GET", A + b"/u/h\x7fx")], served_by="front"),
    # --- long targets
    Case("long-path", [req("GET", LONG_OK), req("GET", A + b"/" + b"a" * 300)]),
    Case("too-long-target", [raw(LONG_TOO)], served_by="front"),
    # --- query strings: repeated keys, + and %20, empty values, fragments
    Case(
        "query-strings-artifacts",
        [
            req("PUT", A + b"/q%20s/f", body=b"space"),
            req("PUT", A + b"/q+s/g", body=b"plus"),
            req("GET", A + b"?path=q+s"),
            req("GET", A + b"?path=q%20s"),
            req("GET", A + b"?path=q%2Bs"),
            req("GET", A + b"?path="),
            req("GET", A + b"?path"),
            req("GET", A + b"?path=q%20s&path=q%2Bs"),
            req("GET", A + b"?path=q%20s#frag"),
        ],
    ),
    Case(
        "query-strings-proxied",
        [
            req("GET", LS + b"?name=a+b&experiment_id=0"),
            req("GET", LS + b"?name=a%20b&experiment_id=0"),
            req("GET", LS + b"?name=&experiment_id=0"),
            req("GET", LS + b"?name=x&name=y&experiment_id=0"),
            req("GET", LS + b"?name=%2e%2e%2fx&experiment_id=0"),
            req("GET", b"/ajax-api/3.0/mlflow/label-schemas/../label-schemas/get-by-name?name=x"),
            req("GET", b"/ajax-api/3.0/mlflow/label-schemas/%67et-by-name?name=x"),
        ],
    ),
    Case(
        "query-strings-registry",
        [
            # Plain targets of native routes are served natively, the query read as Flask reads it.
            req("GET", RM + b"/get?name=a+b", served_by="native"),
            req("GET", RM + b"/get?name=a%20b", served_by="native"),
            req("GET", RM + b"/get?name=", served_by="native"),
            req("GET", RM + b"/get?name=x&name=y", served_by="native"),
            req("GET", RM + b"/get?name=%2e%2e%2fx", served_by="native"),
            # Spelled otherwise, the same route is the child's.
            req("GET", RM + b"/../registered-models/get?name=x"),
            req("GET", RM + b"/%67et?name=x"),
        ],
    ),
    # --- static files: every spelling under /static-files/ is served natively (from the same UI
    # build the child would send, src/http/ui), other spellings of / go to the child
    Case(
        "static-files",
        [
            native(req("GET", b"/static-files/../../__init__.py")),
            native(req("GET", b"/static-files/%2e%2e/%2e%2e/__init__.py")),
            native(req("GET", b"/static-files/..%2f..%2f__init__.py")),
            native(req("GET", b"/static-files/static/..\\..\\index.html")),
            native(req("GET", b"/static-files/nonexistent%00.js")),
            native(req("GET", b"/static-files//favicon.ico")),
            native(req("GET", b"/")),
            req("GET", b"/./"),
            req("GET", b"/%2e/"),
        ],
    ),
    # --- native routes: only their plain spelling is served natively; any other goes to the child
    Case(
        "native-plain",
        [
            req("GET", b"/api/2.0/mlflow/runs/get?run_id=x"),
            req("GET", b"/api/2.0/mlflow/experiments/get?experiment_id=%39%39"),
            req("HEAD", b"/api/2.0/mlflow/experiments/get?experiment_id=0"),
            req("GET", b"/api/2.0/mlflow/experiments/get-by-name?experiment_name=De+fault"),
            req("GET", b"/api/2.0/mlflow/experiments/get-by-name?experiment_name=De%20fault"),
            req("GET", b"/api/2.0/mlflow/experiments/get-by-name?experiment_name=a%2Bb%25"),
            req("GET", b"/api/2.0/mlflow/experiments/get-by-name?experiment_name="),
            req("GET", b"/api/2.0/mlflow/experiments/get-by-name?experiment_name=x&experiment_name=y"),
            req("GET", b"/api/2.0/mlflow/experiments/get?experiment_id=0#frag"),
            req("GET", b"/api/2.0/mlflow/experiments/get?experiment_id=99&experiment_id=0"),
        ],
        served_by="native",
    ),
    Case(
        "native-path-spelled-otherwise",
        [
            req("GET", b"/api/2.0/mlflow/runs/../runs/get?run_id=x"),
            req("GET", b"/api/2.0/mlflow/runs/./get?run_id=x"),
            req("GET", b"/api/2.0/mlflow/runs/%67et?run_id=x"),
            req("GET", b"/api/2.0/mlflow/runs%2Fget?run_id=x"),
            req("GET", b"/api/2.0//mlflow/runs/get?run_id=x"),
            req("GET", b"/api/2.0/mlflow/runs/get;x?run_id=x"),
            req("GET", b"/api/2.0/mlflow/runs/get#x?run_id=x"),
            req("GET", b"/api/2.0/mlflow/runs/get%zz?run_id=x"),
            req("GET", b"/api/2.0/mlflow/runs/get/?run_id=x"),
            req("GET", b"/api/2.0/mlflow/runs/GET?run_id=x"),
            req("GET", b"http://localhost/api/2.0/mlflow/runs/get?run_id=x"),
            req("POST", b"/api/2.0/mlflow/experiments/../experiments/create", b"", b'{"name": "dotdot"}'),
            req("GET", b"/api/2.0/mlflow/experiments/search?filter=name%3D%27dotdot%27", served_by="native"),
        ],
    ),
    Case(
        "non-origin-targets",
        [
            req("OPTIONS", b"*"),
            req("GET", b"*"),
            raw(b"CONNECT localhost:80 HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ],
        served_by="front",
    ),
    # --- the security middleware sees the path Python's middleware sees (unquoted, not resolved)
    Case(
        "security-on-odd-paths",
        [
            req("POST", b"/%61pi/2.0/mlflow/experiments/create", EVIL, b'{"name": "evil"}'),
            req("POST", b"/api/2.0/mlflow/experiments/../experiments/create", EVIL, b'{"name": "evil"}'),
            req("PUT", A + b"/%2e%2e/x", EVIL, b"x"),
            req("POST", b"/ajax-api/2.0/mlflow/registered-models/create%zz", EVIL, b"{}"),
            req("GET", b"/api/2.0/mlflow/experiments/search", host=b"evil.example"),
            req("GET", b"/health/../api/2.0/mlflow/experiments/search", host=b"evil.example"),
            req("GET", b"/%68ealth", host=b"evil.example", served_by="child"),
            req("GET", A + b"/x", host=b"evil.example"),
        ],
        served_by="front",
    ),
    # --- request-level rules of the pinned server's parser
    Case(
        "invalid-requests",
        [
            raw(b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n"),
            raw(b"GET " + A + b"/x HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n\r\n"),
            raw(b"GET " + A + b"/x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
            raw(
                b"GET " + A + b"/x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            ),
            raw(b"GET " + A + b"/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
            raw(b"GET " + A + b"/x HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\n\r\n"),
            raw(b"GET " + A + b"/x HTTP/9\r\nHost: localhost\r\n\r\n"),
        ],
        served_by="front",
    ),
    Case(
        "http-1.0",
        [
            req("GET", A + b"/x", host=None, version=b"HTTP/1.0", served_by="front"),
            req("GET", A + b"/x", version=b"HTTP/1.0"),
        ],
    ),
    # --- headers: repeated, ordered, odd bytes, unknown expectations
    Case(
        "odd-headers",
        [
            req("GET", A + b"/x", b"X-Rep: 1\r\nAccept: */*\r\nX-Rep: 2\r\nAccept: text/html\r\n"),
            req("GET", A + b"/x", b"X-Odd: caf\xe9 \x80\xff\tz\r\nUser-Agent: \xc3\xa9\r\n"),
            req("GET", A + b"/x", b"Expect: something-else\r\n"),
            req(
                "GET",
                RM + b"/get?name=x",
                b"Content-Type: application/json\r\nContent-Type: text/plain\r\n",
                served_by="native",
            ),
        ],
    ),
    Case("other-methods", [req("PROPFIND", A + b"/x"), req("TRACE", A + b"/x"), req("PATCH", A + b"/x")]),
    # --- bodies: chunked, 100-continue, empty
    Case(
        "chunked-upload-then-read",
        [
            req("PUT", A + b"/ch/f", b"Transfer-Encoding: chunked\r\n", chunked(b"abc", b"\x00\x01\xfe\xff", b"x" * 5000)),
            req("GET", A + b"/ch/f"),
            req("HEAD", A + b"/ch/f"),
        ],
    ),
    Case(
        "expect-continue-upload",
        [
            req("PUT", A + b"/ec/f", b"Expect: 100-continue\r\n", b"continued", cont=True),
            req("GET", A + b"/ec/f"),
            req("PUT", A + b"/ec/g", EVIL + b"Expect: 100-continue\r\n", b"refused", cont=True, served_by="front"),
            req("GET", A + b"/ec/g"),
        ],
    ),
    Case(
        "empty-body",
        [
            req("PUT", A + b"/em/f", b"Content-Length: 0\r\n"),
            req("GET", A + b"/em/f"),
            req("HEAD", A + b"/em/f"),
            req("GET", A + b"?path=em"),
            req("DELETE", A + b"/em/f", b"Content-Length: 0\r\n"),
            req("GET", A + b"?path=em"),
        ],
    ),
    Case(
        "chunked-json",
        [
            req(
                "POST",
                RM + b"/create",
                b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
                chunked(b'{"na', b'me": "chunked-model"}'),
                served_by="native",
            ),
            req("GET", RM + b"/get?name=chunked-model", served_by="native"),
            req(
                "POST",
                b"/api/2.0/mlflow/runs/search",
                b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
                chunked(b'{"experiment_', b'ids": ["0"]}'),
                served_by="native",
            ),
            req(
                "POST",
                b"/api/2.0/mlflow/runs/search",
                b"Content-Type: application/json\r\nExpect: 100-continue\r\n",
                b'{"experiment_ids": ["0"]}',
                cont=True,
                served_by="native",
            ),
        ],
    ),
]


@pytest.fixture(scope="module")
def proxy_pair(tmp_path_factory):
    """The pinned server and mlflow-ts with its Python child, for the whole corpus."""
    if CANDIDATE not in ("ts", "python"):
        pytest.fail(f"MLFLOW_TS_PARITY_CANDIDATE must be ts or python, not {CANDIDATE!r}")
    if CANDIDATE == "ts" and not TS_BUILD_MARKER.exists():
        pytest.fail(f"mlflow-ts is not built ({TS_BUILD_MARKER} missing): run `npm run build`")
    kind = "ts-proxy" if CANDIDATE == "ts" else "python"
    pair = start_pair("sqlite", kind, tmp_path_factory.mktemp("request-lines"), None)
    try:
        yield pair
    finally:
        pair.stop()


HEADERS_COMPARED = (
    "content-type",
    "location",
    "content-disposition",
    "x-content-type-options",
    "x-frame-options",
    "access-control-allow-origin",
    "vary",
)


def observe(server, step: Step, served_by: str) -> dict:
    native = served_by == "native"
    res = rawhttp.exchange(server.port, step.head, step.body, wait_for_continue=step.wait_for_continue)
    workdir = str(server.workdir).encode()
    body = res.body.replace(workdir, b"<workdir>")
    content_type = res.header("content-type") or ""
    if native and content_type.startswith("application/json") and body:
        shown = json.loads(body)
    else:
        shown = body.decode("latin1")
    headers = {k: res.header(k) for k in HEADERS_COMPARED if res.header(k) is not None}
    allow = res.header("allow")
    if allow is not None:
        headers["allow"] = sorted(m.strip() for m in allow.split(","))
    # Framing is each server's own, except for what the child produced (forwarded as it is).
    if served_by == "child" and res.header("content-length") is not None:
        headers["content-length"] = res.header("content-length")
    return {
        "request": step.head.split(b"\r\n", 1)[0].decode("latin1")[:200],
        "interim": res.interim,
        "status": res.status,
        "headers": headers,
        "body": shown,
        "_server": res.header("server"),
    }


# src/http/request-target.ts: a target made only of these characters is routed as it is; any other
# goes to the child untouched.
PLAIN_TARGET = re.compile(rb"^/[A-Za-z0-9._~/-]*(?:\?|$)")
ARTIFACT_PATH_TAIL = re.compile(rb"^/(?:api|ajax-api)/2\.0/mlflow-artifacts/artifacts/")
NATIVE_ARTIFACT_ROUTES = re.compile(rb"^/(?:api|ajax-api)/2\.0/mlflow-artifacts/artifacts(?:/|\?|$)")


def native_artifact_target(head: bytes) -> bool:
    """The mlflow-artifacts service is native: with a method it has a route for, its targets are
    answered by mlflow-ts itself (HEAD follows GET, as Fastify registers it): the list route when
    plain, the `artifacts/<path>` routes whatever the spelling of the path (request-target.ts)."""
    method, target = head.split(b" ", 2)[:2]
    if method not in (b"GET", b"HEAD", b"PUT", b"DELETE"):
        return False
    # The artifact path after `artifacts/` is read by the native handler in any spelling.
    if ARTIFACT_PATH_TAIL.match(target):
        return True
    return PLAIN_TARGET.match(target) is not None and NATIVE_ARTIFACT_ROUTES.match(target) is not None


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_request_line(proxy_pair, case: Case):
    ref_log: list[dict] = []
    cand_log: list[dict] = []
    for step in case.steps:
        served_by = step.served_by or case.served_by
        if served_by == "child" and step.served_by is None and native_artifact_target(step.head):
            served_by = "native"
        ref = observe(proxy_pair.reference, step, served_by)
        cand = observe(proxy_pair.candidate, step, served_by)
        if CANDIDATE == "ts":
            # Which layer of mlflow-ts answered: only the child's answers carry uvicorn's header.
            expected = "uvicorn" if served_by == "child" else None
            assert cand["_server"] == expected, f"{cand['request']}: expected to be served by the {served_by}"
        ref.pop("_server")
        cand.pop("_server")
        ref_log.append(ref)
        cand_log.append(cand)
    for ref, cand in zip(ref_log, cand_log):
        assert cand == ref, (
            f"{ref['request']}\n--- pinned server:\n{_shown(ref)}\n--- mlflow-ts (proxy mode):\n{_shown(cand)}"
        )


def _shown(observed: dict) -> str:
    return json.dumps({k: v for k, v in observed.items() if k != "request"}, indent=1)[:3000]
