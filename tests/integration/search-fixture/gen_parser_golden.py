"""Writes tests/unit/search-parser-golden.json: what the pinned MLflow's search parsers return
(or the message they raise) for a battery of filter strings, order_by clauses and page tokens.

Run with the pinned MLflow: PYTHONHASHSEED=0 .venv/bin/python tests/integration/search-fixture/gen_parser_golden.py
"""
import base64
import json
import os
import sys

from mlflow.utils.search_utils import SearchExperimentsUtils, SearchUtils

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))

RUN_FILTERS = [
    "",
    "status = 'FINISHED'",
    "run_id = 'abc'",
    "run_name = 'x'",
    "start_time > 5",
    "created > 5",
    "Created >= -5",
    "end_time <= 5",
    "user_id = 'u'",
    "artifact_uri LIKE '%a%'",
    "lifecycle_stage = 'active'",
    "run name = 'x'",
    "`run name` = 'x'",
    "`Run Name` != 'x'",
    "attributes.`run name` = 'x'",
    "attribute.'Run Name' = 'x'",
    "attr.status = 'RUNNING'",
    "run.status = 'RUNNING'",
    "metrics.acc > 0.5",
    "metric.acc > -1",
    "metrics.acc > 1e5",
    "metrics.acc > .5",
    "metrics.acc > 5.",
    "metrics.acc > '5'",
    "metrics.acc > \"5\"",
    "metrics.acc = acc",
    'metrics."my acc" > 5',
    "metrics.`my acc` > 5",
    "metrics.'my acc' > 5",
    "tags.mlflow.runName = 'x'",
    'tags.`mlflow.runName` = "x"',
    "tag.t != 'v'",
    "params.p LIKE '%a%'",
    "params.p like '%a%'",
    "params.p ilike '%a%'",
    "param.p ILIKE '%A%'",
    "parameter.p = 'a'",
    "parameters.p = 'a'",
    "params.p NOT LIKE '%a%'",
    "params.p IN ('a')",
    "params.p = a",
    "params.p = 5",
    "params.p != 'a' and metrics.m = 1",
    "params.p = 'a' OR params.q = 'b'",
    "(params.p = 'a')",
    "params.p = 'a' AND",
    "params.p",
    "params.p = 'a' 'b'",
    "run_id IN ('a', 'b')",
    "run_id in ('a','b')",
    "run_id NOT IN ('a')",
    "run_id not in ('a', \"b\",)",
    "run_id IN ()",
    "run_id IN ('a', 1)",
    "run_id IN (1)",
    "run_id IN ('a' 'b')",
    "run_id IN ('a',, 'b')",
    "status IN ('a')",
    "dataset.name = 'x'",
    "datasets.digest IN ('a','b')",
    "dataset.context = 'train'",
    "dataset.name NOT IN ('a')",
    "dataset.foo = 'x'",
    "dataset.name = 5",
    "foo.bar = 'x'",
    "`foo`.bar = 'x'",
    "`metrics`.acc > 1",
    "metric.a = 1; metric.b = 2",
    "metric.a = 1;",
    "tags.t IS NULL",
    "tags.t IS NOT NULL",
    "params.p is null",
    "params.p is not null",
    "metrics.m IS NULL",
    "attribute.status IS NULL",
    "tags.t = 'it''s'",
    'tags.t = "a ""b"""',
    "metrics.m >= 1 AND metrics.m <= 2 AND params.x = 'y'",
    "metrics.m == 1",
    "metrics.m <> 1",
    "params.select = 'x'",
    "params.order = 'x'",
    "tags.in = 'x'",
    "params.from = 'x'",
    "metrics.timestamp > 1",
    "timestamp > 1",
    "params.a-b = 'x'",
    "params.a/b = 'x'",
    "params.1a = 'x'",
    "params.a1 = 'x'",
    "metrics.m > 1 and not params.p = 'x'",
    "metrics.m > 1 AND AND params.p = 'x'",
    "AND metrics.m > 1",
    "metrics.m > 1 metrics.n > 2",
    "metrics.m 1",
    "metrics.m = ",
    "= 1",
    "1 = metrics.m",
    "'a' = params.p",
    "params.p = 'a' AND params.q LIKE ",
    "params.p = 'unterminated",
    "params.p = \"x\" AND tags.t = 'y'",
    "params.p = NULL",
    "metrics.m > 0x10",
    "metrics.m > 1.5e3",
    "metrics.m > 1.5E-3",
    "metrics.m > 1,2",
    "tags.t = 'a' , tags.u = 'b'",
    "run_id IN ('a') AND run_id NOT IN ('b')",
    "run_id IN 'a'",
    "start_time IN (1)",
    "start_time = '5'",
    "start_time > 1.5",
    "start_time > abc",
    "status = FINISHED",
    "status = 5",
    "attributes.run_id != \"abc\"",
    "params.`a b` = 'x'",
    'params."a b" = \'x\'',
    "params.'a b' = 'x'",
    "params.a.b.c = 'x'",
    'tags."mlflow.user" = \'x\'',
    "metrics.m>1",
    "metrics.m>=1AND params.p='x'",
    "metrics.m > 1 AND metrics.n > 2 OR metrics.o > 3",
    "   metrics.m > 1   ",
    "METRICS.m > 1",
    "Metrics.m > 1",
    "tags.t = 'a' AnD tags.u = 'b'",
    "tags.t = 'ünïcode'",
    "tags.ü = 'x'",
    "params.p LIKE 'a%' AND params.q ILIKE '%B'",
    "metrics.m RLIKE 1",
    "params.p RLIKE 'a'",
    "params.p REGEXP 'a'",
    "run_id IN ('a\\x41', 'b\\u00e9', 'c\\101', 'd\\q', 'e\\\\')",
    "run_id IN (\"it's\", 'x')",
    "run_id IN ('a', 'b', )",
    "run_id IN ('a' , 1.5)",
    "run_id IN ('a', True)",
    "run_id IN ('a', None)",
    "run_id IN (('a', 'b'))",
    "run_id IN (['a'])",
]

