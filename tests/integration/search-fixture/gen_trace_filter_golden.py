"""Random trace filter / order_by strings through the pinned MLflow -> golden JSON.

Each string goes through SearchTraceUtils.parse_search_filter_for_search_traces (the parsed
clauses or the error) and through SqlAlchemyStore.search_traces on an empty SQLite store (the
store-level checks: comparators per entity, prompts, reserved metadata, span attributes), as a
filter and as an order_by clause.

    PYTHONHASHSEED=0 .venv/bin/python tests/integration/search-fixture/gen_trace_filter_golden.py 1 tests/unit/trace-filter-golden.json
"""
import json, os, random, sys, tempfile, warnings, logging

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)
from mlflow.exceptions import MlflowException
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
from mlflow.utils.search_utils import SearchTraceUtils

rng = random.Random(int(sys.argv[1]))
tmp = tempfile.mkdtemp()
store = SqlAlchemyStore(f"sqlite:///{tmp}/m.db", f"{tmp}/a")

idents = ["trace.status", "status", "attributes.timestamp_ms", "timestamp", "timestamp_ms", "trace.timestamp",
          "execution_time", "trace.execution_time_ms", "end_time", "attribute.end_time_ms", "name", "trace.name",
          "run_id", "trace.run_id", "prompt", "text", "client_request_id", "request_id", "trace.request_id",
          "experiment_id", "tags.t", "tag.`a b`", "tags.name", "tags.NAME", "tag.mlflow.traceName", "metadata.m",
          "metadata.run_id", "request_metadata.mlflow.sourceRun", "metadata.mlflow.trace.session",
          "metadata.`mlflow.trace.tokenUsage`", "metadata.mlflow.trace.cost", "span.name", "span.type",
          "span.status", "span.content", "span.attributes.x", "span.attributes.`a.b`", "span.foo", "span.text",
          "feedback.rel", "feedback.`a b`", "expectation.e", "feedback.name", "feedback.timestamp", "issue.id",
          "issue.x", "assessment.x", "metric.m", "params.p", "foo.bar", "x", "`status`", "trace.`status`",
          "tags.'q'", 'metadata."d"', "span.attributes.", "feedback."]
ops = ["=", "!=", ">", ">=", "<", "<=", "LIKE", "like", "ILIKE", "RLIKE", "rlike", "IN", "NOT IN", "IS NULL",
       "IS NOT NULL", "is null", "==", "<>", "NOT LIKE", "REGEXP"]
values = ["'a'", '"b"', "'%c%'", "'OK'", "'ERROR'", "1", "-2", "3.5", "1e3", "('a','b')", "('a')", "()", "(1, 2)",
          "abc", "`q`", "'x/1'", "'x/1/2'", "'{\"input_tokens\": 1}'", "'^a.*$'", "''", "'it''s'", "NULL", "true"]
glue = ["AND", "and", "OR", "NOT", "(", ")", ",", ";", "*"]


def clause():
    i = rng.choice(idents)
    o = rng.choice(ops)
    if o.upper().startswith("IS"):
        return f"{i} {o}"
    return f"{i} {o} {rng.choice(values)}"


