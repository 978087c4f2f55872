"""The real `mlflow` Python client (MlflowClient and the fluent API) against each server."""

import time

import numpy as np
import pandas as pd
import pytest

T0 = 1_600_000_000_000
MISSING_RUN = "0123456789abcdef0123456789abcdef"

FLUENT_RPCS = (
    "MlflowService.getExperimentByName",
    "MlflowService.createExperiment",
    "MlflowService.createRun",
    "MlflowService.updateRun",
    "MlflowService.getRun",
    "MlflowService.logParam",
    "MlflowService.logMetric",
    "MlflowService.logBatch",
    "MlflowService.setTag",
    "MlflowService.searchRuns",
)


def run_view(run):
    """A Run as JSON, with tags as a sorted dict (the client returns them as a dict anyway)."""
    from google.protobuf.json_format import MessageToDict

    d = MessageToDict(run.to_proto(), preserving_proto_field_name=True)
    return d


@pytest.mark.rpc(*FLUENT_RPCS, case="ok")
def test_fluent_nested_runs_and_search(parity):
    def sc(s):
        with s.fluent() as mlflow:
            exp = mlflow.set_experiment(s.name("fluent"))
            s.observe("set_experiment", exp)
            with mlflow.start_run(run_name="parent") as parent:
                mlflow.log_param("lr", 0.01)
                mlflow.log_params({"opt": "adam", "layers": 3})
                mlflow.log_metric("loss", 0.5, step=0)
                mlflow.log_metric("loss", 0.25, step=1)
                mlflow.log_metrics({"acc": 0.9, "f1": 0.8}, step=1)
                mlflow.set_tag("stage", "dev")
                mlflow.set_tags({"a": 1, "b": "two"})
                for i in range(2):
                    time.sleep(0.01)  # distinct start times: search order is by start time
                    with mlflow.start_run(run_name=f"child_{i}", nested=True):
                        mlflow.log_metric("child_metric", i)
                        mlflow.log_param("idx", i)
                time.sleep(0.01)
                with mlflow.start_run(nested=True) as unnamed:  # a generated name
                    mlflow.log_metric("x", 1)
            client = s.client
            s.observe("parent run", run_view(client.get_run(parent.info.run_id)))
            s.observe("unnamed child", run_view(client.get_run(unnamed.info.run_id)))
            df = mlflow.search_runs(experiment_ids=[exp.experiment_id], order_by=["attributes.start_time ASC"])
            s.observe("search_runs DataFrame", df)
            df2 = mlflow.search_runs(
                experiment_ids=[exp.experiment_id],
                filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
                order_by=["attributes.start_time DESC"],  # not run_name: one name is random
            )
            s.observe("children DataFrame", df2)
            s.observe(
                "search_runs as list",
                [run_view(r) for r in mlflow.search_runs(
                    experiment_names=[s.name("fluent")], output_format="list", order_by=["start_time DESC"]
                )],
            )
            s.observe("last_active_run", mlflow.last_active_run().info.run_name)

    parity.check(sc)


@pytest.mark.rpc(
    "MlflowService.createExperiment",
    "MlflowService.getExperiment",
    "MlflowService.getExperimentByName",
    "MlflowService.searchExperiments",
    "MlflowService.setExperimentTag",
    "MlflowService.deleteExperimentTag",
    "MlflowService.updateExperiment",
    "MlflowService.deleteExperiment",
    "MlflowService.restoreExperiment",
    case="both",
)
def test_client_experiments(parity):
    def sc(s):
        c = s.client
        eid = s.attempt("create", lambda: c.create_experiment(s.name("c1"), tags={"team": "x", "n": "1"}))
        s.attempt("create 2", lambda: c.create_experiment(s.name("c2"), artifact_location="/tmp/elsewhere"))
        s.attempt("get", lambda: c.get_experiment(eid))
        s.attempt("get by name", lambda: c.get_experiment_by_name(s.name("c1")))
        s.attempt("get by missing name", lambda: c.get_experiment_by_name(s.name("missing")))
        s.attempt("set tag", lambda: c.set_experiment_tag(eid, "k", "v"))
        s.attempt("delete tag", lambda: c.delete_experiment_tag(eid, "team"))
        s.attempt("rename", lambda: c.rename_experiment(eid, s.name("c1-renamed")))
        s.attempt("get after", lambda: c.get_experiment(eid))
        like = f"name LIKE '{s.name('c')}%'"
        s.attempt("search", lambda: c.search_experiments(filter_string=like, order_by=["name"]))
        s.attempt("search paged", lambda: c.search_experiments(filter_string=like, max_results=1, order_by=["name"]))
        s.attempt("delete", lambda: c.delete_experiment(eid))
        s.attempt("search deleted", lambda: c.search_experiments(filter_string=like, view_type=2))
        s.attempt("search all", lambda: c.search_experiments(filter_string=like, view_type=3, order_by=["name DESC"]))
        s.attempt("restore", lambda: c.restore_experiment(eid))
        # errors
        s.attempt("create duplicate", lambda: c.create_experiment(s.name("c2")))
        s.attempt("get missing", lambda: c.get_experiment("987654321"))
        s.attempt("rename missing", lambda: c.rename_experiment("987654321", "x"))
        s.attempt("bad search", lambda: c.search_experiments(filter_string="name ~ 'x'"))
        s.attempt("bad tag", lambda: c.set_experiment_tag(eid, "", "v"))
        with s.fluent() as mlflow:
            s.attempt("fluent search_experiments", lambda: mlflow.search_experiments(filter_string=like, order_by=["name"]))

    parity.check(sc)


