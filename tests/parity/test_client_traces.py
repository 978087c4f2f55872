"""The real client's tracing against each server: `@mlflow.trace` functions and `mlflow.start_span`
trees, then `mlflow.get_trace`, feedback and expectations, trace tags and deletion, with mlflow-ts standalone (no Python child).

Both servers take the spans through OTLP (`/v1/traces`) into their database (spans location
TRACKING_STORE, compared), then the client's start_trace merges the trace's record in. What the
client reads back is compared: the trace's state, previews, name, user tags and metadata, and
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
            s.observe("spans location", mlflow.get_trace(ok_id).info.tags.get("mlflow.trace.spansLocation"))
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


@pytest.mark.rpc("MlflowService.getTrace", case="ok")
def test_opentelemetry_sdk_exporter(parity):
    """An OpenTelemetry SDK (not MLflow's) exporting over OTLP/HTTP protobuf to /v1/traces, as an
    instrumented service would: the trace is built from the spans alone, then read back with
    MLflow's client."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.trace import SpanKind, Status, StatusCode

    def sc(s):
        from test_http_runs import new_exp

        eid = new_exp(s)
        exporter = OTLPSpanExporter(endpoint=f"{s.base_url}/v1/traces", headers={"x-mlflow-experiment-id": eid})
        provider = TracerProvider(resource=Resource.create({"service.name": "checkout", "region": "eu"}))
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        tracer = provider.get_tracer("shop")
        with tracer.start_as_current_span("handle order", kind=SpanKind.SERVER) as root:
            root.set_attribute("http.method", "POST")
            root.set_attribute("mlflow.spanInputs", '{"order": 7}')
            with tracer.start_as_current_span("charge card", kind=SpanKind.CLIENT) as child:
                child.set_attribute("amount", 12.5)
                child.set_attribute("retries", 2)
                child.set_attribute("tags", ["a", "b"])
                child.add_event("declined once", {"code": 51})
                child.set_status(Status(StatusCode.ERROR, "card declined"))
            root.set_attribute("mlflow.spanOutputs", '"accepted"')
        provider.force_flush()
        provider.shutdown()
        trace_id = "tr-" + format(root.get_span_context().trace_id, "032x")
        with s.fluent() as mlflow:
            trace = mlflow.get_trace(trace_id)
            view = trace_view(trace)
            s.observe("trace", view)
            s.observe("span events", [[(e.name, e.attributes) for e in sp.events] for sp in trace.data.spans])
            s.observe("tags", {k: v for k, v in trace.info.tags.items() if k not in STORAGE_KEYS})
            s.observe("duration known", trace.info.execution_duration is not None)

    parity.check(sc)


def attachments_scenario(raw):
    """A span input that is an Attachment: the client uploads its bytes beside the trace's data
    (`attachments/<uuid>` under the trace's artifact location) and the UI reads them back through
    get-trace-artifact's `path`; then the refusals (not a canonical UUID, traversal, missing file,
    unknown trace). `raw` records one HTTP exchange (test_http_artifacts.raw or a variant)."""
    import uuid

    def sc(s):
        os.environ["MLFLOW_ENABLE_ASYNC_TRACE_LOGGING"] = "false"
        with s.fluent() as mlflow:
            from mlflow.tracing.attachments import Attachment
            from mlflow.tracing.provider import reset

            reset()
            mlflow.set_experiment(s.name("attachments"))
            png = Attachment(content_type="image/png", content_bytes=b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
            txt = Attachment(content_type="text/plain", content_bytes="héllo\n".encode())
            with mlflow.start_span(name="with files") as span:
                span.set_inputs({"image": png, "note": txt})
                span.set_outputs({"ok": True})
            tid = mlflow.get_last_active_trace_id()
            trace = mlflow.get_trace(tid)
            s.observe("inputs", trace_view(trace)["spans"][0]["inputs"])
            for label, att in (("png", png), ("txt", txt)):
                raw(s, "GET", "/mlflow/get-trace-artifact", prefix="/ajax-api/2.0",
                    params={"request_id": tid, "path": att.id}, label=f"attachment {label}")
            raw(s, "GET", "/mlflow/get-trace-artifact", prefix="/ajax-api/3.0",
                params={"request_id": tid, "path": png.id}, label="attachment via 3.0")
            for label, path in (
                ("upper-case uuid", "0F8FAD5B-D9CB-469F-A165-70867728950E"),
                ("uuid without dashes", png.id.replace("-", "")),
                ("traversal", "../" + png.id),
                ("not a uuid", "image.png"),
                ("missing attachment", str(uuid.uuid4())),
            ):
                raw(s, "GET", "/mlflow/get-trace-artifact", prefix="/ajax-api/2.0",
                    params={"request_id": tid, "path": path}, label=label)
            raw(s, "GET", "/mlflow/get-trace-artifact", prefix="/ajax-api/2.0",
                params={"request_id": "tr-" + uuid.uuid4().hex, "path": str(uuid.uuid4())}, label="unknown trace")
            reset()

    return sc


@pytest.mark.rpc("GET /ajax-api/2.0/mlflow/get-trace-artifact", case="both")
def test_trace_attachments(parity):
    """Trace attachments on the local artifacts destination (attachments_scenario)."""
    from test_http_artifacts import raw

    parity.check(attachments_scenario(raw))


def frame_view(df):
    """A search_traces DataFrame as comparable data: its columns, and per row the values that do
    not name ids or times (those differ between servers), spans reduced to names and types."""
    import json

    volatile = {"trace_id", "client_request_id", "request_time", "execution_duration", "trace"}
    rows = []
    for rec in df.to_dict(orient="records"):
        row = {}
        for k, v in rec.items():
            if k in volatile:
                continue
            if k == "spans":
                v = sorted(
                    (sp["name"], sp["status"]["code"], sp["attributes"].get("mlflow.spanType"),
                     sp["attributes"].get("mlflow.spanInputs"), sp["attributes"].get("mlflow.spanOutputs"))
                    for sp in v
                )
            elif k == "assessments":
                v = sorted((a["assessment_name"], json.dumps(a.get("feedback") or a.get("expectation"))) for a in v)
            elif k in ("tags", "trace_metadata") and isinstance(v, dict):
                v = {x: y for x, y in v.items() if x not in STORAGE_KEYS and x != "mlflow.traceRequestId"}
            row[k] = v if isinstance(v, (str, int, float, bool, list, dict, type(None))) else repr(v)
        rows.append(row)
    return {"columns": list(df.columns), "rows": rows}


@pytest.mark.rpc("MlflowService.searchTracesV3", "MlflowService.batchGetTraces", case="ok")
def test_search_traces_into_pandas(parity):
    """`mlflow.search_traces` (a pandas DataFrame, and return_type="list") over traces written by
    the client: every trace of an experiment, a filter on a tag and on the status, an order, a cap,
    without spans, and by run."""

    def sc(s):
        os.environ["MLFLOW_ENABLE_ASYNC_TRACE_LOGGING"] = "false"
        with s.fluent() as mlflow:
            from mlflow.tracing.provider import reset

            reset()
            exp = mlflow.set_experiment(s.name("search"))

            @mlflow.trace(span_type="CHAIN")
            def answer(q):
                with mlflow.start_span(name="retrieve", span_type="RETRIEVER") as span:
                    span.set_inputs({"q": q})
                    span.set_outputs(["doc-" + q])
                if q == "bad":
                    raise ValueError("no answer")
                return q.upper()

            ids = []
            for i, q in enumerate(["alpha", "beta", "bad", "gamma"]):
                try:
                    answer(q)
                except ValueError:
                    pass
                tid = mlflow.get_last_active_trace_id()
                ids.append(tid)
                mlflow.MlflowClient().set_trace_tag(tid, "rank", str(i))
            mlflow.log_feedback(trace_id=ids[0], name="good", value=True)
            with mlflow.start_run() as run:
                answer("in run")
            eid = [exp.experiment_id]
            s.observe("all", frame_view(mlflow.search_traces(experiment_ids=eid, order_by=["tags.rank ASC"])))
            s.observe("by tag", frame_view(mlflow.search_traces(experiment_ids=eid, filter_string="tags.rank = '1'")))
            s.observe("errors", frame_view(mlflow.search_traces(experiment_ids=eid, filter_string="trace.status = 'ERROR'")))
            s.observe("capped", frame_view(mlflow.search_traces(experiment_ids=eid, max_results=2,
                                                                order_by=["timestamp_ms DESC"])))
            s.observe("no spans", frame_view(mlflow.search_traces(experiment_ids=eid, include_spans=False,
                                                                  order_by=["tags.rank DESC"])))
            s.observe("by run", frame_view(mlflow.search_traces(experiment_ids=eid, run_id=run.info.run_id)))
            listed = mlflow.search_traces(experiment_ids=eid, return_type="list", order_by=["tags.rank ASC"])
            s.observe("as list", [trace_view(t) for t in listed])
            reset()

    parity.check(sc)
