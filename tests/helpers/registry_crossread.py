"""Python MLflow's side of the registry cross-reading tests (tests/integration/registry-crossread.test.ts).

  registry_crossread.py read URI   < {"models": [...], "versions": [[name, version], ...],
                                      "aliases": [[name, alias], ...], "latest": [...],
                                      "search_models": [filter, ...], "search_versions": [filter, ...]}
      prints what MLflow's registry store reads at URI, as MLflow's proto JSON parsed back;
  registry_crossread.py write URI
      writes registered models, versions, tags, aliases, stages, a rename, deletes and a prompt, and
      prints the names it used.
"""

import json
import sys

from mlflow.entities.model_registry import ModelVersionTag, RegisteredModelTag
from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore
from mlflow.utils.proto_json_utils import message_to_json

# The registry store itself (what the server runs): MlflowClient's model API refuses prompts.


def as_json(entity):
    return json.loads(message_to_json(entity.to_proto()))


def read(uri):
    req = json.load(sys.stdin)
    client = SqlAlchemyStore(uri)
    out = {
        "models": [as_json(client.get_registered_model(n)) for n in req["models"]],
        "versions": [as_json(client.get_model_version(n, v)) for n, v in req["versions"]],
        "aliases": [as_json(client.get_model_version_by_alias(n, a)) for n, a in req["aliases"]],
        "latest": [[as_json(v) for v in client.get_latest_versions(n)] for n in req["latest"]],
        "search_models": [
            [as_json(m) for m in client.search_registered_models(filter_string=f, order_by=["name"])]
            for f in req["search_models"]
        ],
        "search_versions": [
            [as_json(v) for v in client.search_model_versions(filter_string=f, order_by=["name", "version_number"])]
            for f in req["search_versions"]
        ],
    }
    json.dump(out, sys.stdout)


def write(uri):
    store = SqlAlchemyStore(uri)

    def rm_tags(d):
        return [RegisteredModelTag(k, v) for k, v in d.items()]

    def mv_tags(d):
        return [ModelVersionTag(k, v) for k, v in d.items()]

    a, b = "py-model-a", "py-model-b"
    store.create_registered_model(a, tags=rm_tags({"team": "py", "z": "1"}), description="written by python")
    for i in range(4):
        store.create_model_version(a, f"s3://bucket/a/{i}", tags=mv_tags({"i": str(i)}), description=f"v{i}")
    store.transition_model_version_stage(a, "2", "Staging", archive_existing_versions=False)
    store.transition_model_version_stage(a, "4", "Archived", archive_existing_versions=False)
    store.set_registered_model_alias(a, "champion", "3")
    store.set_registered_model_alias(a, "b-alias", "3")
    store.set_model_version_tag(a, "1", ModelVersionTag("reviewed", "yes"))
    store.delete_model_version(a, "1")
    store.create_registered_model("py-model-old")
    store.create_model_version("py-model-old", "s3://bucket/old", tags=mv_tags({"k": "v"}))
    store.set_registered_model_alias("py-model-old", "only", "1")
    store.rename_registered_model("py-model-old", b)
    store.create_registered_model(
        "py-prompt", tags=rm_tags({"mlflow.prompt.is_prompt": "true", "_mlflow_prompt_type": "text"})
    )
    store.create_model_version(
        "py-prompt",
        "dummy-source",
        tags=mv_tags({"mlflow.prompt.is_prompt": "true", "mlflow.prompt.text": "Hello {{x}}"}),
    )
    json.dump({"models": [a, b], "prompt": "py-prompt"}, sys.stdout)


def logged_model(uri):
    """Creates a run and a logged model from it; prints their ids and the model's artifact location."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    exp = client.create_experiment("py-logged-models")
    run = client.create_run(exp)
    model = client.create_logged_model(exp, name="lm", source_run_id=run.info.run_id)
    json.dump(
        {"run_id": run.info.run_id, "model_id": model.model_id, "artifact_location": model.artifact_location},
        sys.stdout,
    )


def logged_model_tags(uri):
    """Prints the tags of the logged model whose id is read from stdin."""
    from mlflow.tracking import MlflowClient

    model_id = json.load(sys.stdin)["model_id"]
    json.dump(MlflowClient(tracking_uri=uri).get_logged_model(model_id).tags, sys.stdout)


if __name__ == "__main__":
    commands = {"read": read, "write": write, "logged-model": logged_model, "logged-model-tags": logged_model_tags}
    commands[sys.argv[1]](sys.argv[2])
