"""Python MLflow's side of the logged-model cross-reading test
(tests/integration/logged-models-crossread.test.ts).

  logged_model_crossread.py read URI  < {"model_ids": [...], "experiment_ids": [...], "run_ids": [...]}
      prints what MlflowClient reads (get_logged_model with allow_deleted semantics of the store,
      search_logged_models, and the runs' model outputs) as MLflow's proto JSON parsed back;
  logged_model_crossread.py write URI
      creates logged models with MlflowClient (params, tags, metrics, statuses, a deleted one, a
      run output) and prints their ids.
"""

import json
import sys

from mlflow.entities import LoggedModelOutput, Metric
from mlflow.tracking import MlflowClient
from mlflow.utils.proto_json_utils import message_to_json


def as_json(entity):
    return json.loads(message_to_json(entity.to_proto()))


def read(uri):
    req = json.load(sys.stdin)
    client = MlflowClient(tracking_uri=uri)
    store = client._tracking_client.store
    out = {
        "models": [as_json(store.get_logged_model(m, allow_deleted=True)) for m in req["model_ids"]],
        "search": [as_json(m) for m in client.search_logged_models(experiment_ids=req["experiment_ids"])],
        "filtered": [
            m.model_id
            for m in client.search_logged_models(
                experiment_ids=req["experiment_ids"], filter_string="metrics.acc > 0.5 AND tags.team = 'red'"
            )
        ],
        "outputs": [
            [as_json(o) for o in client.get_run(r).outputs.model_outputs] for r in req["run_ids"]
        ],
    }
    json.dump(out, sys.stdout)


def write(uri):
    client = MlflowClient(tracking_uri=uri)
    exp_id = client.create_experiment("py-models")
    run = client.create_run(exp_id, start_time=1000)
    run_id = run.info.run_id
    a = client.create_logged_model(exp_id, name="py-a", source_run_id=run_id, model_type="sk",
                                   params={"lr": "0.1"}, tags={"team": "red"})
    b = client.create_logged_model(exp_id, name="py-b")
    client.log_batch(run_id, metrics=[
        Metric("acc", 0.9, 10, 1, model_id=a.model_id, dataset_name="eval", dataset_digest="d1"),
        Metric("acc", 0.2, 10, 1, model_id=b.model_id),
    ])
    client.log_model_params(a.model_id, {"depth": "3"})
    client.set_logged_model_tags(b.model_id, {"team": "blue"})
    client.finalize_logged_model(a.model_id, "READY")
    c = client.create_logged_model(exp_id, name="py-c")
    client.delete_logged_model(c.model_id)
    client.log_outputs(run_id, [LoggedModelOutput(a.model_id, 4)])
    json.dump({"experiment_id": exp_id, "run_id": run_id, "model_ids": [a.model_id, b.model_id, c.model_id]},
              sys.stdout)


if __name__ == "__main__":
    {"read": read, "write": write}[sys.argv[1]](sys.argv[2])
