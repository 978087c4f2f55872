"""Starting and stopping the two servers under comparison.

The reference is always the pinned Python `mlflow server`; the candidate is `mlflow-ts server
--no-python` (or, with MLFLOW_TS_PARITY_CANDIDATE=python, a second Python server: a sanity check of
the suite itself, where every scenario must agree). The request-line corpus
(test_http_request_lines.py) uses a third kind, "ts-proxy": mlflow-ts with its Python child.

Each server gets its own fresh database (a SQLite file, or a new PostgreSQL or MySQL database) and its own
working directory; it runs in its own process group so that its children (uvicorn) go with it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = Path(os.environ.get("MLFLOW_TS_PYTHON") or REPO_ROOT / ".venv" / "bin" / "python")
# The mlflow-ts checkout whose build is the candidate (default: this one; a snapshot elsewhere lets
# the suite run against a fixed build while the working tree is being rebuilt).
TS_ROOT = Path(os.environ.get("MLFLOW_TS_PARITY_TS_ROOT") or REPO_ROOT)
TS_ENTRY = TS_ROOT / "bin" / "mlflow-ts.js"
TS_BUILD_MARKER = TS_ROOT / "dist" / "cli" / "main.js"

START_TIMEOUT_S = float(os.environ.get("MLFLOW_TS_PARITY_START_TIMEOUT", "180"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Database:
    dialect: str  # "sqlite" | "postgresql" | "mysql"
    uri: str
    pg_admin_url: str | None = None
    pg_name: str | None = None

    def drop(self) -> None:
        if self.dialect == "mysql":
            conn = _mysql_admin(self.pg_admin_url)
            try:
                with conn.cursor() as cur:
                    cur.execute(f"DROP DATABASE IF EXISTS `{self.pg_name}`")
            finally:
                conn.close()
            return
        if self.dialect != "postgresql":
            return
        import psycopg2

        conn = psycopg2.connect(self.pg_admin_url)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        finally:
            conn.close()


def _pg_url_with_db(base_url: str, db: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + db, parts.query, parts.fragment))


def _mysql_admin(base_url: str):
    """A PyMySQL connection to the server of a mysql://user[:password]@host:port URL (no database)."""
    import pymysql
    from urllib.parse import unquote

    parts = urlsplit(base_url)
    return pymysql.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""),
        autocommit=True,
    )


def make_database(
    dialect: str, workdir: Path, label: str, pg_base_url: str | None, mysql_base_url: str | None = None
) -> Database:
    if dialect == "sqlite":
        path = workdir / f"{label}.db"
        return Database("sqlite", f"sqlite:///{path}")
    if dialect == "mysql":
        assert mysql_base_url, "MySQL base URL required"
        prefix = os.environ.get("MLFLOW_TS_PARITY_DB_PREFIX", "parity_")
        name = f"{prefix}{label}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        conn = _mysql_admin(mysql_base_url)
        try:
            with conn.cursor() as cur:
                cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        finally:
            conn.close()
        return Database("mysql", _pg_url_with_db(mysql_base_url, name), mysql_base_url, name)
    if dialect == "postgresql":
        assert pg_base_url, "PostgreSQL base URL required"
        import psycopg2

        prefix = os.environ.get("MLFLOW_TS_PARITY_DB_PREFIX", "parity_")
        name = f"{prefix}{label}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = _pg_url_with_db(pg_base_url, "postgres")
        conn = psycopg2.connect(admin)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()
        return Database("postgresql", _pg_url_with_db(pg_base_url, name), admin, name)
    raise ValueError(dialect)


@dataclass
class Server:
    kind: str  # "python" | "ts"
    role: str  # "reference" | "candidate"
    db: Database
    workdir: Path
    port: int = 0
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    extra: dict = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def store_uri(self) -> str:
        # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg (3), which the pinned venv does not
        # have; the Python server is given its installed driver explicitly (same database).
        # (mlflow-ts with its child passes the URI on to the child: it gets the same form.)
        if self.kind in ("python", "ts-proxy") and self.db.uri.startswith("postgresql://"):
            return "postgresql+psycopg2://" + self.db.uri[len("postgresql://") :]
        # SQLAlchemy's bare mysql:// means MySQLdb (mysqlclient); the venv has PyMySQL.
        if self.kind in ("python", "ts-proxy") and self.db.uri.startswith("mysql://"):
            return "mysql+pymysql://" + self.db.uri[len("mysql://") :]
        return self.db.uri

    def command(self) -> list[str]:
        common = ["--host", "127.0.0.1", "--port", str(self.port)]
        # (--artifacts-only refuses a backend store URI: such a pair gives none)
        if not self.extra.get("no_backend_store"):
            common = ["--backend-store-uri", self.store_uri(), *common]
        common += self.extra.get("args", [])
        if self.kind == "python":
            return [str(VENV_PYTHON), "-m", "mlflow", "server", "--workers", "1", *common]
        if self.kind == "ts-proxy":
            return ["node", str(TS_ENTRY), "server", "--python", str(VENV_PYTHON), *common]
        return ["node", str(TS_ENTRY), "server", "--no-python", *common]

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.log_path = self.workdir / "server.log"
        env = dict(os.environ)
        env.pop("MLFLOW_TRACKING_URI", None)
        env["PYTHONUNBUFFERED"] = "1"
        env.update(self.extra.get("env", {}))
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            self.command(),
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        log.close()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.role} server ({self.kind}) exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            try:
                if self.kind == "ts-proxy":
                    # mlflow-ts listens before its Python child is up: wait until a path no native
                    # route serves (so it is always proxied) is answered by the child (uvicorn).
                    r = requests.get(self.base_url + "/__parity-probe__", timeout=2)
                    if r.headers.get("server") == "uvicorn":
                        return
                else:
                    r = requests.get(self.base_url + "/health", timeout=2)
                    if r.status_code == 200:
                        return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.role} server ({self.kind}) not ready in {START_TIMEOUT_S}s:\n{self.log_tail()}")

    def log_tail(self, n: int = 40) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-n:])

    def stop(self) -> None:
        proc = self.proc
        if proc is None:
            return
        self.proc = None
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=5)
        else:
            # the leader is gone; its group may still hold children
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


@dataclass
class ServerPair:
    dialect: str
    reference: Server
    candidate: Server

    def stop(self) -> None:
        for s in (self.candidate, self.reference):
            try:
                s.stop()
            finally:
                try:
                    s.db.drop()
                except Exception as e:  # pragma: no cover - cleanup best effort
                    print(f"parity: could not drop {s.db.pg_name}: {e}", file=sys.stderr)


def start_pair(
    dialect: str,
    candidate_kind: str,
    workdir: Path,
    pg_base_url: str | None,
    extra_for_role=lambda role: {},
    mysql_base_url: str | None = None,
) -> ServerPair:
    """`extra_for_role(role)` may give a side more server arguments ("args") and environment ("env")."""
    servers = []
    try:
        for role, kind in (("reference", "python"), ("candidate", candidate_kind)):
            d = workdir / f"{dialect}-{role}"
            d.mkdir(parents=True, exist_ok=True)
            db = make_database(dialect, d, f"{dialect[:2]}_{role[:3]}", pg_base_url, mysql_base_url)
            srv = Server(kind=kind, role=role, db=db, workdir=d, extra=extra_for_role(role))
            servers.append(srv)
            srv.start()
        for srv in servers:
            srv.wait_ready()
    except BaseException:
        for srv in servers:
            srv.stop()
            try:
                srv.db.drop()
            except Exception:
                pass
        raise
    return ServerPair(dialect, servers[0], servers[1])