EXPERIMENT_FILTERS = [
    "name = 'a'",
    "name LIKE 'a%'",
    "name ILIKE '%A%'",
    "attribute.name != 'a'",
    "attributes.name = 'a'",
    "creation_time > 5",
    "last_update_time <= 5",
    "creation_time > 1.5",
    "creation_time = '5'",
    "experiment_id = '1'",
    "experiment_id IN ('1', '2')",
    "experiment_id NOT IN ('1')",
    "experiment_id = 1",
    "name IN ('a')",
    "tags.t = 'v'",
    "tag.t LIKE '%v'",
    "tags.t IS NULL",
    "tags.t IS NOT NULL",
    "name IS NULL",
    "metrics.m > 1",
    "`tags`.t = 'v'",
    "foo = 'a'",
    "name = 'a' OR name = 'b'",
    "name = 'a' x",
    "tags.`a.b` = 'v' AND name = 'x'",
    "lifecycle_stage = 'active'",
]

RUN_ORDER_BYS = [
    "metrics.acc",
    "metrics.acc DESC",
    "metrics.acc desc",
    "metrics.acc ASC",
    "metrics.acc asc",
    "metrics.`my acc` DESC",
    'metrics."my acc" DESC',
    "metrics.`my.acc`",
    "params.p",
    "param.p DESC",
    "tags.`mlflow.runName` ASC",
    "tags.t",
    "attributes.start_time DESC",
    "start_time",
    "created DESC",
    "Created",
    "run_name",
    "run_id ASC",
    "status",
    "user_id DESC",
    "end_time",
    "artifact_uri",
    "`run name`",
    "lifecycle_stage",
    "metrics.acc DESC extra",
    "metrics.acc foo",
    "metrics.acc DESC;",
    "",
    " metrics.acc",
    "timestamp",
    "timestamp DESC",
    "dataset.name",
    "foo.bar",
    "metrics.acc > 1",
    "metrics.acc NULLS LAST",
    "metrics.acc DESC NULLS LAST",
]

EXPERIMENT_ORDER_BYS = [
    "name",
    "name DESC",
    "experiment_id ASC",
    "creation_time DESC",
    "last_update_time",
    "attribute.name",
    "tags.t",
    "foo",
    "metrics.m",
]

PAGE_TOKENS = [
    "",
    base64.b64encode(b'{"offset": 10}').decode(),
    base64.b64encode(b'{"offset": "7"}').decode(),
    base64.b64encode(b'{"offset": 0}').decode(),
    base64.b64encode(b'{"offset": "x"}').decode(),
    base64.b64encode(b'{"foo": 1}').decode(),
    base64.b64encode(b'{"offset": null, "a": [true, 1.5]}').decode(),
    base64.b64encode(b"not json").decode(),
    base64.b64encode(b"it's").decode(),
    "abc",
    "abcde",
    "!!!!",
    "eyJvZmZzZXQiOiAxMH0",
]


def run(fn, arg):
    try:
        return {"ok": fn(arg)}
    except Exception as e:  # noqa: BLE001
        return {"error": str(getattr(e, "message", e)), "error_code": getattr(e, "error_code", None), "exc": type(e).__name__}


def clause_json(c):
    v = c["value"]
    if isinstance(v, tuple):
        v = list(v)
    return {"type": c["type"], "key": c["key"], "comparator": c["comparator"], "value": v}


def main():
    out = {
        "run_filters": [
            {"input": f, **run(lambda s: [clause_json(c) for c in SearchUtils.parse_search_filter(s)], f)}
            for f in RUN_FILTERS
        ],
        "experiment_filters": [
            {"input": f, **run(lambda s: [clause_json(c) for c in SearchExperimentsUtils.parse_search_filter(s)], f)}
            for f in EXPERIMENT_FILTERS
        ],
        "run_order_bys": [
            {"input": o, **run(lambda s: list(SearchUtils.parse_order_by_for_search_runs(s)), o)}
            for o in RUN_ORDER_BYS
        ],
        "experiment_order_bys": [
            {"input": o, **run(lambda s: list(SearchExperimentsUtils.parse_order_by_for_search_experiments(s)), o)}
            for o in EXPERIMENT_ORDER_BYS
        ],
        "page_tokens": [
            {"input": t, **run(SearchUtils.parse_start_offset_from_page_token, t)} for t in PAGE_TOKENS
        ],
        "created_tokens": {str(n): SearchUtils.create_page_token(n).decode() for n in (1, 1000, 123456)},
    }
    dest = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "unit", "search-parser-golden.json")
    with open(dest, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
