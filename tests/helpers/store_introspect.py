"""Prints a normalized description of a database's schema (tables, columns, types, nullability,
defaults, primary keys, foreign keys, indexes, unique and check constraints, triggers) and the rows
of alembic_version / workspaces, as JSON. Used by tests/integration/schema-*.test.ts to compare what
mlflow-ts creates with what the pinned `mlflow db upgrade` creates.

usage: store_introspect.py SQLALCHEMY_URI
"""

import json
import re
import sys

import sqlalchemy as sa


def norm_sql(text):
    if text is None:
        return None
    return re.sub(r"\s+", " ", str(text)).strip()


def describe(uri):
    engine = sa.create_engine(uri)
    insp = sa.inspect(engine)
    out = {"tables": {}}
    for table in sorted(insp.get_table_names()):
        cols = []
        for c in insp.get_columns(table):
            cols.append({
                "name": c["name"],
                "type": str(c["type"]),
                "nullable": bool(c["nullable"]),
                "default": norm_sql(c.get("default")),
                "computed": norm_sql((c.get("computed") or {}).get("sqltext")),
                "identity": bool(c.get("identity")),
            })
        pk = insp.get_pk_constraint(table)
        fks = sorted(
            (
                {
                    "columns": fk["constrained_columns"],
                    "referred_table": fk["referred_table"],
                    "referred_columns": fk["referred_columns"],
                    "options": {k: v for k, v in sorted((fk.get("options") or {}).items())},
                    "name": fk.get("name"),
                }
                for fk in insp.get_foreign_keys(table)
            ),
            key=lambda f: json.dumps(f, sort_keys=True),
        )
        indexes = sorted(
            (
                {"name": i["name"], "columns": i["column_names"], "unique": bool(i["unique"])}
                for i in insp.get_indexes(table)
            ),
            key=lambda i: json.dumps(i, sort_keys=True),
        )
        uniques = sorted(
            ({"name": u["name"], "columns": u["column_names"]} for u in insp.get_unique_constraints(table)),
            key=lambda u: json.dumps(u, sort_keys=True),
        )
        checks = sorted(
            ({"name": c.get("name"), "sqltext": norm_sql(c["sqltext"])} for c in insp.get_check_constraints(table)),
            key=lambda c: json.dumps(c, sort_keys=True),
        )
        out["tables"][table] = {
            "columns": cols,
            "primary_key": {"name": pk.get("name"), "columns": pk["constrained_columns"]},
            "foreign_keys": fks,
            "indexes": indexes,
            "unique_constraints": uniques,
            "check_constraints": checks,
        }
    with engine.connect() as conn:
        out["alembic_version"] = [r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]
        out["workspaces"] = [list(r) for r in conn.execute(sa.text("SELECT * FROM workspaces ORDER BY name"))]
        if engine.dialect.name == "mysql":
            # What the inspector does not show on MySQL: each column's exact type, character set,
            # collation and extras (auto_increment), and each table's engine and collation.
            out["mysql_columns"] = [
                list(r) for r in conn.execute(sa.text(
                    "SELECT table_name, column_name, column_type, character_set_name, collation_name, extra "
                    "FROM information_schema.columns WHERE table_schema = DATABASE() "
                    "ORDER BY table_name, ordinal_position"
                ))
            ]
            out["mysql_tables"] = [
                list(r) for r in conn.execute(sa.text(
                    "SELECT table_name, engine, table_collation FROM information_schema.tables "
                    "WHERE table_schema = DATABASE() ORDER BY table_name"
                ))
            ]
            out["triggers"] = sorted(
                " ".join(str(x) for x in r) for r in conn.execute(sa.text(
                    "SELECT trigger_name, action_timing, event_manipulation, event_object_table, action_statement "
                    "FROM information_schema.triggers WHERE trigger_schema = DATABASE()"
                ))
            )
        elif engine.dialect.name == "sqlite":
            out["triggers"] = sorted(
                norm_sql(r[0]) for r in conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger'"))
            )
        else:
            out["triggers"] = sorted(
                r[0] for r in conn.execute(sa.text(
                    "SELECT tgname || ' ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"
                ))
            )
            out["sequences"] = sorted(
                r[0] for r in conn.execute(sa.text(
                    "SELECT sequence_name || ' ' || data_type || ' ' || start_value || ' ' || increment "
                    "FROM information_schema.sequences"
                ))
            )
            out["functions"] = sorted(
                norm_sql(r[0]) for r in conn.execute(sa.text(
                    "SELECT pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname = current_schema()"
                ))
            )
    engine.dispose()
    return out


if __name__ == "__main__":
    json.dump(describe(sys.argv[1]), sys.stdout, indent=1, sort_keys=True, default=str)
