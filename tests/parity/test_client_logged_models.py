"""The real client's logged models against each server: `mlflow.sklearn.log_model` / `load_model`
with nothing proxied (mlflow-ts standalone), `mlflow.search_logged_models`, and a logged model's
params, tags, metrics and status through the fluent API and MlflowClient."""

import time

import pytest
from google.protobuf.json_format import MessageToDict

from test_http_logged_model_artifacts import sklearn_scenario

LOGGED_MODEL_RPCS = (
    "MlflowService.createLoggedModel",
    "MlflowService.getLoggedModel",
    "MlflowService.finalizeLoggedModel",
    "MlflowService.searchLoggedModels",
    "MlflowService.setLoggedModelTags",
    "MlflowService.deleteLoggedModelTag",
    "MlflowService.LogLoggedModelParams",
    "MlflowService.deleteLoggedModel",
    "MlflowService.logOutputs",
)


def model_view(m):
    """A LoggedModel as JSON, tags and params as sorted dicts, metrics sorted."""
    d = MessageToDict(m.to_proto(), preserving_proto_field_name=True)
    info = d.get("info", {})
    info["tags"] = {t["key"]: t.get("value", "") for t in info.get("tags", [])}
    data = d.get("data", {})
    data["params"] = {p["key"]: p.get("value", "") for p in data.get("params", [])}
    data["metrics"] = sorted(data.get("metrics", []), key=lambda x: (x["key"], x.get("step", 0)))
    return d


@pytest.mark.rpc(*LOGGED_MODEL_RPCS, case="ok")
def test_sklearn_log_model_standalone(parity):
    """`mlflow.sklearn.log_model` then `load_model`, served without a Python child on the candidate."""
    parity.check(sklearn_scenario)


@pytest.mark.rpc(*LOGGED_MODEL_RPCS, case="ok")
def test_fluent_logged_models(parity):
    def sc(s):
        with s.fluent() as mlflow:
            exp = mlflow.set_experiment(s.name("lm"))
            with mlflow.start_run() as run:
                created = []
                for i, (name, kind) in enumerate([("alpha", "sk"), ("beta", "torch"), ("gamma", "sk")]):
                    time.sleep(0.005)
                    m = mlflow.initialize_logged_model(name=name, model_type=kind, tags={"i": str(i)},
                                                       params={"lr": str(0.1 * (i + 1))})
                    created.append(m)
                    mlflow.log_metric("acc", 0.5 + i / 10, step=1, model_id=m.model_id)
                    mlflow.log_metric("acc", 0.1, step=0, model_id=m.model_id)
                alpha, beta, gamma = created
                mlflow.log_model_params({"extra": "x"}, model_id=alpha.model_id)
                mlflow.set_logged_model_tags(alpha.model_id, {"team": "red", "i": "changed"})
                mlflow.delete_logged_model_tag(alpha.model_id, "team")
                mlflow.finalize_logged_model(alpha.model_id, "READY")
                mlflow.finalize_logged_model(beta.model_id, "FAILED")
                s.attempt("external model", lambda: model_view(mlflow.create_external_model(name="ext")))
            s.observe("get", model_view(mlflow.get_logged_model(alpha.model_id)))
            s.observe("last_logged_model", mlflow.last_logged_model().name)
            listed = mlflow.search_logged_models(experiment_ids=[exp.experiment_id], output_format="list",
                                                 order_by=[{"field_name": "name"}])
            s.observe("search list", [model_view(m) for m in listed])
            df = mlflow.search_logged_models(experiment_ids=[exp.experiment_id],
                                             filter_string="metrics.acc > 0.55 AND params.lr != '0.3'")
            s.observe("search DataFrame", sorted(df["name"].tolist()))
            s.observe("search by status", [m.name for m in mlflow.search_logged_models(
                experiment_ids=[exp.experiment_id], filter_string="status = 'READY'", output_format="list")])
            s.observe("ordered by metric", [m.name for m in mlflow.search_logged_models(
                experiment_ids=[exp.experiment_id], output_format="list",
                order_by=[{"field_name": "metrics.acc", "ascending": False}])])
            client = s.client
            page = client.search_logged_models(experiment_ids=[exp.experiment_id], max_results=2)
            s.observe("page 1", [m.name for m in page])
            page2 = client.search_logged_models(experiment_ids=[exp.experiment_id], max_results=2,
                                                page_token=page.token)
            s.observe("page 2", [m.name for m in page2])
            s.attempt("delete", lambda: client.delete_logged_model(gamma.model_id))
            s.attempt("get deleted", lambda: client.get_logged_model(gamma.model_id))
            s.attempt("get missing", lambda: client.get_logged_model("m-00000000000000000000000000000000"))
            s.attempt("bad name", lambda: client.create_logged_model(exp.experiment_id, name="a/b"))
            r = client.get_run(run.info.run_id)
            s.observe("run outputs", sorted(o.step for o in r.outputs.model_outputs) if r.outputs else None)

    parity.check(sc)
