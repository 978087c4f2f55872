"""Builds (or reuses) the virtualenv with the pinned MLflow release that the tests and the
reference server use.

Run by scripts/provision-python.sh with any Python 3.9+; standard library only, plus the
`packaging` that pip itself vendors.

Why not `pip install mlflow==<pin>`: the full `mlflow` wheel requires its companions
`mlflow-skinny` and `mlflow-tracing` at exactly the pin, and the registry may serve the pin of
`mlflow` days before it serves a companion at the same version. The full wheel carries the whole
`mlflow/` package (a superset of both companions' files), so one procedure works in every
registry state:

  1. download the pinned `mlflow` wheel (no dependencies);
  2. read its declared requirements from the wheel's metadata, set aside the exact-pinned
     companions, and for each companion read the requirements of the newest release of it that
     the registry serves at or below the pin (at the pin when it is served);
  3. install the union of those requirements plus the test extras, then the pinned wheel with
     --no-deps;
  4. check that the server, the client, the store and the parity suite's imports load.

The virtualenv lives in a cache directory keyed by the pin and the Python version, so a second
clone on the same machine reuses it; `.venv` in the clone is a symlink to it.
"""

from __future__ import annotations

import argparse
import contextlib
import email.parser
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

try:  # a plain interpreter may lack it; pip always vendors it
    from packaging.requirements import Requirement
    from packaging.version import InvalidVersion, Version
except ImportError:  # pragma: no cover - depends on the interpreter
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.version import InvalidVersion, Version  # type: ignore[no-redef]

MAIN = "mlflow"
COMPANIONS = ("mlflow-skinny", "mlflow-tracing")

# pip requirement -> module whose import proves it is installed. The parity suite, the
# generator and the integration tests need these beside MLflow.
EXTRAS = {
    "psycopg2-binary": "psycopg2",
    # the reference server's MySQL driver (mysql+pymysql:// URIs, as MLflow's docs use)
    "PyMySQL": "pymysql",
    "pytest": "pytest",
    "requests": "requests",
    # the artifact tests' S3: the reference server's S3 client and a real S3-compatible server
    "boto3": "boto3",
    "moto[server]": "moto.server",
    # the schema fuzzing of tests/fuzz (cases generated from `mlflow-ts openapi`)
    "schemathesis": "schemathesis",
    # an OpenTelemetry SDK exporter sending spans to /v1/traces (the OTLP parity scenarios)
    "opentelemetry-exporter-otlp-proto-http": "opentelemetry.exporter.otlp.proto.http.trace_exporter",
}

# What "the venv works" means: the reference server, the client, the SQL store and the
# migrations all import with the pinned version.
CHECK_IMPORTS = (
    "mlflow.server.handlers",
    "mlflow.tracking",
    "mlflow.store.tracking.sqlalchemy_store",
    "mlflow.store.model_registry.sqlalchemy_store",
    "mlflow.store.db.utils",
)

MARKER = "mlflow-ts-provisioned.json"
PREFIX = "provision-python:"


class ProvisionError(Exception):
    """A failure worth one clear line to the user."""


def say(msg: str) -> None:
    print(f"{PREFIX} {msg}", file=sys.stderr, flush=True)


# --- the version choice (pure; tested by tests/provision) -----------------------------------


def parse_versions(texts: list[str]) -> list[Version]:
    out = []
    for t in texts:
        try:
            out.append(Version(t))
        except InvalidVersion:
            continue
    return out


def choose_companion_version(pin: str, available: list[str]) -> str:
    """The companion release whose requirements stand in for the pin's: the pin itself when the
    registry serves it, else the newest final release below the pin. Pre-releases and anything
    above the pin are never chosen."""
    want = Version(pin)
    candidates = [v for v in parse_versions(available) if v <= want and not v.is_prerelease and not v.is_devrelease]
    if not candidates:
        raise ProvisionError(f"no release of the companion at or below {pin} is served")
    return str(max(candidates))


