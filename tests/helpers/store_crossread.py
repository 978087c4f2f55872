"""Python MLflow's side of the cross-reading tests (tests/integration/tracking-crossread.test.ts).

  store_crossread.py read URI   < {"experiment_ids": [...], "run_ids": [...], "histories": [[run_id, key], ...]}
      prints what MlflowClient reads, as MLflow's proto JSON (message_to_json) parsed back;
  store_crossread.py write URI
      writes experiments / runs / metrics / params / tags / inputs with MlflowClient and prints their ids.
"""

import json
import math
import sys

from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param, RunTag
from mlflow.tracking import MlflowClient
from mlflow.utils.proto_json_utils import message_to_json


def as_json(entity):
    return json.loads(message_to_json(entity.to_proto()))


def read(uri):
    req = json.load(sys.stdin)
    client = MlflowClient(tracking_uri=uri)
    out = {
        "experiments": [as_json(client.get_experiment(e)) for e in req["experiment_ids"]],
        "experiment_by_name": [as_json(client.get_experiment_by_name(n)) for n in req.get("experiment_names", [])],
        "runs": [as_json(client.get_run(r)) for r in req["run_ids"]],
        "histories": [
            [as_json(m) for m in client.get_metric_history(run_id, key)] for run_id, key in req["histories"]
        ],
    }
    json.dump(out, sys.stdout)


def write(uri):
    client = MlflowClient(tracking_uri=uri)
    exp_id = client.create_experiment("py-written", tags={"team": "py", "n": "1"})
    run = client.create_run(exp_id, start_time=1000, tags={"src": "python"}, run_name="py-run")
    run_id = run.info.run_id
    client.log_batch(
        run_id,
        metrics=[
            Metric("loss", 0.5, 10, 0),
            Metric("loss", 0.25, 20, 1),
            Metric("loss", float("nan"), 30, 2),
            Metric("acc", float("inf"), 10, 0),
            Metric("acc", -1.5, 11, 0),
        ],
        params=[Param("lr", "0.01"), Param("layers", "3")],
        tags=[RunTag("k", "v"), RunTag("mlflow.runName", "py-renamed")],
    )
    client.log_inputs(
        run_id,
        [
            DatasetInput(
                Dataset(name="ds", digest="abc", source_type="local", source='{"uri": "x"}', schema="s"),
                tags=[InputTag("mlflow.data.context", "training")],
            )
        ],
    )
    client.set_terminated(run_id, status="FINISHED", end_time=5000)
    deleted = client.create_run(exp_id, start_time=2000)
    client.delete_run(deleted.info.run_id)
    json.dump({"experiment_id": exp_id, "run_id": run_id, "deleted_run_id": deleted.info.run_id}, sys.stdout)


if __name__ == "__main__":
    {"read": read, "write": write}[sys.argv[1]](sys.argv[2])
