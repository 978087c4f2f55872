"""The real `mlflow` client's model registry and prompt APIs against each server."""

import pytest

T0 = 1_600_000_000_000

REGISTRY_RPCS = (
    "ModelRegistryService.createRegisteredModel",
    "ModelRegistryService.getRegisteredModel",
    "ModelRegistryService.updateRegisteredModel",
    "ModelRegistryService.renameRegisteredModel",
    "ModelRegistryService.deleteRegisteredModel",
    "ModelRegistryService.setRegisteredModelTag",
    "ModelRegistryService.deleteRegisteredModelTag",
    "ModelRegistryService.searchRegisteredModels",
    "ModelRegistryService.getLatestVersions",
    "ModelRegistryService.createModelVersion",
    "ModelRegistryService.getModelVersion",
    "ModelRegistryService.updateModelVersion",
    "ModelRegistryService.transitionModelVersionStage",
    "ModelRegistryService.deleteModelVersion",
    "ModelRegistryService.getModelVersionDownloadUri",
    "ModelRegistryService.searchModelVersions",
    "ModelRegistryService.setModelVersionTag",
    "ModelRegistryService.deleteModelVersionTag",
    "ModelRegistryService.setRegisteredModelAlias",
    "ModelRegistryService.deleteRegisteredModelAlias",
    "ModelRegistryService.getModelVersionByAlias",
)


def entity(v):
    """A registry entity as JSON (proto form, so every field is compared)."""
    from google.protobuf.json_format import MessageToDict

    if isinstance(v, list):
        return [entity(x) for x in v]
    return MessageToDict(v.to_proto(), preserving_proto_field_name=True) if v is not None else None


@pytest.mark.rpc(*REGISTRY_RPCS, case="both")
def test_client_model_registry(parity):
    def sc(s):
        c = s.client
        eid = c.create_experiment(s.name("exp"))
        run = c.create_run(eid, start_time=T0)
        rid = run.info.run_id
        name = s.name("model")
        s.attempt("create model", lambda: entity(c.create_registered_model(name, tags={"team": "a"}, description="d")))
        with s.fluent() as mlflow:
            # register_model with a model URI from the run's artifact location (what register_model
            # resolves runs:/<id>/<path> to when the run holds the model's files)
            s.attempt("register_model", lambda: entity(mlflow.register_model("s3://bucket/model-a", name)))
        s.attempt(
            "create version from run",
            lambda: entity(c.create_model_version(name, f"{run.info.artifact_uri}/model", run_id=rid, tags={"k": "v"}, description="from run")),
        )
        s.attempt("create version runs uri", lambda: entity(c.create_model_version(name, f"runs:/{rid}/model", run_id=rid)))
        s.attempt("create version bad source", lambda: entity(c.create_model_version(name, "/etc/passwd")))
        s.attempt("get version", lambda: entity(c.get_model_version(name, "2")))
        s.attempt("update version", lambda: entity(c.update_model_version(name, "2", description="new")))
        s.attempt("transition", lambda: entity(c.transition_model_version_stage(name, "2", "Production")))
        s.attempt("transition archive", lambda: entity(c.transition_model_version_stage(name, "3", "Production", archive_existing_versions=True)))
        s.attempt("latest", lambda: entity(c.get_latest_versions(name)))
        s.attempt("latest prod", lambda: entity(c.get_latest_versions(name, stages=["Production"])))
        s.attempt("set alias", lambda: c.set_registered_model_alias(name, "champion", "3"))
        s.attempt("by alias", lambda: entity(c.get_model_version_by_alias(name, "champion")))
        s.attempt("set mv tag", lambda: c.set_model_version_tag(name, "3", "reviewed", "yes"))
        s.attempt("delete mv tag", lambda: c.delete_model_version_tag(name, "2", "k"))
        s.attempt("set rm tag", lambda: c.set_registered_model_tag(name, "owner", "me"))
        s.attempt("delete rm tag", lambda: c.delete_registered_model_tag(name, "team"))
        s.attempt("download uri", lambda: c.get_model_version_download_uri(name, "2"))
        s.attempt("get model", lambda: entity(c.get_registered_model(name)))
        s.attempt("update model", lambda: entity(c.update_registered_model(name, description="updated")))
        s.attempt("search models", lambda: entity(list(c.search_registered_models(filter_string=f"name = '{name}'"))))
        s.attempt("search versions", lambda: entity(list(c.search_model_versions(f"name = '{name}'", order_by=["version_number ASC"]))))
        s.attempt("search versions by run", lambda: entity(list(c.search_model_versions(f"run_id = '{rid}'", order_by=["version_number"]))))
        with s.fluent() as mlflow:
            s.attempt("fluent search", lambda: entity(list(mlflow.search_registered_models(filter_string=f"name = '{name}'"))))
        s.attempt("delete alias", lambda: c.delete_registered_model_alias(name, "champion"))
        s.attempt("by missing alias", lambda: entity(c.get_model_version_by_alias(name, "champion")))
        s.attempt("delete version", lambda: c.delete_model_version(name, "1"))
        s.attempt("get deleted version", lambda: entity(c.get_model_version(name, "1")))
        s.attempt("rename", lambda: entity(c.rename_registered_model(name, s.name("renamed"))))
        s.attempt("get renamed", lambda: entity(c.get_registered_model(s.name("renamed"))))
        s.attempt("duplicate model", lambda: entity(c.create_registered_model(s.name("renamed"))))
        s.attempt("delete model", lambda: c.delete_registered_model(s.name("renamed")))
        s.attempt("get deleted model", lambda: entity(c.get_registered_model(s.name("renamed"))))

    parity.check(sc)