def split_requirements(lines: list[str], pin: str) -> tuple[list[str], list[str]]:
    """Splits a wheel's Requires-Dist lines into (requirements to install, companions).
    Requirements behind an extra or a marker that does not hold here are dropped."""
    keep: list[str] = []
    companions: list[str] = []
    for line in lines:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        if name in COMPANIONS:
            companions.append(name)
            continue
        if name == MAIN:
            continue
        req.marker = None
        keep.append(str(req))
    return keep, companions


def parse_index_versions(output: str) -> list[str]:
    """The versions that `pip index versions NAME` lists."""
    for line in output.splitlines():
        if line.startswith("Available versions:"):
            return [v.strip() for v in line.split(":", 1)[1].split(",") if v.strip()]
    return []


# --- talking to pip --------------------------------------------------------------------------

UNREACHABLE = re.compile(
    r"(Max retries exceeded|Failed to establish a new connection|Temporary failure in name resolution"
    r"|ConnectTimeout|ReadTimeout|Network is unreachable|Could not fetch URL|ProxyError|SSLError)"
)


def run(cmd: list[str], quiet: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, text=True, capture_output=quiet)


def pip_failure(what: str, proc: subprocess.CompletedProcess[str]) -> ProvisionError:
    text = (proc.stdout or "") + (proc.stderr or "")
    if UNREACHABLE.search(text):
        return ProvisionError(f"cannot reach the package registry to fetch {what}")
    if "No matching distribution found" in text or "Could not find a version" in text:
        return ProvisionError(f"the package registry does not serve {what}")
    tail = " | ".join(text.strip().splitlines()[-3:])
    return ProvisionError(f"pip failed on {what}: {tail}")


