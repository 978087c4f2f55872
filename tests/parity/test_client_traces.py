"""The real client's tracing against each server: `@mlflow.trace` functions and `mlflow.start_span`
trees, then `mlflow.get_trace`, feedback and expectations, trace tags and deletion, with mlflow-ts standalone (no Python child).

The two servers keep the spans in different places: the pinned server takes them through OTLP into
its database (spans location TRACKING_STORE), while standalone mlflow-ts does not ingest OTLP yet,
so the client falls back to uploading them as the trace's artifact, which mlflow-ts serves. What
the client reads back is compared: the trace's state, previews, name, user tags and metadata, and
every span's name, parent, type, status, inputs, outputs and attributes.
"""

import os

import pytest

TRACE_RPCS = ("MlflowService.startTraceV3", "MlflowService.getTraceInfoV3", "MlflowService.setTraceTagV3",
              "MlflowService.deleteTraceTagV3", "MlflowService.deleteTracesV3", "MlflowService.createAssessment",
              "MlflowService.GetAssessment", "MlflowService.deleteAssessment")

# Keys that say where the spans are, or that measure how they were sent: not the trace itself.
STORAGE_KEYS = {"mlflow.trace.spansLocation", "mlflow.artifactLocation", "mlflow.trace.sizeStats",
                "mlflow.trace.sizeBytes", "mlflow.trace.infoFinalized"}
VOLATILE_ATTRIBUTES = {"mlflow.traceRequestId"}


def trace_view(trace):
    info = trace.info
    spans = sorted(trace.data.spans, key=lambda sp: (sp.parent_id is not None, sp.start_time_ns))
    names = {sp.span_id: sp.name for sp in spans}
    return {
        "state": str(info.state),
        "request_preview": info.request_preview,
        "response_preview": info.response_preview,
        "tags": {k: v for k, v in info.tags.items() if k not in STORAGE_KEYS},
        "metadata": {k: v for k, v in info.trace_metadata.items() if k not in STORAGE_KEYS},
        "spans": [
            {
                "name": sp.name,
                "parent": names.get(sp.parent_id),
                "type": sp.span_type,
                "status": str(sp.status.status_code),
                "inputs": sp.inputs,
                "outputs": sp.outputs,
                "attributes": {k: v for k, v in sp.attributes.items() if k not in VOLATILE_ATTRIBUTES},
            }
            for sp in spans
        ],
    }


@pytest.mark.rpc(*TRACE_RPCS, case="ok")
def test_traced_functions_read_back(parity):
    def sc(s):
        os.environ["MLFLOW_ENABLE_ASYNC_TRACE_LOGGING"] = "false"
        with s.fluent() as mlflow:
            from mlflow.tracing.provider import reset

            reset()  # the span processor binds the tracking URI it was set up with
            exp = mlflow.set_experiment(s.name("traced"))

            @mlflow.trace(span_type="TOOL")
            def add(a, b):
                return a + b

            @mlflow.trace(name="pipeline", attributes={"team": "ml"})
            def pipeline(x):
                with mlflow.start_span(name="prepare", span_type="PARSER") as span:
                    span.set_inputs({"x": x})
                    span.set_attribute("rows", 3)
                    span.set_outputs([x, x])
                return add(x, 2) * 10

            @mlflow.trace
            def failing():
                raise ValueError("boom")

            s.observe("result", pipeline(4))
            ok_id = mlflow.get_last_active_trace_id()
            with pytest.raises(ValueError):
                failing()
            err_id = mlflow.get_last_active_trace_id()
            client = mlflow.MlflowClient()
            s.observe("ok trace", trace_view(mlflow.get_trace(ok_id)))
            s.observe("failed trace", trace_view(mlflow.get_trace(err_id)))
            from mlflow.entities import AssessmentSource

            human = AssessmentSource(source_type="HUMAN", source_id="reviewer")
            fb = mlflow.log_feedback(trace_id=ok_id, name="correct", value=True, source=human, rationale="checked")
            mlflow.log_feedback(trace_id=ok_id, name="score", value=0.5, source=human, metadata={"round": "1"})
            mlflow.log_expectation(trace_id=ok_id, name="expected", value={"answer": 60}, source=human)
            s.observe("assessments", sorted(
                [(a.name, a.value, a.source.source_type, a.source.source_id, a.rationale, a.metadata, a.valid)
                 for a in mlflow.get_trace(ok_id).info.assessments],
                key=repr,
            ))
            s.observe("one assessment", (lambda a: (a.name, a.value, a.valid))(mlflow.get_assessment(ok_id, fb.assessment_id)))
            mlflow.delete_assessment(ok_id, fb.assessment_id)
            s.observe("after delete", sorted(a.name for a in mlflow.get_trace(ok_id).info.assessments))
            client.set_trace_tag(ok_id, "reviewed", "yes")
            client.delete_trace_tag(ok_id, "reviewed")
            client.set_trace_tag(ok_id, "kept", "1")
            s.observe("tags after", trace_view(mlflow.get_trace(ok_id))["tags"])
            s.observe("deleted", client.delete_traces(exp.experiment_id, trace_ids=[err_id]))
            try:
                client.get_trace_info(err_id)
                s.observe("deleted trace", "still there")
            except Exception as e:  # noqa: BLE001 - the error code is what is compared
                s.observe("deleted trace", getattr(e, "error_code", type(e).__name__))
            reset()

    parity.check(sc)


@pytest.mark.rpc("MlflowService.getTraceInfoV3", case="both")
def test_get_trace_artifact_from_artifacts(parity):
    """The UI's get-trace-artifact for a trace whose spans are its `traces.json` artifact (both
    servers read that file: neither has the spans in its database)."""
    import json
    import uuid

    from test_http_artifacts import A, raw
    from test_http_traces import TRACES, V3, new_trace
    from test_http_runs import new_exp

    spans = json.dumps({"spans": [{"name": "root", "trace_id": "AAAA", "span_id": "BBBB", "attributes": {}}]}).encode()

    def sc(s):
        eid = new_exp(s)
        tid = new_trace(s, eid)
        bare = new_trace(s, eid, offset=1)
        raw(s, "PUT", f"{A}/artifacts/{eid}/traces/{tid}/artifacts/traces.json", data=spans, label="upload traces.json")
        for version in ("2.0", "3.0"):
            raw(s, "GET", "/mlflow/get-trace-artifact", prefix=f"/ajax-api/{version}", params={"request_id": tid},
                label=f"spans ({version})")
        raw(s, "GET", "/mlflow/get-trace-artifact", prefix="/ajax-api/2.0", params={}, label="no request id")
        raw(s, "GET", "/mlflow/get-trace-artifact", prefix="/ajax-api/2.0",
            params={"request_id": "tr-" + uuid.uuid4().hex}, label="unknown trace")
        s.get(f"{TRACES}/{bare}", prefix=V3, label="a trace without spans exists")

    parity.check(sc)
