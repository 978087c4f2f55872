"""Normalization of one side's transcript before the comparison.

Only what legitimately differs between two servers is rewritten, and always by *consistent mapping*
(first appearance -> `<run:1>`, `<run:2>`, ...), so that references between objects still have to
agree: a run's `experiment_id` must name the same experiment on both sides, a child's
`mlflow.parentRunId` tag must name the same parent, an artifact URI must embed the same ids.

Rewritten:
  * run ids (any 32-hex token, anywhere, also inside messages and URIs)      -> <run:N>
  * UUIDs, e.g. webhook ids (any 8-4-4-4-12 hex token, anywhere)              -> <uuid:N>
  * experiment ids (values of experiment id fields; then as tokens in strings) -> <exp:N>
  * generated run names (`adjective-animal-123`), in run_name / mlflow.runName, and a logged
    model's generated name                                                    -> <run-name:N>
  * user ids (user_id, mlflow.user)                                            -> <user:N>
  * wall-clock timestamps (time fields whose value is "now"-ish)               -> <now:TYPE>
  * the servers' own artifact roots / working directories                      -> <artifact-root>, <workdir>
Everything else (status, error codes, messages, which keys are present, values and their JSON
types) is left exactly as the server sent it. See docs/parity-differences.md for any extra rule.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from typing import Any, Callable

RUN_ID_RE = re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{32}(?![0-9a-fA-F])")
UUID_RE = re.compile(r"(?<![0-9a-fA-F-])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-fA-F-])")
GENERATED_RUN_NAME_RE = re.compile(r"^[a-z]+-[a-z]+-\d{1,4}$")

# SQLAlchemy's wrapping of a database driver error inside some MLflow messages:
#   "(sqlite3.IntegrityError) UNIQUE constraint failed: t.c\n[SQL: INSERT ...]\n[parameters: (...)]
#    \n(Background on this error at: https://sqlalche.me/e/...)"
# Only the driver's own message ("UNIQUE constraint failed: t.c") is kept; the Python exception
# class, statement, bound parameters and link are dropped, on both sides (docs/parity-differences.md, 2.1).
DB_DRIVER_CLASS_RE = re.compile(r"\((?:sqlite3|psycopg2|psycopg|pymysql|MySQLdb)(?:\.[A-Za-z_]+)+\) ")
DB_STATEMENT_TAIL_RE = re.compile(
    r"\s*(?:\[SQL: [\s\S]*?)?\(Background on this error at: https?://sqlalche\.me/[^)]*\)"
)


# psycopg2 quotes the failing statement under the server's message ("\nLINE 1: ...INSERT ...\n   ^"):
# statement text, dropped with the rest of the statement (same rule, 2.1).
PG_STATEMENT_CONTEXT_RE = re.compile(r"\nLINE \d+: [^\n]*\n *\^")

# SQLAlchemy's note when the failing statement ran from an ORM autoflush (same rule, 2.1).
AUTOFLUSH_NOTE_RE = re.compile(
    r"\(raised as a result of Query-invoked autoflush; consider using a session\.no_autoflush block "
    r"if this flush is occurring prematurely\)\n"
)

# A Python set of strings printed into a message ("Valid keys are '{'a', 'b'}'"): its order
# changes from process to process (hash randomization), so its items are sorted.
PY_SET_RE = re.compile(r"\{('[^'{}]*'(?:, '[^'{}]*')+)\}")


def _sorted_set(m: re.Match) -> str:
    items = re.findall(r"'[^']*'", m.group(1))
    return "{" + ", ".join(sorted(items)) + "}"


RUN_ID_KEYS = {"run_id", "run_uuid", "parent_run_id", "tags.mlflow.parentRunId", "root_run_id"}
EXPERIMENT_ID_KEYS = {"experiment_id", "experiment_ids"}
# `name`: a logged model created without one gets a generated name (only those are mapped).
RUN_NAME_KEYS = {"run_name", "tags.mlflow.runName", "name"}
USER_KEYS = {"user_id", "tags.mlflow.user"}
TIME_KEYS = {
    "creation_time",
    "last_update_time",
    "start_time",
    "end_time",
    "timestamp",
    "last_updated_timestamp",
    "creation_timestamp",
    "creation_timestamp_ms",
    "last_updated_timestamp_ms",
}
# tag key -> which map its value belongs to (tags are lists of {key, value} or dicts)
TAG_VALUE_KINDS = {
    "mlflow.parentRunId": "run",
    "mlflow.runName": "run-name",
    "mlflow.user": "user",
}

# A timestamp is "wall clock" (server- or client-generated now) when it falls in this window.
_SESSION_START_MS = int(time.time() * 1000)
_WINDOW_MS = 3 * 24 * 3600 * 1000


def _is_now_ms(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, str):
        if not re.fullmatch(r"-?\d{1,19}", v):
            return False
        v = int(v)
    if isinstance(v, float) and not math.isfinite(v):
        return False
    if isinstance(v, (int, float)):
        now = int(time.time() * 1000)
        return _SESSION_START_MS - _WINDOW_MS <= v <= now + _WINDOW_MS
    return False


def _type_name(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    return type(v).__name__


class Normalizer:
    def __init__(self, replacements: list[tuple[str, str]] | None = None, dialect: str | None = None):
        # literal (side-specific) prefixes -> placeholders, longest first
        self.replacements = sorted(replacements or [], key=lambda kv: -len(kv[0]))
        self.dialect = dialect
        self.maps: dict[str, dict[str, str]] = {"run": {}, "exp": {}, "run-name": {}, "user": {}, "uuid": {}}

    # -- pass 1: collect ids in order of appearance ------------------------------------------------
    def _register(self, kind: str, value: Any) -> None:
        if value is None or isinstance(value, (bool, dict, list)):
            return
        if isinstance(value, float) and not math.isfinite(value):
            return
        sval = str(value)
        if sval == "" or (sval.startswith("<") and sval.endswith(">")):
            return
        if kind == "run-name" and not GENERATED_RUN_NAME_RE.match(sval):
            return
        m = self.maps[kind]
        if sval not in m:
            m[sval] = f"<{kind}:{len(m) + 1}>"

    def _collect_string(self, s: str) -> None:
        for m in RUN_ID_RE.finditer(s):
            self._register("run", m.group(0))
        for m in UUID_RE.finditer(s):
            self._register("uuid", m.group(0))

    def collect(self, obj: Any, key: str | None = None) -> None:
        if isinstance(obj, dict):
            tag_key = obj.get("key") if isinstance(obj.get("key"), str) else None
            for k, v in obj.items():
                if k == "value" and tag_key in TAG_VALUE_KINDS:
                    self._register(TAG_VALUE_KINDS[tag_key], v)
                if k in TAG_VALUE_KINDS and not isinstance(v, (dict, list)):
                    self._register(TAG_VALUE_KINDS[k], v)
                self.collect(v, k)
            return
        if isinstance(obj, list):
            for v in obj:
                self.collect(v, key)
            return
        if key in EXPERIMENT_ID_KEYS:
            self._register("exp", obj)
        elif key in RUN_ID_KEYS:
            self._register("run", obj)
        elif key in RUN_NAME_KEYS:
            self._register("run-name", obj)
        elif key in USER_KEYS:
            self._register("user", obj)
        if isinstance(obj, str):
            self._collect_string(obj)

    # -- pass 2: rewrite ---------------------------------------------------------------------------
    def _rewrite_string(self, s: str) -> str:
        for literal, placeholder in self.replacements:
            if literal and literal in s:
                s = s.replace(literal, placeholder)
        s = RUN_ID_RE.sub(lambda m: self.maps["run"].get(m.group(0), m.group(0)), s)
        s = UUID_RE.sub(lambda m: self.maps["uuid"].get(m.group(0), m.group(0)), s)
        for exp_id, placeholder in sorted(self.maps["exp"].items(), key=lambda kv: -len(kv[0])):
            # only inside longer strings (URIs, messages); a whole value equal to an experiment id
            # is rewritten only under an experiment id key (see _scalar), not e.g. a step "1"
            if len(s) <= len(exp_id):
                continue
            s = re.sub(rf"(?<![\w.<:-]){re.escape(exp_id)}(?![\w.>-])", placeholder, s)
        return s

    def _scalar(self, v: Any, key: str | None, tag_kind: str | None) -> Any:
        kind = tag_kind
        if kind is None:
            if key in EXPERIMENT_ID_KEYS:
                kind = "exp"
            elif key in RUN_ID_KEYS:
                kind = "run"
            elif key in RUN_NAME_KEYS:
                kind = "run-name"
            elif key in USER_KEYS:
                kind = "user"
        if kind is not None and v is not None and not isinstance(v, bool):
            mapped = self.maps[kind].get(str(v))
            if mapped is not None:
                return mapped if isinstance(v, str) else f"{mapped}:{_type_name(v)}"
        if key in TIME_KEYS and _is_now_ms(v):
            return f"<now:{_type_name(v)}>"
        if isinstance(v, str):
            return self._rewrite_string(v)
        return v

    def rewrite(self, obj: Any, key: str | None = None, tag_kind: str | None = None) -> Any:
        if isinstance(obj, dict):
            tk = obj.get("key") if isinstance(obj.get("key"), str) else None
            out = {}
            for k, v in obj.items():
                kind = TAG_VALUE_KINDS.get(tk) if k == "value" else TAG_VALUE_KINDS.get(k)
                out[k] = self.rewrite(v, k, kind)
            return out
        if isinstance(obj, list):
            return [self.rewrite(v, key, tag_kind) for v in obj]
        return self._scalar(obj, key, tag_kind)

    def normalize(self, transcript: list[Any]) -> list[Any]:
        # text rules first, so that nothing they drop (e.g. run ids among a failed statement's
        # bound parameters) takes part in the id mapping
        transcript = [_map_strings(entry, clean_text) for entry in transcript]
        for entry in transcript:
            self.collect(entry)
        out = [self.rewrite(entry) for entry in transcript]
        out = [_sort_trace_v2_lists(entry) for entry in out]
        if self.dialect == "postgresql":
            out = [_sort_webhook_events(_sort_run_metrics(_sort_unordered_pg_lists(entry))) for entry in out]
        if self.dialect == "mysql":
            out = [_sort_dataset_lists(entry) for entry in out]
        return out


def _sort_trace_v2_lists(obj: Any) -> Any:
    """A v2 TraceInfo's `tags` and `request_metadata` lists (a TraceInfo: an object with `request_id`
    and `timestamp_ms`) sorted by key, on both sides (docs/parity-differences.md, 2.17: the rows are
    written in the order Python iterates a protobuf map, which differs from one process to the next,
    and read back in row order). Keys and values still count."""
    if isinstance(obj, dict):
        out = {k: _sort_trace_v2_lists(v) for k, v in obj.items()}
        if "request_id" in out and "timestamp_ms" in out:
            for field in ("tags", "request_metadata"):
                items = out.get(field)
                if isinstance(items, list) and all(isinstance(t, dict) for t in items):
                    out[field] = sorted(items, key=lambda t: str(t.get("key")))
        return out
    if isinstance(obj, list):
        return [_sort_trace_v2_lists(v) for v in obj]
    return obj


def _sort_dataset_lists(obj: Any) -> Any:
    """MySQL only: `dataset_summaries` (search-datasets) and a run's `inputs.dataset_inputs` sorted,
    on both sides (docs/parity-differences.md, 2.16: MLflow reads them with SELECT DISTINCT / a join
    ordered only by run, and InnoDB returns the rows in the order of the plan it picks, through a
    temporary table for DISTINCT). The elements themselves must be the same."""
    if isinstance(obj, dict):
        out = {k: _sort_dataset_lists(v) for k, v in obj.items()}
        for field in ("dataset_summaries", "dataset_inputs"):
            items = out.get(field)
            if isinstance(items, list):
                out[field] = sorted(items, key=lambda x: json.dumps(x, sort_keys=True))
        return out
    if isinstance(obj, list):
        return [_sort_dataset_lists(v) for v in obj]
    return obj


def _sort_webhook_events(obj: Any) -> Any:
    """PostgreSQL only: a webhook's `events` (lists of {entity, action}) sorted, on both sides
    (docs/parity-differences.md, 2.5: MLflow loads them without an ORDER BY, in index order or
    physical order depending on PostgreSQL's plan). Values, and every other list's order, still count."""
    if isinstance(obj, dict):
        out = {k: _sort_webhook_events(v) for k, v in obj.items()}
        events = out.get("events")
        if isinstance(events, list) and all(
            isinstance(e, dict) and set(e) <= {"entity", "action"} for e in events
        ):
            out["events"] = sorted(events, key=lambda e: (str(e.get("entity")), str(e.get("action"))))
        return out
    if isinstance(obj, list):
        return [_sort_webhook_events(v) for v in obj]
    return obj


def _each_dict(obj: Any, fn: Callable[[dict], dict]) -> Any:
    """`obj` with `fn` applied to every dict in it, innermost first."""
    if isinstance(obj, dict):
        return fn({k: _each_dict(v, fn) for k, v in obj.items()})
    if isinstance(obj, list):
        return [_each_dict(v, fn) for v in obj]
    return obj


def _by_key(items: Any) -> list | None:
    """A list of `{key, ...}` objects sorted by key; None for anything else."""
    if isinstance(items, list) and all(isinstance(t, dict) and isinstance(t.get("key"), str) for t in items):
        return sorted(items, key=lambda t: t["key"])
    return None


def _logged_model_lists(d: dict) -> dict:
    """PostgreSQL only: a logged model's (an object with `info.model_id`) `info.tags` sorted by key and
    its `data.metrics` sorted by content, on both sides (docs/parity-differences.md, 2.18: MLflow
    builds them from rows read with no ORDER BY, so they come in physical order or in primary-key
    order depending on the plan, which autoanalyze changes from one run to the next). Every element
    still counts; `data.params` falls under _sort_run_metrics."""
    info, data = d.get("info"), d.get("data")
    if not (isinstance(info, dict) and "model_id" in info):
        return d
    tags = _by_key(info.get("tags"))
    if tags is not None:
        d["info"] = {**info, "tags": tags}
    if isinstance(data, dict) and isinstance(data.get("metrics"), list):
        d["data"] = {**data, "metrics": sorted(data["metrics"], key=lambda m: json.dumps(m, sort_keys=True))}
    return d


def _experiment_tags(d: dict) -> dict:
    """PostgreSQL only: an experiment's (an object with `experiment_id`, `lifecycle_stage` and
    `artifact_location`) `tags` sorted by key, on both sides (docs/parity-differences.md, 2.20:
    MLflow loads them with no ORDER BY, `SELECT ... WHERE experiment_id IN (...)` in a search, so
    an index scan on the primary key `(key, experiment_id)` lists them by key and a sequential scan
    in physical order). Keys and values still count."""
    tags = _by_key(d.get("tags"))
    if tags is not None and {"experiment_id", "lifecycle_stage", "artifact_location"} <= d.keys():
        d["tags"] = tags
    return d


def _version_rank(mv: Any) -> tuple:
    v = mv.get("version") if isinstance(mv, dict) else None
    return (0, int(v)) if isinstance(v, str) and v.isdigit() else (1, str(v))


def _latest_versions(d: dict) -> dict:
    """PostgreSQL only: a registered model's `latest_versions`, and the `model_versions` a
    get-latest-versions step answers, sorted by version number, on both sides
    (docs/parity-differences.md, 2.19: MLflow lists the latest version of each stage in the order
    its stages first appear among rows read with no ORDER BY, the model's versions when it reads
    one model and a window query's join when it searches, so PostgreSQL's plan decides the order).
    The versions themselves, and which ones are listed, still count."""
    latest = d.get("latest_versions")
    if isinstance(latest, list) and all(isinstance(mv, dict) for mv in latest):
        d["latest_versions"] = sorted(latest, key=_version_rank)
    body = d.get("body")
    if "get-latest-versions" in str(d.get("step", "")) and isinstance(body, dict) and isinstance(body.get("model_versions"), list):
        d["body"] = {**body, "model_versions": sorted(body["model_versions"], key=_version_rank)}
    return d


def _sort_unordered_pg_lists(entry: Any) -> Any:
    """The PostgreSQL rules of entries 2.18-2.20, in one pass over a transcript entry."""
    return _each_dict(entry, lambda d: _latest_versions(_experiment_tags(_logged_model_lists(d))))


def _sort_run_metrics(obj: Any) -> Any:
    """PostgreSQL only: a run's `data.metrics`, `data.params` and `data.tags` lists sorted by key, on
    both sides (docs/parity-differences.md, 2.4: without an ORDER BY, PostgreSQL returns these rows in
    an order that depends on its plan and on where updated row versions land, so the pinned server's
    own order is not a contract there). Values, and the order of every other list, still count; on
    SQLite nothing is reordered."""
    if isinstance(obj, dict):
        out = {k: _sort_run_metrics(v) for k, v in obj.items()}
        data = out.get("data")
        if isinstance(data, dict):
            data = dict(data)
            for field in ("metrics", "params", "tags"):
                items = data.get(field)
                if isinstance(items, list) and all(
                    isinstance(m, dict) and isinstance(m.get("key"), str) for m in items
                ):
                    data[field] = sorted(items, key=lambda m: m["key"])
            out["data"] = data
        return out
    if isinstance(obj, list):
        return [_sort_run_metrics(v) for v in obj]
    return obj


# The two servers' databases have different names (servers.make_database: prefix, label, pid, random),
# which MySQL's messages quote (`db`.`table`.`column`); one name for both sides.
MYSQL_DB_NAME_RE = re.compile(r"`" + re.escape(os.environ.get("MLFLOW_TS_PARITY_DB_PREFIX", "parity_")) + r"\w+?_\d+_[0-9a-f]{8}`")


# MySQL quotes the statement text after a syntax error (`near '...' at line N`): the two servers
# write their SQL differently, so only the error itself is compared.
MYSQL_NEAR_RE = re.compile(r"(server version for the right syntax to use) near '.*?' at line \d+(?=\\?\"\)|\"\)|'\))", re.S)
# MySQL cuts the key value quoted in "Duplicate entry '...'" at 64 characters; an id cut there is
# left as a hex fragment that the id rules cannot map.
MYSQL_DUP_CUT_RE = re.compile(r"(Duplicate entry '[^']*?)[0-9a-f]{1,31}\.\.\.'")


def clean_text(s: str) -> str:
    """The documented text rules (docs/parity-differences.md, section 2), applied alike to both sides."""
    s = MYSQL_DB_NAME_RE.sub("`<database>`", s)
    s = MYSQL_NEAR_RE.sub(r"\1 near <statement>", s)
    s = MYSQL_DUP_CUT_RE.sub(r"\1<cut>...'", s)
    # whichever part of SQLAlchemy's wrapper a server reproduces, only the database's message is compared
    s = DB_DRIVER_CLASS_RE.sub("", s)
    s = DB_STATEMENT_TAIL_RE.sub("", s)
    s = AUTOFLUSH_NOTE_RE.sub("", s)
    s = PG_STATEMENT_CONTEXT_RE.sub("", s)
    s = PY_SET_RE.sub(_sorted_set, s)
    return s


def _map_strings(obj: Any, fn) -> Any:
    if isinstance(obj, dict):
        return {k: _map_strings(v, fn) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_map_strings(v, fn) for v in obj]
    if isinstance(obj, str):
        return fn(obj)
    return obj


def dataframe_to_json(df) -> dict:
    """A pandas DataFrame as comparable JSON: columns (in order), dtypes, and rows of typed values."""
    import pandas as pd

    def cell(v):
        if v is None:
            return None
        if isinstance(v, pd.Timestamp):
            if pd.isna(v):
                return "<NaT>"
            return int(v.value // 1_000_000)  # ms since epoch: the time normalization applies
        if isinstance(v, float):
            if math.isnan(v):
                return "<NaN>"
            return v
        if hasattr(v, "item"):
            try:
                v = v.item()
            except (ValueError, AttributeError):
                pass
        if isinstance(v, float) and math.isnan(v):
            return "<NaN>"
        if isinstance(v, (dict, list, str, int, float, bool)):
            return v
        return repr(v)

    cols = [str(c) for c in df.columns]
    rows = []
    for rec in df.itertuples(index=False, name=None):
        rows.append({c: cell(v) for c, v in zip(cols, rec)})
    return {
        "columns": cols,
        # pairs, not an object: column names such as "run_id" must not trigger id normalization
        "dtypes": [[str(c), str(t)] for c, t in df.dtypes.items()],
        "index": [cell(i) for i in df.index],
        "rows": rows,
    }
