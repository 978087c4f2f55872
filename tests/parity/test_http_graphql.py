"""Raw HTTP: POST/GET /graphql, the UI's run and experiment reads. The three operations the pinned
UI sends (with Apollo's __typename added to every selection set), the rest of the schema, the
query limits, and the answers to bad requests."""

import json
import math
import re

import pytest

from test_http_runs import new_exp, new_run

T0 = 1_600_000_000_000

GET_RUN = """query GetRun($data: MlflowGetRunInput!) @component(name: "MLflow.ExperimentRunTracking") {
  mlflowGetRun(input: $data) {
    apiError { helpUrl code message __typename }
    run {
      info { runName status runUuid experimentId artifactUri endTime lifecycleStage startTime userId __typename }
      experiment { experimentId name tags { key value __typename } artifactLocation lifecycleStage lastUpdateTime __typename }
      modelVersions { status version name source __typename }
      data {
        metrics { key value step timestamp __typename }
        params { key value __typename }
        tags { key value __typename }
        __typename
      }
      inputs {
        datasetInputs { dataset { digest name profile schema source sourceType __typename } tags { key value __typename } __typename }
        modelInputs { modelId __typename }
        __typename
      }
      outputs { modelOutputs { modelId step __typename } __typename }
      __typename
    }
    __typename
  }
}"""

SEARCH_RUNS = """query SearchRuns($data: MlflowSearchRunsInput!) {
  mlflowSearchRuns(input: $data) {
    apiError { helpUrl code message __typename }
    runs {
      info { runName status runUuid experimentId artifactUri endTime lifecycleStage startTime userId __typename }
      experiment { experimentId name tags { key value __typename } artifactLocation lifecycleStage lastUpdateTime __typename }
      data { metrics { key value step timestamp __typename } params { key value __typename } tags { key value __typename } __typename }
      inputs { datasetInputs { dataset { digest name profile schema source sourceType __typename } tags { key value __typename } __typename } modelInputs { modelId __typename } __typename }
      outputs { modelOutputs { modelId step __typename } __typename }
      modelVersions { version name creationTimestamp status source __typename }
      __typename
    }
    __typename
  }
}"""

GET_EXPERIMENT = """query MlflowGetExperimentQuery($input: MlflowGetExperimentInput!) @component(name: "MLflow.ExperimentRunTracking") {
  mlflowGetExperiment(input: $input) {
    apiError { code message __typename }
    experiment { artifactLocation creationTime effectiveTraceArchivalRetention experimentId lastUpdateTime lifecycleStage name tags { key value __typename } __typename }
    __typename
  }
}"""


CLOCK_FIELDS = {"creationTime", "lastUpdateTime", "creationTimestamp", "lastUpdatedTimestamp"}


def clock_free(v):
    """Server-clock times (creation, last update) differ between the two servers: keep their form."""
    if isinstance(v, dict):
        return {k: ("<time>" if k in CLOCK_FIELDS and isinstance(x, str) and x.isdigit() and x != "0" else clock_free(x))
                for k, x in v.items()}
    if isinstance(v, list):
        return [clock_free(x) for x in v]
    return v


def gql(s, query, variables=None, label=None, operation=None, method="POST"):
    body = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation is not None:
        body["operationName"] = operation
    return s.call(method, "/graphql", json_body=body, prefix="", transform=clock_free,
                  label=label or query.split("{")[0].strip()[:60] or query[:60])


