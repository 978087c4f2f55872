"""The attack corpus (tests/security): the pinned Python server and mlflow-ts standalone side by side
(SQLite), each case sent to both, its results collected for docs/security.md."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "parity"))

from servers import start_pair  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
RESULTS: list[dict] = []


@pytest.fixture(scope="session")
def pair(tmp_path_factory):
    p = start_pair(
        "sqlite",
        "ts",
        tmp_path_factory.mktemp("security"),
        None,
        lambda role: {"env": {"MLFLOW_DISABLE_TELEMETRY": "true"}},
    )
    try:
        yield p
    finally:
        p.stop()


def pytest_sessionfinish(session, exitstatus):
    """docs/security.md is written by the run: each case, its anchor and both servers' answers."""
    if not RESULTS or os.environ.get("MLFLOW_TS_SECURITY_NO_DOC"):
        return
    from corpus_report import write_report

    write_report(RESULTS, HERE.parents[1] / "docs" / "security.md")
