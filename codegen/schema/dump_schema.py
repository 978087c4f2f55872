"""Dump the pinned MLflow's alembic-head schema as DDL statements, per dialect.

Run with the .venv python (the pinned MLflow). It runs `mlflow db upgrade` on a fresh SQLite file, a
fresh PostgreSQL database and a fresh MySQL database, reads the result back (SQLite: sqlite_master +
table rows; PostgreSQL: pg_dump; MySQL: SHOW CREATE TABLE / TRIGGER + table rows) and prints one JSON
document on stdout:
  {"mlflow_version", "alembic_head", "sqlite": [stmt...], "postgres": [stmt...], "mysql": [stmt...]}
Rows that the migrations themselves insert (alembic_version, the default workspace) are kept as INSERTs,
so replaying the statements reproduces exactly what `mlflow db upgrade` leaves behind.

usage: dump_schema.py PG_BASE_URL MYSQL_BASE_URL
  (postgresql://user@host:port and mysql://user[:password]@host:port, no database)
"""

import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import uuid

from urllib.parse import quote, unquote, urlsplit

import mlflow
import psycopg2
import pymysql


def run_upgrade(uri: str) -> None:
    mlflow_bin = os.path.join(os.path.dirname(sys.executable), "mlflow")
    subprocess.run([mlflow_bin, "db", "upgrade", uri], check=True, capture_output=True)


def sql_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


_CONSTRAINT_START = re.compile(r"^(CONSTRAINT|CHECK|FOREIGN KEY|PRIMARY KEY|UNIQUE)\b")


def canonical_table_ddl(ddl: str) -> str:
    # Alembic's batch mode (SQLite table rebuilds) emits table constraints in set order, which
    # varies from one `mlflow db upgrade` to the next. Columns keep their order; the constraint
    # clauses are sorted so the generated file is stable (their order has no meaning to SQLite).
    head, sep, rest = ddl.partition(" (\n\t")
    if not sep or not rest.endswith("\n)"):
        return ddl
    items = rest[: -len("\n)")].split(", \n\t")
    columns = [i for i in items if not _CONSTRAINT_START.match(i)]
    constraints = sorted(i for i in items if _CONSTRAINT_START.match(i))
    return head + sep + ", \n\t".join(columns + constraints) + "\n)"


def dump_sqlite(path: str) -> tuple[list[str], str]:
    run_upgrade(f"sqlite:///{path}")
    con = sqlite3.connect(path)
    objects = con.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
    ).fetchall()
    tables = [(n, s) for t, n, s in objects if t == "table"]
    # Alembic creates some indexes from unordered collections; sort them (and triggers) by name so
    # the generated file is stable. Tables keep creation order; order among indexes is immaterial.
    others = [s for t, n, s in sorted((o for o in objects if o[0] != "table"), key=lambda o: (o[0], o[1]))]
    statements = [canonical_table_ddl(s) for _, s in tables]
    for name, _ in tables:
        cur = con.execute(f'SELECT * FROM "{name}"')
        cols = [d[0] for d in cur.description]
        for row in cur.fetchall():
            col_list = ", ".join(f'"{c}"' for c in cols)
            values = ", ".join(sql_literal(v) for v in row)
            statements.append(f'INSERT INTO "{name}" ({col_list}) VALUES ({values})')
    statements.extend(others)
    head = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    con.close()
    return statements, head


def split_pg_dump(text: str) -> list[str]:
    """Split pg_dump output into statements; `$$` bodies may contain semicolons."""
    lines = []
    for line in text.splitlines():
        if line.startswith("--") or line.startswith("\\"):
            continue
        lines.append(line)
    statements, current, in_dollar = [], [], False
    for line in lines:
        if not current and not line.strip():
            continue
        current.append(line)
        if line.count("$$") % 2 == 1:
            in_dollar = not in_dollar
        if not in_dollar and line.rstrip().endswith(";"):
            stmt = "\n".join(current).strip()
            statements.append(stmt[:-1])
            current = []
    return statements


def keep_pg_statement(stmt: str) -> bool:
    # Session settings of the dump itself, not schema.
    if stmt.startswith("SET ") or stmt.startswith("SELECT pg_catalog.set_config"):
        return False
    return True


