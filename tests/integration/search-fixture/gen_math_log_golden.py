"""math.log and calculate_npmi_from_counts of the pinned MLflow -> golden JSON (tests/unit/math-log.test.ts).

    .venv/bin/python tests/integration/search-fixture/gen_math_log_golden.py > tests/unit/math-log-golden.json
"""
import json
import math
import random

from mlflow.store.analytics.trace_correlation import calculate_npmi_from_counts

rng = random.Random(7)
logs = [[k / 2, math.log(k / 2)] for k in range(1, 6001)]
logs += [[x, math.log(x)] for x in (rng.uniform(1e-3, 1e7) for _ in range(3000))]
npmi = []
for _ in range(3000):
    total = rng.randint(0, 400)
    f1 = rng.randint(0, total)
    f2 = rng.randint(0, total)
    joint = rng.randint(max(0, f1 + f2 - total), min(f1, f2)) if total else 0
    r = calculate_npmi_from_counts(joint, f1, f2, total)
    nan = lambda v: None if v is None or math.isnan(v) else v  # noqa: E731
    npmi.append([joint, f1, f2, total, nan(r.npmi), nan(r.npmi_smoothed)])
print(json.dumps({"logs": logs, "npmi": npmi}))
