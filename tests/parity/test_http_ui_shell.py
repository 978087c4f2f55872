"""Raw HTTP: the routes every UI page calls besides the API (server-info, ui-telemetry,
users/current), answered natively by a standalone mlflow-ts.

The reference runs with the AI gateway and job execution off and telemetry disabled: that is the
server a standalone mlflow-ts is (it has no gateway, no job runner and collects no telemetry), so
server-info's flags must then agree exactly. Both sides get the same MLFLOW_* settings.
"""

import pytest

from conftest import DIALECTS, open_pair
from test_http_ui_static import fetch as raw_fetch

SHARED_ENV = {
    "MLFLOW_SERVER_INFO_TRACKING_AUTH": "basic",
    "MLFLOW_SKILL_CONTENT_MAX_DECOMPRESSED_SIZE": "1048576",
    "MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD": "true",
}
REFERENCE_ENV = {
    "MLFLOW_ENABLE_AI_GATEWAY": "false",
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
    "MLFLOW_DISABLE_TELEMETRY": "true",
}


@pytest.fixture(scope="module", params=DIALECTS)
def server_pair(request, tmp_path_factory):
    yield from open_pair(
        request.param,
        tmp_path_factory,
        "parity-shell",
        lambda role: {"env": {**SHARED_ENV, **(REFERENCE_ENV if role == "reference" else {})}},
    )


@pytest.mark.rpc("GET /ajax-api/3.0/mlflow/server-info", "GET /ajax-api/3.0/mlflow/ui-telemetry", case="ok")
def test_ui_shell_routes(parity):
    def sc(s):
        for prefix in ("/api/3.0", "/ajax-api/3.0"):
            s.get("/mlflow/server-info", prefix=prefix, headers_of_interest=("content-length",))
        s.get("/mlflow/ui-telemetry", prefix="/ajax-api/3.0", headers_of_interest=("content-length",))
        s.post("/mlflow/ui-telemetry", {"records": []}, prefix="/ajax-api/3.0", label="no records")
        s.post(
            "/mlflow/ui-telemetry",
            {"records": [{"event_name": "x", "timestamp_ns": 1, "params": {}, "installation_id": "i", "session_id": "s"}]},
            prefix="/ajax-api/3.0",
            label="records",
        )

    parity.check(sc)


@pytest.mark.rpc("GET /ajax-api/2.0/mlflow/users/current", "GET /ajax-api/3.0/mlflow/ui-telemetry", case="error")
def test_ui_shell_routes_odd_requests(parity):
    def sc(s):
        for prefix in ("/api/2.0", "/ajax-api/2.0"):
            raw_fetch(s, f"{prefix}/mlflow/users/current")
        s.call("POST", "/mlflow/ui-telemetry", data=b"not json", headers={"Content-Type": "application/json"},
               prefix="/ajax-api/3.0", label="bad json")
        s.call("POST", "/mlflow/ui-telemetry", data=b"a=1", headers={"Content-Type": "application/x-www-form-urlencoded"},
               prefix="/ajax-api/3.0", label="form")
        s.call("POST", "/mlflow/ui-telemetry", prefix="/ajax-api/3.0", label="no body")
        s.get("/mlflow/server-info", params={"x": "1"}, prefix="/ajax-api/3.0", label="with a query")

    parity.check(sc)


@pytest.mark.rpc("GET /ajax-api/2.0/mlflow/gateway-proxy", case="both")
def test_gateway_proxy_without_a_target(parity):
    """No MLFLOW_DEPLOYMENTS_TARGET: MLflow pretends an empty gateway is running, whatever is asked."""

    def sc(s):
        for params in (None, {"gateway_path": "api/2.0/endpoints/"}, {"gateway_path": "nonsense"}):
            s.call("GET", "/mlflow/gateway-proxy", params=params, prefix="/ajax-api/2.0",
                   headers_of_interest=("content-length",))
        s.post("/mlflow/gateway-proxy", {"gateway_path": "gateway/x/invocations", "json_data": {"a": 1}}, prefix="/ajax-api/2.0")
        s.call("POST", "/mlflow/gateway-proxy", data=b"garbage", headers={"Content-Type": "text/plain"}, prefix="/ajax-api/2.0",
               label="a body that is not JSON")

    parity.check(sc)


@pytest.mark.rpc("GET /ajax-api/3.0/mlflow/assistant/config", "GET /ajax-api/3.0/mlflow/assistant/providers", case="ok")
def test_assistant_status_with_nothing_set_up(parity):
    """What every UI page asks about MLflow's assistant, on a machine where nothing is set up for it."""

    def sc(s):
        for route in ("config", "providers"):
            s.get(f"/mlflow/assistant/{route}", prefix="/ajax-api/3.0", headers_of_interest=("content-length",))

    parity.check(sc)
