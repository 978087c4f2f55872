"""Raw HTTP: the WebhookService RPCs on /api/2.0 and /ajax-api/2.0, valid and bad requests.

Webhook ids are random UUIDs, mapped to `<uuid:N>` by the normalizer (docs/parity-differences.md).
Deliveries go to a receiver on loopback (the servers run with MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS and
http allowed, see conftest.py), which checks the signature and records what each side sent.
"""

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


PREFIXES = ("/api/2.0", "/ajax-api/2.0")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ISO_UTC_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$")
SECRET = "parity-secret"
EV_RM = {"entity": "REGISTERED_MODEL", "action": "CREATED"}
EV_MVT = {"entity": "MODEL_VERSION_TAG", "action": "SET"}


class _Receiver(BaseHTTPRequestHandler):
    log: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        delivery_id = self.headers.get("X-MLflow-Delivery-Id", "")
        ts = self.headers.get("X-MLflow-Timestamp", "")
        sig = self.headers.get("X-MLflow-Signature")
        expected = "v1," + base64.b64encode(
            hmac.new(SECRET.encode(), f"{delivery_id}.{ts}.{body}".encode(), hashlib.sha256).digest()
        ).decode()
        payload = json.loads(body)
        stamp = payload.pop("timestamp", None)
        _Receiver.log.append(
            {
                "path": self.path,
                "content_type": self.headers.get("Content-Type"),
                "delivery_id_is_uuid": bool(UUID_RE.fullmatch(delivery_id)),
                "timestamp_is_unix_seconds": ts.isdigit() and abs(int(ts) - time.time()) < 600,
                "signature": None if sig is None else ("valid" if sig == expected else "invalid"),
                "payload_timestamp_is_iso_utc": bool(stamp and ISO_UTC_RE.match(stamp)),
                "payload": payload,
                # json.dumps' layout, which the signature covers
                "python_json_layout": body == json.dumps(json.loads(body)),
            }
        )
        m = re.search(r"/status/(\d+)", self.path)
        self.send_response(int(m.group(1)) if m else 200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(f"received {self.path}".encode())

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def call(s, method, path, body=None, params=None, prefix="/api/2.0", data=None, headers=None):
    return s.call(method, path, json_body=body, params=params, prefix=prefix, data=data, headers=headers)


def create(s, name, url, events=(EV_RM,), prefix="/api/2.0", **extra):
    status, out = call(s, "POST", "/mlflow/webhooks", {"name": name, "url": url, "events": list(events), **extra}, prefix=prefix)
    assert status == 200, out
    time.sleep(0.005)  # distinct creation times: list order is by creation time
    return out["webhook"]["webhook_id"]


def clear_webhooks(s):
    """Soft-deletes every live webhook (unrecorded): list scenarios see only their own."""
    while True:
        out = s.http.get(s.base_url + "/api/2.0/mlflow/webhooks", params={"max_results": 1000}).json()
        if not out.get("webhooks"):
            return
        for w in out["webhooks"]:
            s.http.delete(s.base_url + "/api/2.0/mlflow/webhooks/" + w["webhook_id"])


def deliveries(s):
    s.observe("receiver saw", list(_Receiver.log))
    _Receiver.log.clear()


@pytest.mark.rpc("WebhookService.createWebhook", "WebhookService.getWebhook", case="ok")
def test_create_and_get(parity, receiver):
    def sc(s):
        for i, prefix in enumerate(PREFIXES):
            wid = create(
                s,
                f"wh-full-{i}",
                f"{receiver}/hook?x=1",
                events=[EV_MVT, EV_RM, {"entity": "PROMPT_ALIAS", "action": "DELETED"}],
                prefix=prefix,
                description="a webhook ✓",
                secret=SECRET,
                status="DISABLED",
            )
            for p in PREFIXES:
                call(s, "GET", f"/mlflow/webhooks/{wid}", prefix=p)
        create(s, "Wh.min_1", "https://example.com/x", description="")
        create(s, "bad-status-ignored", f"{receiver}/x", status="NOPE")
        create(s, "budget", f"{receiver}/x", events=[{"entity": "BUDGET_POLICY", "action": "EXCEEDED"}])

    parity.check(sc)


@pytest.mark.rpc("WebhookService.createWebhook", case="error")
def test_create_errors(parity, receiver, server_pair):
    def sc(s):
        ok = {"name": "wh-x", "url": f"{receiver}/x", "events": [EV_RM]}
        for bad in (
            {"url": ok["url"], "events": [EV_RM]},  # no name
            {"name": "wh-x", "events": [EV_RM]},  # no url
            {"name": "wh-x", "url": ok["url"]},  # no events
            {**ok, "name": "-x"},
            {**ok, "name": "x" * 64},
            {**ok, "name": "a b"},
            {**ok, "name": 123},
            {**ok, "events": []},
            {**ok, "events": EV_RM},
            {**ok, "events": [{"entity": "REGISTERED_MODEL", "action": "DELETED"}]},
            {**ok, "events": [{"entity": "PROMPT_TAG", "action": "CREATED"}]},
            {**ok, "events": [{"action": "CREATED"}]},  # ENTITY_UNSPECIFIED: a bare 500
            {**ok, "events": [{"entity": "PROMPT"}]},
            {**ok, "events": [{"entity": "NOPE", "action": "CREATED"}]},
            {**ok, "url": "ftp://example.com/x"},
            {**ok, "url": "http:///x"},
            {**ok, "url": "   "},
            {**ok, "url": "http://[::1/x"},
            {**ok, "url": "example.com/x"},
            {**ok, "description": 5},
            # longer than the columns: SQLite stores them, PostgreSQL refuses them (both servers)
            {**ok, "url": f"{receiver}/" + "u" * 600},
            {**ok, "description": "d" * 1001},
            {**ok, "secret": "s" * 700},  # its Fernet token is longer than 1000
        ):
            call(s, "POST", "/mlflow/webhooks", bad)
        if server_pair.dialect == "sqlite":  # PostgreSQL's message names the (random) id
            call(s, "POST", "/mlflow/webhooks", {**ok, "events": [EV_RM, EV_RM]})
        call(s, "POST", "/mlflow/webhooks", data='{"name": "x"', headers={"Content-Type": "application/json"})
        call(s, "POST", "/mlflow/webhooks", data="{}", headers={"Content-Type": "text/plain"})
        call(s, "GET", "/mlflow/webhooks", params={"max_results": 1000})  # nothing was stored

    parity.check(sc)


@pytest.mark.rpc("WebhookService.getWebhook", "WebhookService.deleteWebhook", case="error")
def test_get_delete_errors(parity, receiver):
    def sc(s):
        call(s, "GET", "/mlflow/webhooks/no-such-webhook")
        call(s, "DELETE", "/mlflow/webhooks/no-such-webhook")
        # these two handlers read no request message: query and body are ignored
        call(s, "GET", "/mlflow/webhooks/no-such-webhook", params={"webhook_id": ["a", "b"], "max_results": "x"})
        call(s, "DELETE", "/mlflow/webhooks/no-such-webhook", {"webhook_id": "a", "webhookId": "b"})
        call(s, "DELETE", "/mlflow/webhooks/no-such-webhook", {"webhook_id": ["x"]})
        call(s, "GET", "/mlflow/webhooks/no-such-webhook", data="{not json", headers={"Content-Type": "application/json"})
        wid = create(s, "wh-gone", f"{receiver}/x")
        call(s, "DELETE", f"/mlflow/webhooks/{wid}")
        for p in PREFIXES:
            call(s, "GET", f"/mlflow/webhooks/{wid}", prefix=p)
            call(s, "DELETE", f"/mlflow/webhooks/{wid}", prefix=p)
            call(s, "PATCH", f"/mlflow/webhooks/{wid}", {"name": "again"}, prefix=p)
            call(s, "POST", f"/mlflow/webhooks/{wid}/test", {}, prefix=p)

    parity.check(sc)


@pytest.mark.rpc("WebhookService.listWebhooks", "WebhookService.deleteWebhook", case="ok")
def test_list_and_delete(parity, receiver):
    def sc(s):
        clear_webhooks(s)
        call(s, "GET", "/mlflow/webhooks")
        ids = [create(s, f"wh-list-{i}", f"{receiver}/{i}", events=[EV_RM, EV_MVT][: 1 + i % 2]) for i in range(5)]
        for p in PREFIXES:
            call(s, "GET", "/mlflow/webhooks", prefix=p)
        status, page = call(s, "GET", "/mlflow/webhooks", params={"max_results": 2})
        while page.get("next_page_token"):
            status, page = call(s, "GET", "/mlflow/webhooks", params={"max_results": 2, "page_token": page["next_page_token"]})
        call(s, "GET", "/mlflow/webhooks", params={"max_results": 0})
        call(s, "GET", "/mlflow/webhooks", params={"max_results": 5})
        call(s, "GET", "/mlflow/webhooks", params={"max_results": 4, "page_token": ""})
        call(s, "DELETE", f"/mlflow/webhooks/{ids[1]}")
        call(s, "DELETE", f"/mlflow/webhooks/{ids[3]}", prefix="/ajax-api/2.0")
        call(s, "GET", "/mlflow/webhooks")

    parity.check(sc)


@pytest.mark.rpc("WebhookService.listWebhooks", case="error")
def test_list_errors(parity):
    def sc(s):
        for params in (
            {"max_results": -1},
            {"max_results": 1001},
            {"max_results": "abc"},
            {"page_token": "zzz"},
            {"page_token": base64.b64encode(b"not json").decode()},
            {"page_token": base64.b64encode(b'{"offset": "x"}').decode()},
        ):
            call(s, "GET", "/mlflow/webhooks", params=params)

    parity.check(sc)


@pytest.mark.rpc("WebhookService.updateWebhook", case="ok")
def test_update(parity, receiver):
    def sc(s):
        wid = create(s, "wh-upd", f"{receiver}/a", description="first", secret=SECRET)
        for body in (
            {"name": "wh-upd-2"},
            {"name": "", "url": "", "events": []},  # empty values leave the fields
            {"description": ""},
            {"events": [{"entity": "PROMPT", "action": "CREATED"}, EV_MVT]},
            {"status": "DISABLED"},
            {"status": "ACTIVE", "url": f"{receiver}/b", "secret": ""},
            {},
        ):
            call(s, "PATCH", f"/mlflow/webhooks/{wid}", body)
        call(s, "PATCH", f"/mlflow/webhooks/{wid}", {"description": "via ajax"}, prefix="/ajax-api/2.0")
        call(s, "GET", f"/mlflow/webhooks/{wid}")

    parity.check(sc)


@pytest.mark.rpc("WebhookService.updateWebhook", case="error")
def test_update_errors(parity, receiver):
    def sc(s):
        wid = create(s, "wh-upd-err", f"{receiver}/a")
        path = f"/mlflow/webhooks/{wid}"
        for body in (
            {"name": "_bad"},
            {"url": "ftp://example.com"},
            {"url": "http://"},
            {"events": [{"entity": "MODEL_VERSION", "action": "SET"}]},
            {"events": [{"entity": "MODEL_VERSION"}]},
            {"events": {"entity": "MODEL_VERSION"}},
            {"name": 5},
            {"status": 1.5},
        ):
            call(s, "PATCH", path, body)
        call(s, "PATCH", "/mlflow/webhooks/no-such-webhook", {"name": "ok-name"})
        # a bad event is refused before the webhook is looked up
        call(s, "PATCH", "/mlflow/webhooks/no-such-webhook", {"events": [{"entity": "PROMPT", "action": "SET"}]})
        call(s, "GET", path)  # unchanged

    parity.check(sc)


@pytest.mark.rpc("WebhookService.testWebhook", case="ok")
def test_test_webhook(parity, receiver):
    def sc(s):
        _Receiver.log.clear()
        signed = create(s, "wh-test", f"{receiver}/ok", events=[EV_MVT, EV_RM], secret=SECRET)
        call(s, "POST", f"/mlflow/webhooks/{signed}/test", {})
        for ev in (
            {"entity": "MODEL_VERSION_ALIAS", "action": "CREATED"},
            {"entity": "PROMPT_VERSION", "action": "CREATED"},
            {"entity": "BUDGET_POLICY", "action": "EXCEEDED"},
        ):
            call(s, "POST", f"/mlflow/webhooks/{signed}/test", {"event": ev}, prefix="/ajax-api/2.0")
        unsigned = create(s, "wh-test-nosecret", f"{receiver}/status/404", description="d")
        call(s, "POST", f"/mlflow/webhooks/{unsigned}/test", {})
        disabled = create(s, "wh-test-disabled", f"{receiver}/disabled", status="DISABLED")
        call(s, "POST", f"/mlflow/webhooks/{disabled}/test", {})  # tested all the same
        deliveries(s)

    parity.check(sc)


@pytest.mark.rpc("WebhookService.testWebhook", case="error")
def test_test_webhook_errors(parity, receiver):
    def sc(s):
        _Receiver.log.clear()
        wid = create(s, "wh-test-err", f"{receiver}/status/500", secret=SECRET)
        call(s, "POST", "/mlflow/webhooks/no-such-webhook/test", {})
        call(s, "POST", f"/mlflow/webhooks/{wid}/test", {"event": {"entity": "PROMPT", "action": "SET"}})
        call(s, "POST", f"/mlflow/webhooks/{wid}/test", {"event": {"entity": "PROMPT"}})
        # answered 500 four times (the first try and 3 retries, with backoff): an unsuccessful result
        call(s, "POST", f"/mlflow/webhooks/{wid}/test", {})
        deliveries(s)
        refused = create(s, "wh-test-refused", "http://127.0.0.1:1/nothing-listens")
        call(s, "POST", f"/mlflow/webhooks/{refused}/test", {})

    parity.check(sc)