GOOD = [
    (["trace.status", "status", "request_id", "client_request_id", "trace.request_id"], ["=", "!=", "LIKE", "ILIKE", "RLIKE"], ["'OK'", "'%a%'", "'x'"]),
    (["trace.status", "status", "request_id", "client_request_id", "name", "run_id"], ["IN", "NOT IN"], ["('OK', 'ERROR')", "('a')"]),
    (["timestamp", "timestamp_ms", "trace.timestamp_ms", "execution_time", "end_time", "trace.end_time_ms"], ["=", "!=", ">", ">=", "<", "<="], ["1", "-2", "3.5", "1e3", "'5'"]),
    (["name", "trace.name", "tags.t", "tag.`a b`", "tags.name", "metadata.m", "metadata.mlflow.trace.session", "run_id"], ["=", "!=", "LIKE", "ILIKE", "RLIKE"], ["'a'", "'%a%'", '"b"']),
    (["tags.t", "name", "metadata.m", "metadata.mlflow.trace.session", "metadata.`mlflow.trace.tokenUsage`", "metadata.mlflow.trace.cost", "feedback.rel", "expectation.e"], ["IS NULL", "IS NOT NULL"], [None]),
    (["metadata.`mlflow.trace.tokenUsage`", "metadata.mlflow.trace.cost"], ["=", "!=", "LIKE"], ["'{\"input_tokens\": 1}'", "'{\"total_cost\": 0.5}'", "'x'"]),
    (["span.name", "span.type", "span.status", "span.attributes.x", "span.attributes.`a.b`"], ["=", "!=", "LIKE", "ILIKE", "RLIKE", "IN", "NOT IN"], ["'a'", "'%a%'", "('a', 'b')", "'^a$'"]),
    (["span.content", "text"], ["LIKE", "ILIKE", "="], ["'%a%'"]),
    (["feedback.rel", "expectation.e", "feedback.`a b`"], ["=", "!=", "LIKE", "ILIKE", "RLIKE", ">", ">=", "<", "<="], ["'yes'", "1", "0.5", "'%y%'"]),
    (["issue.id", "prompt"], ["=", "!=", "LIKE"], ["'x/1'", "'x/1/2'", "'x'"]),
]


def good():
    i, o, v = rng.choice(GOOD)
    i, o, v = rng.choice(i), rng.choice(o), rng.choice(v)
    return f"{i} {o}" if v is None else f"{i} {o} {v}"


def gen():
    r = rng.random()
    if r < 0.45:
        return " AND ".join(good() for _ in range(rng.randint(1, 3)))
    if r < 0.65:
        n = rng.randint(1, 3)
        return " AND ".join(clause() for _ in range(n))
    if r < 0.8:
        parts = [clause() for _ in range(rng.randint(1, 2))]
        parts.insert(rng.randint(0, len(parts)), rng.choice(glue))
        return " ".join(parts)
    n = rng.randint(1, 6)
    s = " ".join(rng.choice(idents + ops + values + glue) for _ in range(n))
    if rng.random() < 0.3:
        s = s.replace(" ", "", rng.randint(0, 2))
    return s


def outcome(fn):
    try:
        r = fn()
        return {"ok": r}
    except MlflowException as e:
        return {"error": e.message, "code": e.error_code}
    except Exception as e:
        return {"error": str(e), "exc": type(e).__name__}


def parsed(s):
    return [
        {"type": c["type"], "key": c["key"], "comparator": c["comparator"],
         "value": list(c["value"]) if isinstance(c["value"], (tuple, list)) else c["value"]}
        for c in SearchTraceUtils.parse_search_filter_for_search_traces(s)
    ]


orders = [f"{i}{rng.choice(['', ' ASC', ' desc', ' up', ' ASC DESC'])}" for i in idents] + [
    "", "timestamp_ms DESC, x", "`tags`.`a b` ASC", "tags.\"q r\" DESC"]
out = []
seen = set()
for k in range(int(os.environ.get("N", "1400"))):
    s = gen()
    if s in seen:
        continue
    seen.add(s)
    rec = {"input": s, "parse": outcome(lambda: parsed(s)),
           "store": outcome(lambda: len(store.search_traces(locations=["0"], filter_string=s)[0]))}
    out.append(rec)
order_out = []
for o in orders:
    order_out.append({"input": o, "store": outcome(lambda: len(store.search_traces(locations=["0"], order_by=[o])[0]))})
order_out.append({"input": ["name", "trace.name"],
                  "store": outcome(lambda: len(store.search_traces(locations=["0"], order_by=["name", "trace.name"])[0]))})
json.dump({"filters": out, "orders": order_out}, open(sys.argv[2], "w"), indent=0, ensure_ascii=False)
print(len(out), "filters", len(order_out), "orders")
