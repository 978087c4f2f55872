"""Random filter strings through the pinned MLflow parsers (runs, experiments, order_by) -> golden JSON.

    PYTHONHASHSEED=0 .venv/bin/python tests/integration/search-fixture/gen_parser_fuzz.py 1 tests/unit/search-parser-fuzz-golden.json
"""
import json, random, sys
from mlflow.utils.search_utils import SearchUtils, SearchExperimentsUtils
rng = random.Random(int(sys.argv[1]))
frags = ["metrics.acc", "params.p", "tags.t", "attributes.status", "status", "run_id", "start_time", "dataset.name",
         "tags.`a b`", 'params."x y"', "metric.'q'", "`run name`", "created", "foo.bar", "name", "x",
         "=", "!=", ">", ">=", "<", "<=", "==", "<>", "LIKE", "ilike", "NOT LIKE", "IN", "NOT IN", "IS", "NULL", "NOT NULL", "IS NOT NULL",
         "AND", "and", "OR", "NOT", "(", ")", ",", ";", "'a'", '"b"', "'%c%'", "1", "-2", "3.5", "1e3", ".5", "('a','b')", "('a')", "()",
         "(1, 2)", "abc", "`q`", "*", "-", "+", "/", "'", "\"", "ASC", "DESC", "timestamp", "select", "''", "'it''s'"]
out = []
for i in range(800):
    n = rng.randint(1, 7)
    s = " ".join(rng.choice(frags) for _ in range(n))
    if rng.random() < 0.3: s = s.replace(" ", "", rng.randint(0, 3))
    rec = {"input": s}
    for name, fn in (("run", SearchUtils.parse_search_filter), ("exp", SearchExperimentsUtils.parse_search_filter)):
        try:
            r = fn(s)
            rec[name] = {"ok": [{"type": c["type"], "key": c["key"], "comparator": c["comparator"], "value": list(c["value"]) if isinstance(c["value"], tuple) else c["value"]} for c in r]}
        except Exception as e:
            rec[name] = {"error": str(getattr(e, "message", e)), "exc": type(e).__name__}
    try:
        r = SearchUtils.parse_order_by_for_search_runs(s)
        rec["order"] = {"ok": list(r)}
    except Exception as e:
        rec["order"] = {"error": str(getattr(e, "message", e)), "exc": type(e).__name__}
    out.append(rec)
json.dump(out, open(sys.argv[2], "w"))
