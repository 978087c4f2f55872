"""The provisioning's decisions, fed with the registry states it has met (scripts/provision_python.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("provision_python", ROOT / "scripts" / "provision_python.py")
prov = importlib.util.module_from_spec(_spec)
sys.modules["provision_python"] = prov
_spec.loader.exec_module(prov)

PIN = "3.18.0"
OLDER = ["3.17.2", "3.17.1", "3.17.0", "3.16.1", "2.22.5"]


@pytest.mark.parametrize(
    ("state", "skinny", "tracing", "want"),
    [
        ("companions at the pin", [PIN, *OLDER], [PIN, *OLDER], (PIN, PIN)),
        ("companions one release behind", OLDER, OLDER, ("3.17.2", "3.17.2")),
        ("skinny at the pin, tracing behind", [PIN, *OLDER], OLDER, (PIN, "3.17.2")),
        ("a newer companion and a pre-release exist", ["3.19.0", "3.18.1rc0", PIN, *OLDER], ["3.18.0rc1", *OLDER], (PIN, "3.17.2")),
        ("the list is unsorted", ["3.1.0", "3.17.1", "3.9.0"], ["3.10.1", "3.2.0"], ("3.17.1", "3.10.1")),
    ],
)
def test_companion_version_in_each_registry_state(state, skinny, tracing, want):
    got = (prov.choose_companion_version(PIN, skinny), prov.choose_companion_version(PIN, tracing))
    assert got == want, state


def test_no_companion_at_or_below_the_pin_is_an_error():
    with pytest.raises(prov.ProvisionError, match="at or below 3.18.0"):
        prov.choose_companion_version(PIN, ["3.19.0", "4.0.0", "not-a-version"])


def test_index_versions_output_is_parsed():
    out = "mlflow-tracing (3.17.2)\nAvailable versions: 3.17.2, 3.17.1, 3.0.0\n"
    assert prov.parse_index_versions(out) == ["3.17.2", "3.17.1", "3.0.0"]
    assert prov.parse_index_versions("WARNING: something\n") == []


def test_requirements_split_companions_extras_and_markers():
    lines = [
        "mlflow-skinny==3.18.0",
        "mlflow_tracing==3.18.0",
        "Flask<4",
        "gunicorn<27; platform_system != 'Windows'",
        "waitress<4; platform_system == 'Windows'",
        "boto3; extra == 'extras'",
        "alembic!=1.10.0,<2",
    ]
    keep, companions = prov.split_requirements(lines, PIN)
    assert companions == ["mlflow-skinny", "mlflow-tracing"]
    assert keep == ["Flask<4", "gunicorn<27", "alembic!=1.10.0,<2"]


def test_requirements_are_read_from_wheel_metadata(tmp_path):
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    meta = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: a<2\nRequires-Dist: b; extra == 'x'\n\nbody\n"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("demo/__init__.py", "")
        z.writestr("demo-1.0.dist-info/METADATA", meta)
    assert prov.wheel_requires(wheel) == ["a<2", "b; extra == 'x'"]


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("ERROR: No matching distribution found for mlflow-tracing==3.18.0", "does not serve mlflow-tracing==3.18.0"),
        (
            "WARNING: Retrying ... Failed to establish a new connection: [Errno 111] Connection refused\n"
            "ERROR: Could not find a version that satisfies the requirement mlflow-tracing==3.18.0",
            "cannot reach the package registry to fetch mlflow-tracing==3.18.0",
        ),
    ],
)
def test_pip_failures_are_one_clear_line(output, message):
    proc = subprocess.CompletedProcess(["pip"], 1, stdout="", stderr=output)
    err = prov.pip_failure("mlflow-tracing==3.18.0", proc)
    assert message in str(err)
    assert "\n" not in str(err)


def test_cached_venv_is_checked_before_it_is_trusted(tmp_path):
    assert prov.check_venv(tmp_path / "missing", PIN) == "no virtualenv"
    # an interpreter with another mlflow (or none) is refused with the reason
    fake = tmp_path / "venv"
    (fake / "bin").mkdir(parents=True)
    (fake / "bin" / "python").symlink_to(sys.executable)
    problem = prov.check_venv(fake, "0.0.0-not-installed")
    assert problem is not None


def test_the_provisioned_venv_passes_its_own_check():
    venv = (ROOT / ".venv").resolve()
    assert prov.check_venv(venv, (ROOT / "mlflow.pin").read_text().strip()) is None