def download_wheel(py: str, name: str, version: str, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    norm = name.replace("-", "_")
    for found in dest.glob(f"{norm}-{version}-*.whl"):
        if zipfile.is_zipfile(found):
            return found
        found.unlink()
    proc = run(
        [py, "-m", "pip", "download", "--disable-pip-version-check", "--no-deps", "--only-binary=:all:",
         "-d", str(dest), f"{name}=={version}"]
    )
    if proc.returncode != 0:
        raise pip_failure(f"{name}=={version}", proc)
    found = sorted(dest.glob(f"{norm}-{version}-*.whl"))
    if not found:
        raise ProvisionError(f"pip downloaded no wheel for {name}=={version}")
    return found[0]


def index_versions(py: str, name: str) -> list[str]:
    proc = run([py, "-m", "pip", "index", "versions", "--disable-pip-version-check", name])
    if proc.returncode != 0:
        raise pip_failure(f"the version list of {name}", proc)
    return parse_index_versions(proc.stdout)


def wheel_requires(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        msg = email.parser.Parser().parsestr(z.read(meta).decode("utf-8"))
    return msg.get_all("Requires-Dist") or []


# --- the venv ----------------------------------------------------------------------------------


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def check_venv(venv: Path, pin: str) -> str | None:
    """None when the venv has the pin and everything imports; else what is wrong."""
    py = venv_python(venv)
    if not py.exists():
        return "no virtualenv"
    code = (
        "import sys, importlib, importlib.metadata as m\n"
        "v = m.version('mlflow')\n"
        f"assert v == {pin!r}, 'mlflow ' + v\n"
        f"for mod in {list(CHECK_IMPORTS) + list(EXTRAS.values())!r}: importlib.import_module(mod)\n"
    )
    proc = run([str(py), "-c", code])
    if proc.returncode != 0:
        lines = (proc.stderr or "").strip().splitlines()
        return lines[-1] if lines else f"exit {proc.returncode}"
    return None


def missing_extras(venv: Path) -> list[str]:
    py = str(venv_python(venv))
    return [req for req, mod in EXTRAS.items() if run([py, "-c", f"import {mod}"]).returncode != 0]


def build(venv: Path, pin: str, wheels: Path, base_python: str) -> None:
    if venv.exists() or venv.is_symlink():
        shutil.rmtree(venv, ignore_errors=True)
    say(f"creating {venv}")
    proc = run([base_python, "-m", "venv", str(venv)])
    if proc.returncode != 0:
        raise ProvisionError(f"python -m venv failed: {proc.stderr.strip()}")
    py = str(venv_python(venv))

    say(f"downloading the {MAIN}=={pin} wheel")
    main_wheel = download_wheel(py, MAIN, pin, wheels)
    requires, companions = split_requirements(wheel_requires(main_wheel), pin)
    for companion in companions:
        version = choose_companion_version(pin, index_versions(py, companion))
        note = "" if version == pin else f" (the registry does not serve {companion}=={pin} yet)"
        say(f"requirements of {companion} taken from {version}{note}")
        wheel = download_wheel(py, companion, version, wheels)
        more, _ = split_requirements(wheel_requires(wheel), version)
        requires.extend(more)

    reqs = sorted(set(requires)) + list(EXTRAS)
    say(f"installing {len(reqs)} requirements (a few minutes on the first run)")
    proc = run([py, "-m", "pip", "install", "--disable-pip-version-check", "-q", *reqs], quiet=False)
    if proc.returncode != 0:
        raise ProvisionError("pip could not install the requirements of " f"{MAIN}=={pin} (see pip's output above)")
    proc = run([py, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-deps", str(main_wheel)], quiet=False)
    if proc.returncode != 0:
        raise ProvisionError(f"pip could not install {main_wheel.name}")


@contextlib.contextmanager
def locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def default_cache() -> Path:
    base = os.environ.get("MLFLOW_TS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "mlflow-ts"
    )
    return Path(base)


def link(link_path: Path, target: Path) -> None:
    if link_path.is_symlink():
        if Path(os.readlink(link_path)) == target:
            return
        link_path.unlink()
    elif link_path.exists():
        # a venv from before the cache existed: replaced by the link
        shutil.rmtree(link_path)
    link_path.symlink_to(target)


def provision(pin: str, venv: Path, cache: Path, base_python: str) -> None:
    with locked(cache / f".lock-{pin}"):
        problem = check_venv(venv, pin)
        if problem is None:
            say(f"reusing {venv} (mlflow=={pin})")
            return
        extras = missing_extras(venv) if check_venv_core(venv, pin) else []
        if extras:
            # the pinned MLflow is there; only a test extra added since is missing
            say(f"adding {', '.join(extras)} to {venv}")
            run([str(venv_python(venv)), "-m", "pip", "install", "-q", *extras], quiet=False)
            if check_venv(venv, pin) is None:
                return
        if venv_python(venv).exists():
            say(f"the cached virtualenv is not usable ({problem}); rebuilding it")
        build(venv, pin, cache / "wheels", base_python)
        problem = check_venv(venv, pin)
        if problem is not None:
            raise ProvisionError(f"{MAIN}=={pin} is installed but does not load: {problem}")
        (venv / MARKER).write_text(json.dumps({"mlflow": pin, "python": sys.version.split()[0]}) + "\n")
        say(f"ready: {venv} (mlflow=={pin})")


def check_venv_core(venv: Path, pin: str) -> bool:
    if not venv_python(venv).exists():
        return False
    code = f"import importlib.metadata as m; assert m.version('mlflow') == {pin!r}; import mlflow.server.handlers"
    return run([str(venv_python(venv)), "-c", code]).returncode == 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True, help="the clone (its mlflow.pin and .venv link)")
    ap.add_argument("--venv", help="build here instead of the cache (no .venv link)")
    ap.add_argument("--python", default=sys.executable, help="the interpreter the venv is made from")
    args = ap.parse_args(argv)
    root = Path(args.root)
    pin = (root / "mlflow.pin").read_text().strip()
    base = args.python
    try:
        if args.venv:
            venv = Path(args.venv).absolute()
            provision(pin, venv, default_cache(), base)
        else:
            pyver = run([base, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).stdout.strip()
            cache = default_cache()
            venv = cache / f"venv-mlflow-{pin}-py{pyver}"
            provision(pin, venv, cache, base)
            link(root / ".venv", venv)
            say(f".venv -> {venv}")
    except ProvisionError as err:
        say(f"error: {err}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
