"""Runs mlflow.utils.validation of the pinned release on the cases read from stdin and prints, per
case, the message it raises (or its result). Used by tests/unit/tracking-validation.test.ts.
Cases: [{"fn": name, "args": [...]}]; results: [{"error": message} | {"ok": value}].
"""

import json
import sys

from mlflow.entities import Dataset, DatasetInput, InputTag, Param
from mlflow.exceptions import MlflowException
from mlflow.utils import validation as v


def run(fn, args):
    if fn == "metric":
        key, value, timestamp, step, path = args
        # Over the server the value comes from the proto: always a float.
        if isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        return v._validate_metric(key, value, timestamp, step, path=path)
    if fn == "param":
        key, value, path = args
        p = v._validate_param(key, value, path=path)
        return [p.key, p.value]
    if fn == "tag":
        key, value, path = args
        t = v._validate_tag(key, value, path=path)
        return [t.key, t.value]
    if fn == "experiment_tag":
        return v._validate_experiment_tag(*args)
    if fn == "experiment_name":
        return v._validate_experiment_name(*args)
    if fn == "run_id":
        return v._validate_run_id(*args)
    if fn == "batch_limits":
        m, p, t = args
        return v._validate_batch_log_limits([0] * m, [0] * p, [0] * t)
    if fn == "param_keys_unique":
        return v._validate_param_keys_unique([Param(k, "v") for k in args[0]])
    if fn == "datasets":
        inputs = [
            DatasetInput(Dataset(**d["dataset"]), tags=[InputTag(t["key"], t["value"]) for t in d.get("tags", [])])
            for d in args[0]
        ]
        return v._validate_dataset_inputs(inputs)
    raise ValueError(fn)


def main():
    out = []
    for case in json.load(sys.stdin):
        try:
            out.append({"ok": run(case["fn"], case["args"])})
        except MlflowException as e:
            out.append({"error": e.message, "code": e.error_code})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
