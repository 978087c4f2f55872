"""Raw HTTP: a logged model's artifacts (ListLoggedModelArtifacts and the UI's
`logged-models/<id>/artifacts/files`), native in mlflow-ts.

Logged models themselves are created through the Python server here: the candidate is mlflow-ts
with its Python child (createLoggedModel is not native yet), reading what the child created.
Model ids differ between the two sides and are replaced by `<model>` in what is compared.
"""

import json
import os

import pytest

from conftest import DIALECTS, open_pair
from test_http_artifacts import A, raw, new_run

FILES = {
    "MLmodel": b"artifact_path: model\nflavors: {}\n",
    "model.pkl": b"\x80\x04" + b"\x00" * 30,
    "sub/page.html": b"<html><script>alert(1)</script></html>",
    "sub/deeper/data.json": b'{"a": 1}',
}


@pytest.fixture(scope="module", params=DIALECTS)
def server_pair(request, tmp_path_factory):
    yield from open_pair(request.param, tmp_path_factory, "parity-lm", kind="ts-proxy")


def logged_model(s):
    run_id, _ = new_run(s, suffix="lm")
    _, exp = s.get("/mlflow/runs/get", {"run_id": run_id}, record=False)
    eid = exp["run"]["info"]["experiment_id"]
    _, out = s.post("/mlflow/logged-models", {"experiment_id": eid, "name": "m", "source_run_id": run_id}, record=False)
    model = out["model"]["info"]
    root = model["artifact_uri"].removeprefix("mlflow-artifacts:/").lstrip("/")
    for name, content in FILES.items():
        raw(s, "PUT", f"{A}/artifacts/{root}/{name}", data=content, label=f"upload {name}")
    return model["model_id"]


def masked(model_id):
    def transform(body):
        return json.loads(json.dumps(body).replace(model_id, "<model>"))

    return transform


@pytest.mark.rpc("MlflowService.listLoggedModelArtifacts", "GET /ajax-api/2.0/mlflow/logged-models/<model_id>/artifacts/files", case="both")
def test_logged_model_artifacts(parity):
    def sc(s):
        mid = logged_model(s)
        lm = f"/mlflow/logged-models/{mid}/artifacts"
        for prefix in ("/api/2.0", "/ajax-api/2.0"):
            s.get(f"{lm}/directories", prefix=prefix, transform=masked(mid), label=f"list root {prefix}")
        s.get(f"{lm}/directories", {"artifact_directory_path": "sub"}, transform=masked(mid), label="list sub")
        s.get(f"{lm}/directories", {"artifact_directory_path": "sub/deeper/"}, transform=masked(mid), label="list deeper")
        s.get(f"{lm}/directories", {"artifact_directory_path": "missing"}, transform=masked(mid), label="list missing")
        s.get(f"{lm}/directories", {"artifact_directory_path": "MLmodel"}, transform=masked(mid), label="list a file")
        for name, content in FILES.items():
            status, body = raw(s, "GET", f"{lm}/files", prefix="/ajax-api/2.0", params={"artifact_file_path": name}, label=f"file {name}")
            assert (status, body) == (200, content)
        # errors
        raw(s, "GET", f"{lm}/files", prefix="/ajax-api/2.0", label="no artifact_file_path")
        raw(s, "GET", f"{lm}/files", prefix="/ajax-api/2.0", params={"artifact_file_path": ""}, label="empty path")
        raw(s, "GET", f"{lm}/files", prefix="/ajax-api/2.0", params={"artifact_file_path": "nope"}, label="missing file")
        raw(s, "GET", f"{lm}/files", prefix="/ajax-api/2.0", params={"artifact_file_path": "sub"}, label="a directory")
        for bad in ("../../x", "/etc/passwd", "%2e%2e/x", "sub/../../x"):
            raw(s, "GET", f"{lm}/files", prefix="/ajax-api/2.0", params={"artifact_file_path": bad}, label=f"path {bad}")
            s.get(f"{lm}/directories", {"artifact_directory_path": bad}, transform=masked(mid), label=f"list {bad}")
        raw(s, "GET", f"{lm}/files", prefix="/ajax-api/2.0", params={"artifact_file_path": "MLmodel", "presigned": "true"},
            label="presigned on local storage")
        missing = "/mlflow/logged-models/m-00000000000000000000000000000000/artifacts"
        raw(s, "GET", f"{missing}/files", prefix="/ajax-api/2.0", params={"artifact_file_path": "MLmodel"}, label="missing model")
        s.get(f"{missing}/directories", label="list of a missing model")

    parity.check(sc)