def seed(s):
    eid = new_exp(s, "gql")
    s.post("/mlflow/experiments/set-experiment-tag", {"experiment_id": eid, "key": "team", "value": "vision"})
    rid = new_run(s, eid, 0, run_name="gql-run", tags=[{"key": "mlflow.user", "value": "ann"}])
    s.post(
        "/mlflow/runs/log-batch",
        {
            "run_id": rid,
            "metrics": [
                {"key": "loss", "value": 0.5, "timestamp": T0, "step": 0},
                {"key": "loss", "value": 0.25, "timestamp": T0 + 1, "step": 1},
                {"key": "acc", "value": 1, "timestamp": T0, "step": 3},
                {"key": "bad", "value": "NaN", "timestamp": T0, "step": 0},
                {"key": "big", "value": 1e300, "timestamp": T0, "step": 0},
            ],
            "params": [{"key": "lr", "value": "0.1"}],
            "tags": [{"key": "note", "value": "ünïcode"}],
        },
    )
    s.post(
        "/mlflow/runs/log-inputs",
        {"run_id": rid, "datasets": [{"dataset": {"name": "train", "digest": "d1", "source_type": "local", "source": "{}"},
                                      "tags": [{"key": "mlflow.data.context", "value": "training"}]}]},
    )
    done = new_run(s, eid, 1, run_name="finished")
    s.post("/mlflow/runs/update", {"run_id": done, "status": "FINISHED", "end_time": T0 + 5000})
    name = s.name("model")
    s.post("/mlflow/registered-models/create", {"name": name})
    _, out = s.get("/mlflow/runs/get", {"run_id": rid}, record=False)
    uri = out["run"]["info"]["artifact_uri"]
    s.post("/mlflow/model-versions/create", {"name": name, "source": f"{uri}/model", "run_id": rid}, record=False)
    return eid, rid, done


@pytest.mark.rpc("POST /graphql", case="ok")
def test_graphql_ui_operations(parity):
    def sc(s):
        eid, rid, done = seed(s)
        gql(s, GET_EXPERIMENT, {"input": {"experimentId": eid}}, label="MlflowGetExperimentQuery")
        gql(s, GET_EXPERIMENT, {"input": {"experimentId": "0"}}, label="default experiment")
        gql(s, GET_RUN, {"data": {"runId": rid}}, label="GetRun")
        gql(s, GET_RUN, {"data": {"runUuid": done}}, label="GetRun by uuid, finished")
        gql(s, SEARCH_RUNS, {"data": {"experimentIds": [eid]}}, label="SearchRuns")
        gql(s, SEARCH_RUNS, {"data": {"experimentIds": [eid], "filter": "metrics.loss < 1", "orderBy": ["start_time DESC"],
                                      "maxResults": 1}}, label="SearchRuns filtered, one page")
        gql(s, SEARCH_RUNS, {"data": {"experimentIds": [eid], "runViewType": "ALL"}}, label="SearchRuns with a view type")
        gql(s, "mutation M($data: MlflowSearchRunsInput!) { mlflowSearchRuns(input: $data) { runs { info { runId } } nextPageToken } }",
            {"data": {"experimentIds": [eid], "maxResults": 1}}, label="SearchRuns mutation")
        gql(s, '{ mlflowSearchModelVersions(input: {filter: "run_id=\'%s\'", maxResults: 5}) { modelVersions { name version runId status currentStage aliases tags { key } deploymentJobState { jobId } } nextPageToken apiError { code } } }' % rid,
            label="mlflowSearchModelVersions")
        gql(s, '{ mlflowListArtifacts(input: {runId: "%s"}) { rootUri files { path isDir fileSize } nextPageToken } }' % rid,
            label="mlflowListArtifacts")
        gql(s, '{ mlflowGetMetricHistoryBulkInterval(input: {runIds: ["%s"], metricKey: "loss"}) { metrics { key value step timestamp runId } } }' % rid,
            label="mlflowGetMetricHistoryBulkInterval")
        gql(s, 'mutation { mlflowSearchDatasets(input: {experimentIds: ["%s"]}) { datasetSummaries { experimentId name digest context } } }' % eid,
            label="mlflowSearchDatasets")
        gql(s, '{ test(inputString: "echo") { output } __typename }', label="test")
        gql(s, '{ test(inputString: null) { output } }', label="test null")
        gql(s, 'mutation { testMutation(inputString: "x") { output } }', label="testMutation")
        gql(s, 'query Two { a: test(inputString: "1") { output } b: test(inputString: "2") { output } } query Other { __typename }',
            operation="Two", label="named operation")
        gql(s, 'fragment F on MlflowRunInfo { runId status } { mlflowGetRun(input: {runId: "%s"}) { run { info { ...F } ... on MlflowRunExtension { experiment { name } } } } }' % rid,
            label="fragments")

    parity.check(sc)