@pytest.mark.rpc(
    "MlflowService.createRun",
    "MlflowService.getRun",
    "MlflowService.logBatch",
    "MlflowService.logMetric",
    "MlflowService.logParam",
    "MlflowService.setTag",
    "MlflowService.deleteTag",
    "MlflowService.updateRun",
    "MlflowService.deleteRun",
    "MlflowService.restoreRun",
    "MlflowService.searchRuns",
    "MlflowService.getMetricHistory",
    case="both",
)
def test_client_runs(parity):
    def sc(s):
        from mlflow.entities import Metric, Param, RunTag

        c = s.client
        eid = c.create_experiment(s.name("runs"))
        runs = []
        for i in range(3):
            r = c.create_run(eid, start_time=T0 + i, run_name=f"r{i}", tags={"i": str(i)})
            runs.append(r.info.run_id)
            s.observe(f"create_run {i}", run_view(r))
        r0 = runs[0]
        s.attempt(
            "log_batch",
            lambda: c.log_batch(
                r0,
                metrics=[Metric("m", v, T0 + k, k) for k, v in enumerate([3.0, 2.5, float("nan"), float("inf")])],
                params=[Param("p", "1"), Param("q", "x" * 500)],
                tags=[RunTag("t", "v")],
            ),
        )
        s.attempt("log_metric", lambda: c.log_metric(r0, "single", 7, timestamp=T0, step=5))
        s.attempt("log_param", lambda: c.log_param(r0, "single", "v"))
        s.attempt("set_tag", lambda: c.set_tag(r0, "extra", "e"))
        s.attempt("delete_tag", lambda: c.delete_tag(r0, "t"))
        s.attempt("history", lambda: c.get_metric_history(r0, "m"))
        s.attempt("history missing key", lambda: c.get_metric_history(r0, "nope"))
        s.attempt("set_terminated", lambda: c.set_terminated(runs[1], "FINISHED", end_time=T0 + 10))
        s.attempt("update_run", lambda: c.update_run(runs[2], name="renamed"))
        s.attempt("get_run", lambda: run_view(c.get_run(r0)))
        s.attempt("search_runs", lambda: [run_view(r) for r in c.search_runs([eid], order_by=["attributes.start_time"])])
        s.attempt("search_runs paged", lambda: c.search_runs([eid], max_results=2, order_by=["attributes.start_time"]).token)
        s.attempt("search_runs filter", lambda: [r.info.run_name for r in c.search_runs([eid], "params.p = '1'")])
        s.attempt("delete_run", lambda: c.delete_run(runs[1]))
        s.attempt("search active", lambda: [r.info.run_name for r in c.search_runs([eid])])
        s.attempt("search deleted", lambda: [r.info.run_name for r in c.search_runs([eid], run_view_type=2)])
        s.attempt("restore_run", lambda: c.restore_run(runs[1]))
        # errors surfacing as MlflowException
        s.attempt("get missing run", lambda: c.get_run(MISSING_RUN))
        s.attempt("param change", lambda: c.log_param(r0, "p", "2"))
        s.attempt("batch param change", lambda: c.log_batch(r0, params=[Param("p", "3")]))
        s.attempt("bad filter", lambda: c.search_runs([eid], "metrics.m >"))
        s.attempt("bad order", lambda: c.search_runs([eid], order_by=["foo.bar"]))
        s.attempt("long tag", lambda: c.set_tag(r0, "long", "x" * 9000))
        s.attempt("create in missing exp", lambda: c.create_run("987654321"))
        c.delete_run(runs[2])
        s.attempt("log to deleted", lambda: c.log_metric(runs[2], "m", 1, timestamp=T0))
        s.attempt("param to deleted", lambda: c.log_param(runs[2], "p", "1"))

    parity.check(sc)


