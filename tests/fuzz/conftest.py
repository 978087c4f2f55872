"""Schema fuzzing (tests/fuzz): schemathesis cases generated from `mlflow-ts openapi`, sent to
mlflow-ts standalone, with the pinned Python server beside it to tell MLflow's own crashes from ours.

  MLFLOW_TS_FUZZ_EXAMPLES     cases per operation (default 12: a bounded run of a few thousand)
  MLFLOW_TS_FUZZ_SEED         the seed (default 20261203); hypothesis runs derandomized from it
  MLFLOW_TS_FUZZ_DIALECTS     comma list, default "sqlite,postgresql,mysql" (PostgreSQL needs
                              MLFLOW_TS_TEST_PG_URL, MySQL MLFLOW_TS_TEST_MYSQL_URL; both must
                              run in CI)
  MLFLOW_TS_FUZZ_RECORD=1     write the run's figures to docs/fuzzing.md
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent / "parity"))

from pairs import open_pair  # noqa: E402
from servers import TS_BUILD_MARKER, TS_ENTRY, TS_ROOT  # noqa: E402

DIALECTS = [d.strip() for d in os.environ.get("MLFLOW_TS_FUZZ_DIALECTS", "sqlite,postgresql,mysql").split(",") if d.strip()]
EXAMPLES = int(os.environ.get("MLFLOW_TS_FUZZ_EXAMPLES", "12"))
SEED = int(os.environ.get("MLFLOW_TS_FUZZ_SEED", "20261203"))

# Figures of the run, per dialect: cases sent, statuses, 5xx that the pinned server answers alike.
STATS: dict[str, Counter] = {}


def native_openapi() -> dict:
    """`mlflow-ts openapi`, reduced to the operations mlflow-ts serves natively."""
    if not TS_BUILD_MARKER.exists():
        raise RuntimeError(f"mlflow-ts is not built ({TS_BUILD_MARKER} missing): run `npm run build`")
    out = subprocess.run(["node", str(TS_ENTRY), "openapi"], cwd=TS_ROOT, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(f"mlflow-ts openapi failed: {out.stderr}")
    doc = json.loads(out.stdout)
    for path in list(doc["paths"]):
        ops = doc["paths"][path]
        for method in list(ops):
            if ops[method].get("x-mlflow-ts-serving") != "native":
                del ops[method]
        if not ops:
            del doc["paths"][path]
    return doc


@pytest.fixture(scope="session", params=DIALECTS)
def fuzz_pair(request, tmp_path_factory):
    yield from open_pair(
        request.param,
        tmp_path_factory,
        "fuzz",
        lambda role: {"env": {"MLFLOW_DISABLE_TELEMETRY": "true"}},
        kind="ts",
    )


def pytest_sessionfinish(session, exitstatus):
    if not STATS or os.environ.get("MLFLOW_TS_FUZZ_RECORD") != "1":
        return
    from fuzz_report import write_report

    write_report(STATS, EXAMPLES, SEED, exitstatus, ROOT / "docs" / "fuzzing.md")