@pytest.mark.rpc("GET /model-versions/get-artifact", case="both")
def test_model_version_of_a_logged_model(parity):
    """MLflow 3: `log_model` stores the files with a logged model, and the version's `runs:/<run>/<name>`
    source is read from that logged model when the run itself has no such path."""

    def sc(s):
        root = os.path.join(str(s.server.workdir), "lm-roots", s.name())
        _, out = s.post("/mlflow/experiments/create", {"name": s.name("e"), "artifact_location": root}, record=False)
        eid = out["experiment_id"]
        _, out = s.post("/mlflow/runs/create", {"experiment_id": eid, "start_time": 1_600_000_000_000}, record=False)
        run_id = out["run"]["info"]["run_id"]
        _, out = s.post("/mlflow/logged-models", {"experiment_id": eid, "name": "model", "source_run_id": run_id}, record=False)
        location = out["model"]["info"]["artifact_uri"].removeprefix("file://")
        os.makedirs(location, exist_ok=True)
        mlmodel = b"artifact_path: model\nflavors: {}\nmodel_id: x\n"
        with open(os.path.join(location, "MLmodel"), "wb") as f:
            f.write(mlmodel)
        name = s.name("registered")
        s.post("/mlflow/registered-models/create", {"name": name})
        s.post("/mlflow/model-versions/create", {"name": name, "source": f"runs:/{run_id}/model", "run_id": run_id},
               record=False)
        mv = "/model-versions/get-artifact"
        status, body = raw(s, "GET", mv, prefix="", params={"name": name, "version": "1", "path": "MLmodel"})
        assert (status, body) == (200, mlmodel), (status, body[:300])
        raw(s, "GET", mv, prefix="", params={"name": name, "version": "1", "path": "nope"}, label="missing in both")
        s.post("/mlflow/model-versions/create", {"name": name, "source": f"runs:/{run_id}/other", "run_id": run_id},
               record=False)
        raw(s, "GET", mv, prefix="", params={"name": name, "version": "2", "path": "MLmodel"}, label="no such logged model")

    parity.check(sc)


@pytest.mark.rpc("MlflowArtifactsService.uploadArtifact", "MlflowArtifactsService.downloadArtifact",
                 "MlflowService.listLoggedModelArtifacts", case="ok")
def test_sklearn_log_model_and_load_model(parity):
    """The real client: `mlflow.sklearn.log_model` (MLflow 3: a logged model, its files uploaded
    through the mlflow-artifacts service) and `load_model` back, by the model's URI and by runs:/."""
    parity.check(sklearn_scenario)


def sklearn_scenario(s):
    import numpy as np
    from sklearn.linear_model import LinearRegression

    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    reg = LinearRegression().fit(x, np.array([1.0, 3.0, 5.0, 7.0]))
    with s.fluent() as mlflow:
        mlflow.set_experiment(s.name("sk"))
        with mlflow.start_run() as run:
            info = mlflow.sklearn.log_model(reg, name="model", input_example=x[:2])
        s.observe("model artifacts", sorted(
            a.path for a in mlflow.artifacts.list_artifacts(artifact_uri=info.model_uri)))
        for uri in (info.model_uri, f"runs:/{run.info.run_id}/model"):
            loaded = mlflow.sklearn.load_model(uri)
            s.observe(f"prediction via {uri.split(':')[0]}", [round(float(v), 6) for v in loaded.predict(np.array([[4.0]]))])
        pyfunc = mlflow.pyfunc.load_model(info.model_uri)
        s.observe("pyfunc prediction", [round(float(v), 6) for v in pyfunc.predict(np.array([[5.0]]))])
