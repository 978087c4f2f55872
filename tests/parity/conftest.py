"""Fixtures and reporting of the parity suite (see tests/parity/README.md).

Environment:
  MLFLOW_TS_PARITY_CANDIDATE   ts (default) | python  -- python: both sides are the pinned Python
                               server, a self-check of the suite (everything must agree)
  MLFLOW_TS_PARITY_DIALECTS    comma list, default "sqlite,postgresql,mysql"
  MLFLOW_TS_TEST_PG_URL        PostgreSQL server URL without database; required when CI=true
  MLFLOW_TS_TEST_MYSQL_URL     MySQL server URL without database (mysql://user@host:port);
                               required when CI=true
  MLFLOW_TS_PARITY_DB_PREFIX   prefix of the databases the suite creates (default "parity_")
  MLFLOW_TS_PARITY_TS_ROOT     an mlflow-ts checkout with a build to test (default: this one)
  MLFLOW_TS_PARITY_DUMP        a directory: write each scenario's normalized transcripts there
  MLFLOW_TS_PARITY_STRICT=1    run scenarios of RPCs the candidate does not serve natively yet
                               (default outside CI: skip them, with the reason)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import defaultdict

import pytest

import harness
from pairs import CANDIDATE, IN_CI, open_pair  # noqa: F401 (open_pair: the parity modules' helper)
from servers import TS_BUILD_MARKER, TS_ENTRY, TS_ROOT

# The Python client must not retry or wait long: a 5xx from a candidate is an observation.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
os.environ.pop("MLFLOW_TRACKING_URI", None)
# Webhook scenarios deliver to a receiver on loopback over http (test_http_webhooks.py).
os.environ.setdefault("MLFLOW_WEBHOOK_ALLOWED_SCHEMES", "http,https")
os.environ.setdefault("MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS", "true")

DIALECTS = [d.strip() for d in os.environ.get("MLFLOW_TS_PARITY_DIALECTS", "sqlite,postgresql,mysql").split(",") if d.strip()]
_STATS: dict = defaultdict(lambda: defaultdict(int))
_DIFFERING: list = []
_KNOWN: list = []
STRICT = IN_CI or os.environ.get("MLFLOW_TS_PARITY_STRICT", "") in ("1", "true")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "rpc(*keys, case='both'): RPC keys (e.g. 'MlflowService.getRun') or routes ('GET /ajax-api/...') "
        "a scenario covers; case is 'ok', 'error' or 'both'",
    )


# ---------------------------------------------------------------------------------------------
# Servers


@pytest.fixture(scope="session", params=DIALECTS)
def server_pair(request, tmp_path_factory):
    yield from open_pair(request.param, tmp_path_factory, "parity")


# ---------------------------------------------------------------------------------------------
# What the candidate serves natively (from `mlflow-ts endpoints --json`)


def load_endpoints():
    """(entries, error): the parsed `mlflow-ts endpoints --json`, or why it is not available."""
    if not TS_BUILD_MARKER.exists():
        return None, "mlflow-ts is not built (npm run build)"
    try:
        proc = subprocess.run(
            ["node", str(TS_ENTRY), "endpoints", "--json"],
            cwd=TS_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"`mlflow-ts endpoints --json` could not run: {e}"
    if proc.returncode != 0:
        return None, f"`mlflow-ts endpoints --json` failed ({proc.returncode}): {proc.stderr.strip()[:500]}"
    try:
        data = json.loads(proc.stdout)
    except ValueError as e:
        return None, f"`mlflow-ts endpoints --json` did not print JSON: {e}"
    entries = data
    if isinstance(data, dict):
        for k in ("rpcs", "endpoints", "routes", "items"):
            if isinstance(data.get(k), list):
                entries = data[k]
                break
    if not isinstance(entries, list):
        return None, "`mlflow-ts endpoints --json`: unrecognized shape"
    return [normalize_endpoint(e) for e in entries if isinstance(e, dict)], None


def normalize_endpoint(e: dict) -> dict:
    key = e.get("key") or (f"{e['service']}.{e['rpc']}" if e.get("service") and e.get("rpc") else None)
    native = e.get("native")
    if native is None:
        mode = str(e.get("serving") or e.get("mode") or e.get("handler") or e.get("status") or "").lower()
        native = mode == "native"
    routes = set()
    for r in e.get("routes") or []:
        if isinstance(r, dict) and r.get("method") and (r.get("url") or r.get("path")):
            routes.add(f"{r['method'].upper()} {r.get('url') or r.get('path')}")
        elif isinstance(r, str):
            routes.add(r)
    if e.get("method") and (e.get("url") or e.get("path")):
        routes.add(f"{str(e['method']).upper()} {e.get('url') or e.get('path')}")
    return {"key": key or (sorted(routes)[0] if routes else None), "native": bool(native), "routes": routes, "raw": e}


_ENDPOINTS_CACHE: dict = {}


def endpoints_cached():
    if "v" not in _ENDPOINTS_CACHE:
        _ENDPOINTS_CACHE["v"] = load_endpoints()
    return _ENDPOINTS_CACHE["v"]


def _rpc_keys(item) -> list[str]:
    keys = []
    for m in item.iter_markers("rpc"):
        keys.extend(m.args)
    return keys


def _not_native(keys: list[str]) -> list[str]:
    entries, err = endpoints_cached()
    if entries is None:
        return []
    by_key = {}
    for e in entries:
        if e["key"]:
            by_key[e["key"]] = e
        for r in e["routes"]:
            by_key[r] = e
    return [k for k in keys if k in by_key and not by_key[k]["native"]]


# ---------------------------------------------------------------------------------------------
# The `parity` fixture used by every scenario


class Parity:
    def __init__(self, pair, test_key: str):
        self.pair = pair
        self.test_key = test_key
        self.dialect = pair.dialect

    def check(self, scenario):
        """Run `scenario(side)` on both servers; fail with a side-by-side diff when they differ."""
        return harness.compare(self.pair, scenario, self.test_key)


@pytest.fixture
def parity(request, server_pair):
    if CANDIDATE == "ts" and not STRICT:
        missing = _not_native(_rpc_keys(request.node))
        if missing:
            pytest.skip("not native in mlflow-ts yet: " + ", ".join(missing))
    name = request.node.originalname or request.node.name
    mod = request.node.module.__name__.removeprefix("test_")
    key = re.sub(r"[^A-Za-z0-9_]+", "_", f"{mod}.{name}")[:80]
    return Parity(server_pair, key)


# ---------------------------------------------------------------------------------------------
# Summary: scenarios per area, passed, differing


def _area(item_or_report) -> str:
    nodeid = item_or_report.nodeid
    mod = nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py").removeprefix("test_")
    return mod


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if call.excinfo is not None and call.when == "call":
        rep.parity_difference = call.excinfo.errisinstance(harness.ParityDifference)
        rep.parity_broken = call.excinfo.errisinstance(harness.ScenarioBroken)


def pytest_runtest_logreport(report):
    stats = _STATS[_area(report)]
    if report.when == "call":
        if report.passed:
            stats["passed"] += 1
        elif report.failed:
            if getattr(report, "parity_difference", False):
                stats["differing"] += 1
                _DIFFERING.append(report.nodeid)
            elif getattr(report, "parity_broken", False):
                stats["broken"] += 1
            else:
                stats["failed"] += 1
        elif report.skipped and hasattr(report, "wasxfail"):
            # a strict xfail that failed as expected: a known limitation, not a skip
            stats["known"] += 1
            _KNOWN.append(report.nodeid)
        elif report.skipped:
            stats["skipped"] += 1
    elif report.when == "setup":
        if report.skipped:
            stats["skipped"] += 1
        elif report.failed:
            stats["error"] += 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stats = _STATS
    if not stats:
        return
    tr = terminalreporter
    tr.section(f"parity summary (candidate: {CANDIDATE}; dialects: {', '.join(DIALECTS)})")
    cols = ["scenarios", "passed", "differing", "known", "failed", "broken", "error", "skipped"]
    tr.write_line(f"{'area':<22}" + "".join(f"{c:>11}" for c in cols))
    total = defaultdict(int)
    for area in sorted(stats):
        s = stats[area]
        s["scenarios"] = sum(s[c] for c in cols[1:])
        for c in cols:
            total[c] += s[c]
        tr.write_line(f"{area:<22}" + "".join(f"{s[c]:>11}" for c in cols))
    tr.write_line(f"{'TOTAL':<22}" + "".join(f"{total[c]:>11}" for c in cols))
    tr.write_line(
        "differing = the servers disagreed (side-by-side diff in the failure); broken = the scenario "
        "failed on the Python reference itself; known = a strict xfail for a known limitation "
        "(docs/parity-differences.md section 4); failed/error = other failures."
    )
    if _KNOWN:
        tr.write_line("known limitations (strict xfail):")
        for nodeid in _KNOWN:
            tr.write_line(f"  {nodeid}")
    if _DIFFERING:
        tr.write_line("differing scenarios:")
        for nodeid in _DIFFERING:
            tr.write_line(f"  {nodeid}")
