"""Raw HTTP: the UI's static files (`/`, `/static-files/<path>`, Flask's `/build/<path>`), served by
mlflow-ts without Python from the pinned wheel's build, against the pinned server's Flask routes.

Compared: status, body (SHA-256), and the headers that decide how a browser caches and renders
them. ETag, Last-Modified and Expires depend on the file's path and mtime and on the clock: only
their presence and form are compared.
"""

import hashlib
import http.client
import re
from urllib.parse import urlsplit

import pytest

SAME_HEADERS = (
    "content-type",
    "content-disposition",
    "content-length",
    "cache-control",
    "accept-ranges",
    "content-range",
    "x-content-type-options",
    "x-frame-options",
    "location",
)


def fetch(s, target, headers=None, label=None, method="GET"):
    url = urlsplit(s.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        # One Host for both servers: redirects name it.
        conn.request(method, target, headers={"Connection": "close", "Host": "localhost:5000", **(headers or {})})
        resp = conn.getresponse()
        content = resp.read()
        got = {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()
    entry = {"step": label or f"{method} {target}", "status": resp.status}
    for h in SAME_HEADERS:
        entry[f"header:{h}"] = got.get(h)
    entry["etag_form"] = bool(re.fullmatch(r'"\d+(\.\d+)?-\d+-\d+"', got.get("etag", ""))) if "etag" in got else None
    entry["has_last_modified"] = "last-modified" in got
    entry["has_expires"] = "expires" in got
    entry["body_sha256"] = hashlib.sha256(content).hexdigest()
    s.transcript.append(entry)
    return resp.status, got, content


@pytest.mark.rpc("GET /", "GET /static-files/<path:path>", case="ok")
def test_ui_static_files(parity):
    def sc(s):
        _, _, index = fetch(s, "/")
        html = index.decode()
        assets = re.findall(r'(?:src|href)="\.?/?(static-files/[^"]+)"', html)
        assert assets, html[:300]
        for a in assets:
            fetch(s, "/" + a)
        fetch(s, "/static-files/asset-manifest.json")
        fetch(s, "/static-files/favicon.ico")
        fetch(s, "/build/index.html")
        fetch(s, "/static-files/./favicon.ico")
        fetch(s, "/static-files/static/../favicon.ico")
        fetch(s, "/static-files/%66avicon.ico")
        fetch(s, "/", method="HEAD")
        fetch(s, "/static-files/favicon.ico", headers={"Range": "bytes=0-9"}, label="range")
        fetch(s, "/static-files/favicon.ico", headers={"Range": "bytes=-10"}, label="suffix range")

    parity.check(sc)


@pytest.mark.rpc("GET /", "GET /static-files/<path:path>", case="error")
def test_ui_static_files_refused(parity):
    def sc(s):
        for target in (
            "/static-files/nope.js",
            "/static-files/",
            "/static-files/static",
            "/static-files/../index.html",
            "/static-files/static/../../index.html",
            "/static-files/%2e%2e/index.html",
            "/static-files/..%2findex.html",
            "/static-files/%5c..%5cindex.html",
            "/static-files//etc/passwd",
            "/static-files/%2fetc%2fpasswd",
            "/build/",
            "/build/../mlflow.db",
            "/build/nope.html",
            "/build//index.html",
            "/static-files//favicon.ico?v=1",
            "/static-files/a//b.js",
            "/static-files//",
        ):
            fetch(s, target)

    parity.check(sc)


@pytest.mark.rpc("GET /", case="ok")
def test_ui_conditional_requests(parity):
    """A browser's revalidation: the ETag and Last-Modified it got come back (each server's own)."""

    def sc(s):
        _, got, _ = fetch(s, "/", label="first")
        fetch(s, "/", headers={"If-None-Match": got["etag"]}, label="if-none-match own etag")
        fetch(s, "/", headers={"If-None-Match": '"other"'}, label="if-none-match other etag")
        fetch(s, "/", headers={"If-Modified-Since": got["last-modified"]}, label="if-modified-since")
        fetch(s, "/", headers={"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}, label="modified since epoch")
        _, fav, _ = fetch(s, "/static-files/favicon.ico", label="asset")
        fetch(s, "/static-files/favicon.ico", headers={"If-None-Match": fav["etag"]}, label="asset revalidated")

    parity.check(sc)