@pytest.mark.rpc("MlflowService.logInputs", "MlflowService.createRun", "MlflowService.getRun", "MlflowService.searchRuns", case="ok")
def test_log_input_datasets(parity):
    def sc(s):
        df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": ["a", "b", "c"], "z": [1, 2, 3]})
        arr = np.arange(12, dtype=np.float64).reshape(4, 3)
        with s.fluent() as mlflow:
            mlflow.set_experiment(s.name("data"))
            with mlflow.start_run(run_name="with_data") as run:
                ds1 = mlflow.data.from_pandas(df, source="/data/train.parquet", name="train", targets="z")
                mlflow.log_input(ds1, context="training", tags={"fold": "1"})
                ds2 = mlflow.data.from_numpy(arr, source="/data/arr.npy", name="arr")
                mlflow.log_input(ds2, context="eval")
                mlflow.log_input(ds1, context="training")  # the same dataset again
                ds3 = mlflow.data.from_numpy({"a": arr, "b": arr[:, 0]})
                mlflow.log_input(ds3)
            got = s.client.get_run(run.info.run_id)
            s.observe("inputs", run_view(got).get("inputs"))
            s.observe(
                "dataset round trip",
                [
                    {"name": d.dataset.name, "digest": d.dataset.digest, "source_type": d.dataset.source_type}
                    for d in got.inputs.dataset_inputs
                ],
            )
            found = mlflow.search_runs(experiment_names=[s.name("data")], output_format="list")
            s.observe("search inputs", [run_view(r).get("inputs") for r in found])
        with s.fluent() as mlflow:
            mlflow.set_experiment(s.name("data"))
            with mlflow.start_run(run_name="bad") as run2:
                s.attempt("log_input non-dataset", lambda: mlflow.log_input(ds1, context="x" * 300))

    parity.check(sc)


@pytest.mark.rpc("MlflowService.deleteRun", "MlflowService.restoreRun", "MlflowService.deleteExperiment", "MlflowService.restoreExperiment", case="both")
def test_fluent_delete_restore(parity):
    def sc(s):
        with s.fluent() as mlflow:
            exp = mlflow.set_experiment(s.name("dr"))
            with mlflow.start_run(run_name="to_delete") as run:
                mlflow.log_metric("m", 1)
            rid = run.info.run_id
            s.attempt("delete_run", lambda: mlflow.delete_run(rid))
            s.attempt("search after delete", lambda: mlflow.search_runs([exp.experiment_id], run_view_type=1))
            s.attempt("deleted runs", lambda: mlflow.search_runs([exp.experiment_id], run_view_type=2)["run_id"].tolist())
            s.attempt("delete again", lambda: mlflow.delete_run(rid))
            s.attempt("restore", lambda: s.client.restore_run(rid))
            s.attempt("lifecycle", lambda: s.client.get_run(rid).info.lifecycle_stage)
            s.attempt("delete experiment", lambda: mlflow.delete_experiment(exp.experiment_id))
            s.attempt("set deleted experiment", lambda: mlflow.set_experiment(s.name("dr")))
            s.attempt("start run in deleted experiment", lambda: mlflow.start_run(experiment_id=exp.experiment_id))
            s.attempt("restore experiment", lambda: s.client.restore_experiment(exp.experiment_id))
            s.attempt("get experiment", lambda: mlflow.get_experiment(exp.experiment_id))
            s.attempt("get missing experiment", lambda: mlflow.get_experiment("987654321"))
            s.attempt("delete missing run", lambda: mlflow.delete_run(MISSING_RUN))

    parity.check(sc)
