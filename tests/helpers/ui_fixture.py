"""Fills an MLflow database and artifact root through the real Python client, for the browser test
(tests/browser): an experiment with runs (metrics over steps, params, tags, a text file and an image
as artifacts), a registered model with two versions and an alias, a logged model and a trace.

Usage: python ui_fixture.py <sqlite db path> <artifact root dir>  -> prints the ids as JSON.
The client talks to the database directly (no server): what a Python MLflow server would have written.
"""

import json
import os
import struct
import sys
import zlib


def png(width=8, height=8):
    """A small red square as PNG bytes (no imaging library needed)."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main():
    db, root = sys.argv[1], sys.argv[2]
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{db}"
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    import mlflow
    from mlflow import MlflowClient

    client = MlflowClient()
    exp_id = client.create_experiment("ui-demo", artifact_location=os.path.join(root, "ui-demo"),
                                      tags={"team": "vision"})
    mlflow.set_experiment(experiment_id=exp_id)
    runs = {}
    for name, lr in (("alpha-run", "0.1"), ("beta-run", "0.01")):
        with mlflow.start_run(run_name=name) as run:
            mlflow.log_param("learning_rate", lr)
            mlflow.set_tag("stage", "ui-test")
            for step in range(10):
                mlflow.log_metric("train_loss", 1.0 / (step + 1) + float(lr), step=step)
            mlflow.log_metric("accuracy", 0.9 if name == "alpha-run" else 0.8)
            mlflow.log_text("hello from the ui test\nsecond line\n", "notes/readme.txt")
            tmp = os.path.join(root, f"{name}.png")
            with open(tmp, "wb") as f:
                f.write(png())
            mlflow.log_artifact(tmp, "images")
            runs[name] = run.info.run_id

    # a registered model with two versions and an alias
    model_name = "ui-registered-model"
    client.create_registered_model(model_name, description="registered by the ui test")
    for name in ("alpha-run", "beta-run"):
        rid = runs[name]
        client.create_model_version(model_name, f"runs:/{rid}/model", run_id=rid)
    client.set_registered_model_alias(model_name, "champion", "2")

    # a logged model and a trace
    with mlflow.start_run(run_id=runs["alpha-run"]):
        model = mlflow.create_external_model(name="ui-logged-model")

    @mlflow.trace(name="ui_traced_call")
    def traced(x):
        return x * 2

    traced(21)
    trace_id = mlflow.get_last_active_trace_id()
    print(json.dumps({"experiment_id": exp_id, "runs": runs, "model_name": model_name,
                      "logged_model_id": model.model_id, "trace_id": trace_id}))


if __name__ == "__main__":
    main()
