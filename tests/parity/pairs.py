"""Started server pairs (the pinned Python server beside a candidate) for the parity and fuzzing
suites, with the one rule about PostgreSQL and MySQL: without MLFLOW_TS_TEST_PG_URL (or
MLFLOW_TS_TEST_MYSQL_URL) such a pair fails in CI and is skipped elsewhere."""

from __future__ import annotations

import os

import pytest

from servers import TS_BUILD_MARKER, start_pair

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CANDIDATE = os.environ.get("MLFLOW_TS_PARITY_CANDIDATE", "ts").strip().lower()


def open_pair(dialect, tmp_path_factory, label, extra_for_role=lambda role: {}, kind=None):
    """A started pair for one dialect (a generator: yields it, then stops it). PostgreSQL needs
    MLFLOW_TS_TEST_PG_URL, MySQL MLFLOW_TS_TEST_MYSQL_URL: without it the scenario fails in CI and is
    skipped elsewhere. `kind` is the candidate's (default: MLFLOW_TS_PARITY_CANDIDATE; "ts-proxy"
    for mlflow-ts with its child)."""
    pg_url = os.environ.get("MLFLOW_TS_TEST_PG_URL")
    mysql_url = os.environ.get("MLFLOW_TS_TEST_MYSQL_URL")
    for name, needed, var in (("PostgreSQL", "postgresql", pg_url), ("MySQL", "mysql", mysql_url)):
        if dialect == needed and not var:
            env = "MLFLOW_TS_TEST_PG_URL" if needed == "postgresql" else "MLFLOW_TS_TEST_MYSQL_URL"
            msg = f"{env} is not set (npm test provides it)"
            if IN_CI:
                pytest.fail(f"{name} parity must run in CI: " + msg)
            pytest.skip(msg)
    if CANDIDATE == "ts" and not TS_BUILD_MARKER.exists():
        pytest.fail(f"mlflow-ts is not built ({TS_BUILD_MARKER} missing): run `npm run build`")
    if CANDIDATE not in ("ts", "python"):
        pytest.fail(f"MLFLOW_TS_PARITY_CANDIDATE must be ts or python, not {CANDIDATE!r}")
    if kind is None or CANDIDATE == "python":
        kind = CANDIDATE
    pair = start_pair(
        dialect, kind, tmp_path_factory.mktemp(f"{label}-{dialect}"), pg_url, extra_for_role, mysql_url
    )
    try:
        yield pair
    finally:
        pair.stop()