@pytest.mark.rpc("POST /graphql", case="error")
def test_graphql_errors_and_limits(parity):
    def sc(s):
        eid, rid, _ = seed(s)
        gql(s, GET_RUN, {"data": {"runId": "0" * 32}}, label="missing run")
        gql(s, GET_EXPERIMENT, {"input": {"experimentId": "999999"}}, label="missing experiment")
        gql(s, GET_EXPERIMENT, {"input": {"experimentId": "abc"}}, label="bad experiment id")
        gql(s, GET_RUN, None, label="variable not provided")
        gql(s, GET_EXPERIMENT, {"input": {"experimentId": 5}}, label="variable of the wrong type")
        gql(s, SEARCH_RUNS, {"data": {"experimentIds": [eid], "filter": "nonsense ==="}}, label="bad filter")
        gql(s, '{ mlflowGetRun { run { info { runId } } } }', label="no input")
        gql(s, '{ mlflowGetRun(input: null) { run { info { runId } } } }', label="null input")
        gql(s, '{ test { output } }', label="test without its argument")
        gql(s, '{ nope }', label="unknown field")
        gql(s, '{ mlflowGetRun(input: {runId: "x"}) { run { info { nope } } } }', label="unknown nested field")
        gql(s, 'query A { __typename } query B { __typename }', label="two operations, no name")
        gql(s, '{ __typename }', operation="X", label="unknown operation name")
        deep = "{ mlflowGetRun(input: {runId: \"x\"}) { run { info { runId } } } }"
        nested = "{ __typename " + "a: test(inputString: \"x\") { output } " + "}"
        gql(s, "{ " + " ".join(f"t{i}: test(inputString: \"{i}\") {{ output }}" for i in range(11)) + " }", label="11 root fields")
        gql(s, "{ test(inputString: \"x\") { " + " ".join(f"o{i}: output" for i in range(11)) + " } }", label="11 aliases")
        frag = "fragment G on Test { " + " ".join(f"g{i}: output" for i in range(6)) + " }"
        gql(s, frag + " { test(inputString: \"x\") { ...G " + " ".join(f"h{i}: output" for i in range(5)) + " } }",
            label="aliases split across a fragment")
        gql(s, "{ " + "mlflowGetRun(input: {runId: \"x\"}) { run { data { metrics { key } } } } " * 1 + "}", label="depth ok")
        # depth 11: nest fragments-free selections through inline fragments on Query
        inner = "__typename"
        for _ in range(11):
            inner = "... on Query { test(inputString: \"x\") { output } } " if False else inner
        too_deep = "{ mlflowSearchRuns(input: {}) { runs { experiment { tags { key } } data { metrics { key } } inputs { datasetInputs { dataset { name } tags { key } } } modelVersions { tags { key } deploymentJobState { jobId } } } } }"
        gql(s, too_deep, label="deep but within 10")
        many = "{ test(inputString: \"x\") { output } " + " ".join(f"... on Query {{ test(inputString: \"x\") {{ output }} }}" for _ in range(3)) + " }"
        gql(s, many, label="inline fragments merged")
        # bad requests
        s.call("POST", "/graphql", data=b'{"query": "{ __typename }"}', headers={"Content-Type": "text/plain"}, prefix="", label="text/plain")
        s.call("POST", "/graphql", data=b"not json", headers={"Content-Type": "application/json"}, prefix="", label="not json")
        s.call("POST", "/graphql", json_body={}, prefix="", label="no query")
        s.call("POST", "/graphql", json_body={"query": 5}, prefix="", label="query not a string")
        s.call("POST", "/graphql", json_body={"query": "{"}, prefix="", label="syntax error")
        s.call("GET", "/graphql", params={"query": "{ __typename }"}, prefix="", label="GET with a query string")

    parity.check(sc)
