"""Every RPC mlflow-ts serves natively has a success scenario and an error scenario here.

Reads `node bin/mlflow-ts.js endpoints --json` (every RPC and extra route, with whether it is
native) and the `@pytest.mark.rpc(...)` tags of the scenario modules of this folder.
"""

import importlib
import inspect
from pathlib import Path

import pytest

from conftest import IN_CI, endpoints_cached

HERE = Path(__file__).parent


def scenario_tags() -> dict[str, set[str]]:
    """RPC key or route -> {'ok', 'error'} from the scenario modules' markers (any selection)."""
    tags: dict[str, set[str]] = {}
    for path in sorted(HERE.glob("test_*.py")):
        mod = importlib.import_module(path.stem)
        for _, fn in inspect.getmembers(mod, inspect.isfunction):
            if not fn.__name__.startswith("test_"):
                continue
            for mark in getattr(fn, "pytestmark", []):
                if mark.name != "rpc":
                    continue
                case = mark.kwargs.get("case", "both")
                cases = {"ok", "error"} if case == "both" else {case}
                for key in mark.args:
                    tags.setdefault(key, set()).update(cases)
    return tags


def test_native_rpcs_have_scenarios():
    entries, err = endpoints_cached()
    if entries is None:
        if IN_CI:
            pytest.fail(f"coverage check needs `mlflow-ts endpoints --json`: {err}")
        pytest.skip(f"coverage check needs `mlflow-ts endpoints --json`: {err}")
    tags = scenario_tags()
    missing = []
    native = [e for e in entries if e["native"]]
    for e in native:
        names = {e["key"], *e["routes"]} - {None}
        covered = set()
        for n in names:
            covered |= tags.get(n, set())
        lacking = {"ok", "error"} - covered
        if lacking:
            missing.append(f"{e['key']}: no {' and no '.join(sorted(lacking))} scenario")
    assert not missing, (
        f"{len(missing)} of {len(native)} native RPCs lack parity scenarios "
        "(tag scenarios with @pytest.mark.rpc(KEY, case='ok'|'error'|'both')):\n  " + "\n  ".join(missing)
    )


def test_scenario_tags_are_known_rpcs():
    """A tag that names no RPC/route of `endpoints --json` is a typo (and covers nothing)."""
    entries, err = endpoints_cached()
    if entries is None:
        pytest.skip(f"needs `mlflow-ts endpoints --json`: {err}")
    known = set()
    for e in entries:
        known.add(e["key"])
        known |= e["routes"]
    # route-style tags ("GET /ajax-api/...") name extra routes, which the listing may not carry
    unknown = sorted(k for k in scenario_tags() if k not in known and " /" not in k)
    assert not unknown, f"scenario tags naming no RPC or route of `mlflow-ts endpoints --json`: {unknown}"