_CHECK_IN_ARRAY = re.compile(
    r"\(\((\w+)\)::text = ANY \(\(ARRAY\[((?:'[^']*'::character varying(?:, )?)+)\]\)::text\[\]\)\)"
)


def restore_check_in_lists(stmt: str) -> str:
    # pg_dump deparses Alembic's `col IN ('a', 'b')` on a VARCHAR column as
    # `(col)::text = ANY ((ARRAY['a'::character varying, ...])::text[])`, and re-parsing that text
    # stores a different expression tree. Writing the IN list back recreates the original one.
    def repl(m: re.Match) -> str:
        values = m.group(2).replace("::character varying", "")
        return f"({m.group(1)} IN ({values}))"

    return _CHECK_IN_ARRAY.sub(repl, stmt)


def unqualify(stmt: str) -> str:
    # pg_dump schema-qualifies every name because it empties search_path; MLflow creates the
    # objects unqualified (in the connection's current schema), so do the same.
    return re.sub(r"\bpublic\.", "", stmt)


def dump_postgres(base_url: str) -> tuple[list[str], str]:
    db = f"h3_gen_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(base_url.rstrip("/") + "/postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{db}"')
    try:
        url = base_url.rstrip("/") + "/" + db
        run_upgrade(url.replace("postgresql://", "postgresql+psycopg2://", 1))
        out = subprocess.run(
            ["pg_dump", "--no-owner", "--no-privileges", "--no-comments", "--inserts",
             "--column-inserts", url],
            check=True, capture_output=True, text=True,
        ).stdout
        con = psycopg2.connect(url)
        cur = con.cursor()
        cur.execute("SELECT version_num FROM alembic_version")
        head = cur.fetchone()[0]
        con.close()
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.close()
    statements = [restore_check_in_lists(unqualify(s)) for s in split_pg_dump(out) if keep_pg_statement(s)]
    return statements, head


_MYSQL_AUTO_INCREMENT = re.compile(r" AUTO_INCREMENT=\d+")
_MYSQL_TABLE_CHARSET = re.compile(r" DEFAULT CHARSET=\w+(?: COLLATE=\w+)?$")
# The trigger's owner, quoted as the sql_mode of its creation had it (backticks, or double quotes
# under ANSI_QUOTES).
_MYSQL_NAME_PART = r"(?:`[^`]*`|\"[^\"]*\"|'[^']*'|[\w.%-]+)"
_MYSQL_DEFINER = re.compile(rf"\bDEFINER\s*=\s*{_MYSQL_NAME_PART}@{_MYSQL_NAME_PART}\s*")
_MYSQL_LINE_ORDER_FREE = re.compile(r"^\s*(KEY|UNIQUE KEY|FULLTEXT KEY|CONSTRAINT)\b")


def canonical_mysql_table(ddl: str) -> str:
    # SHOW CREATE TABLE lists secondary indexes and constraints in creation order, and Alembic
    # creates several of them from sets, whose order varies with the hash seed from one
    # `mlflow db upgrade` to the next. Columns and the primary key keep their order; the index and
    # constraint lines are sorted (their order means nothing to MySQL), so the file is stable.
    # AUTO_INCREMENT=N is a counter, not schema. The table's default character set and collation
    # are the database's (MLflow's CREATE TABLEs name none), so they are left to the database the
    # statements run on, as `mlflow db upgrade` leaves them; columns that the migrations give a
    # character set or collation (JSON, utf8mb4_bin) keep it, spelled out by SHOW CREATE TABLE
    # because it differs from the dump database's fixed utf8mb4_general_ci.
    lines = ddl.split("\n")
    head, body, tail = lines[0], lines[1:-1], lines[-1]
    tail = _MYSQL_TABLE_CHARSET.sub("", _MYSQL_AUTO_INCREMENT.sub("", tail))
    if tail != ") ENGINE=InnoDB":
        # Any other table option would be new (or come from the server's configuration): look at it
        # before letting it into the generated file.
        sys.exit(f"mysql: unexpected table options in {head!r}: {tail!r}")
    items = [line[:-1] if line.endswith(",") else line for line in body]
    fixed = [i for i in items if not _MYSQL_LINE_ORDER_FREE.match(i)]
    free = sorted(i for i in items if _MYSQL_LINE_ORDER_FREE.match(i))
    return "\n".join([head, ",\n".join(fixed + free), tail])