def prompt_view(p):
    if p is None:
        return None
    keep = ("name", "version", "template", "commit_message", "aliases", "tags", "response_format", "model_config")
    return {k: getattr(p, k, None) for k in keep if not callable(getattr(p, k, None))}


@pytest.mark.rpc(
    "ModelRegistryService.createRegisteredModel",
    "ModelRegistryService.createModelVersion",
    "ModelRegistryService.getModelVersion",
    "ModelRegistryService.setRegisteredModelAlias",
    "ModelRegistryService.getModelVersionByAlias",
    "ModelRegistryService.searchRegisteredModels",
    case="both",
)
def test_client_prompts(parity):
    def sc(s):
        name = s.name("prompt").replace("-", "_")
        with s.fluent() as mlflow:
            s.attempt("register v1", lambda: prompt_view(mlflow.genai.register_prompt(name, "Hello {{name}}!", commit_message="first", tags={"lang": "en"})))
            s.attempt("register v2", lambda: prompt_view(mlflow.genai.register_prompt(name, "Hi {{name}}, {{greeting}}")))
            s.attempt("load v1", lambda: prompt_view(mlflow.genai.load_prompt(f"prompts:/{name}/1")))
            s.attempt("load by name+version", lambda: prompt_view(mlflow.genai.load_prompt(name, version=2)))
            s.attempt("set alias", lambda: mlflow.genai.set_prompt_alias(name, "production", 1))
            s.attempt("load alias", lambda: prompt_view(mlflow.genai.load_prompt(f"prompts:/{name}@production")))
            s.attempt("load latest", lambda: prompt_view(mlflow.genai.load_prompt(f"prompts:/{name}@latest")))
            s.attempt("delete alias", lambda: mlflow.genai.delete_prompt_alias(name, "production"))
            s.attempt("load missing alias", lambda: prompt_view(mlflow.genai.load_prompt(f"prompts:/{name}@production")))
            s.attempt("load missing version", lambda: prompt_view(mlflow.genai.load_prompt(f"prompts:/{name}/9")))
            # inside a run, loading links the prompt version to the run (a run tag, written by the client)
            mlflow.set_experiment(s.name("prompt-exp"))
            with mlflow.start_run() as run:
                s.attempt("load in run", lambda: prompt_view(mlflow.genai.load_prompt(f"prompts:/{name}/2")))
            s.attempt("run linked prompts", lambda: s.client.get_run(run.info.run_id).data.tags.get("mlflow.linkedPrompts"))
            s.attempt("search prompts", lambda: [p.name for p in mlflow.genai.search_prompts(filter_string=f"name = '{name}'")])
            # a prompt is not a model: the model APIs do not list it, and names do not mix
            s.attempt("models search", lambda: [m.name for m in s.client.search_registered_models(filter_string=f"name = '{name}'")])
            s.attempt("model with prompt name", lambda: s.client.create_registered_model(name).name)

    parity.check(sc)