def mysql_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return repr(value)
    if not isinstance(value, str):
        # Seeded rows hold only numbers and text so far; another type needs its own spelling.
        sys.exit(f"mysql: no literal for a seeded {type(value).__name__} value")
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def dump_mysql(base_url: str) -> tuple[list[str], str]:
    u = urlsplit(base_url)
    conn_args = dict(
        host=u.hostname or "127.0.0.1",
        port=u.port or 3306,
        user=unquote(u.username or "root"),
        password=unquote(u.password or ""),
    )
    db = f"h3_gen_{uuid.uuid4().hex[:12]}"
    admin = pymysql.connect(**conn_args, autocommit=True)
    # The database's collation is named rather than left to the server's default for utf8mb4
    # (utf8mb4_general_ci on MariaDB 10.11, uca1400 on 11.5+, 0900_ai_ci on MySQL 8): which column
    # collations SHOW CREATE TABLE spells out depends on it.
    admin.cursor().execute(f"CREATE DATABASE `{db}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
    try:
        auth = quote(conn_args["user"], safe="") + (
            ":" + quote(conn_args["password"], safe="") if conn_args["password"] else ""
        )
        run_upgrade(f"mysql+pymysql://{auth}@{conn_args['host']}:{conn_args['port']}/{db}")
        con = pymysql.connect(**conn_args, database=db, charset="utf8mb4")
        cur = con.cursor()
        # SHOW CREATE output follows the session's sql_mode (ANSI_QUOTES, NO_TABLE_OPTIONS, ...):
        # pin it, so the server's configured mode cannot change the text.
        cur.execute("SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'")
        cur.execute("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'")
        tables = sorted(r[0] for r in cur.fetchall())
        cur.execute("SHOW FULL TABLES WHERE Table_type = 'VIEW'")
        if cur.fetchall():
            sys.exit("mysql: views are not dumped yet")
        # Tables by name: replayed with FOREIGN_KEY_CHECKS=0, so a child may come before its parent.
        statements = []
        for t in tables:
            cur.execute(f"SHOW CREATE TABLE `{t}`")
            statements.append(canonical_mysql_table(cur.fetchone()[1]))
        for t in tables:
            cur.execute(f"SELECT * FROM `{t}`")
            rows = cur.fetchall()
            cols = ", ".join(f"`{d[0]}`" for d in cur.description)
            for row in sorted(rows, key=repr):
                values = ", ".join(mysql_literal(v) for v in row)
                statements.append(f"INSERT INTO `{t}` ({cols}) VALUES ({values})")
        cur.execute("SHOW TRIGGERS")
        for name in sorted(r[0] for r in cur.fetchall()):
            cur.execute(f"SHOW CREATE TRIGGER `{name}`")
            statements.append(_MYSQL_DEFINER.sub("", cur.fetchone()[2]))
        cur.execute("SELECT version_num FROM alembic_version")
        head = cur.fetchone()[0]
        con.close()
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS `{db}`")
        admin.close()
    return statements, head


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_stmts, sqlite_head = dump_sqlite(os.path.join(tmp, "schema.db"))
    pg_stmts, pg_head = dump_postgres(sys.argv[1])
    mysql_stmts, mysql_head = dump_mysql(sys.argv[2])
    if not sqlite_head == pg_head == mysql_head:
        sys.exit(f"alembic heads differ: sqlite {sqlite_head}, postgres {pg_head}, mysql {mysql_head}")
    json.dump(
        {
            "mlflow_version": mlflow.__version__,
            "alembic_head": sqlite_head,
            "sqlite": sqlite_stmts,
            "postgres": pg_stmts,
            "mysql": mysql_stmts,
        },
        sys.stdout,
        indent=1,
    )


if __name__ == "__main__":
    main()
