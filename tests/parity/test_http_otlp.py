"""OTLP span ingest (`POST /v1/traces`) and the reads of spans stored in the database (getTrace,
batchGetTraces, the UI's get-trace-artifact), against standalone mlflow-ts: every request here
must be served natively (a handed-over request would answer 501 and differ).

Batches are sent as MLflow's client and OpenTelemetry SDKs send them: protobuf and JSON, one
trace over several batches, resource attributes, the root span's trace tags. Trace and span ids
are derived from the scenario's name, the same on both sides.
"""

import hashlib
import json

import pytest

from conftest import DIALECTS, open_pair
from test_http_runs import T0, new_exp
from test_http_traces import TRACES, V3, iso


@pytest.fixture(scope="module", params=DIALECTS)
def server_pair(request, tmp_path_factory):
    yield from open_pair(request.param, tmp_path_factory, "parity-otlp")


OTLP = "/v1/traces"


def otlp_id(s, label, nbytes):
    """A deterministic OTel id (hex), the same on both sides."""
    return hashlib.md5(s.name(label).encode()).hexdigest()[: nbytes * 2]


def otlp_json(s, eid, spans, *, resource=None, label=None, headers=None, record=True):
    body = {"resourceSpans": [{"resource": {"attributes": resource or []}, "scopeSpans": [{"spans": spans}]}]}
    hdrs = {"Content-Type": "application/json", "x-mlflow-experiment-id": str(eid), **(headers or {})}
    return s.call("POST", OTLP, data=json.dumps(body), headers=hdrs, prefix="", label=label, record=record)


def kv(key, **value):
    return {"key": key, "value": value}


def json_span(trace_hex, span_hex, name, start_ns, end_ns, *, parent=None, attributes=(), events=(), status=None,
              kind=1):
    span = {"traceId": trace_hex, "spanId": span_hex, "name": name, "kind": kind,
            "startTimeUnixNano": str(start_ns), "endTimeUnixNano": str(end_ns), "attributes": list(attributes),
            "events": list(events), "status": status or {"code": 1}}
    if parent:
        span["parentSpanId"] = parent
    return span


NS0 = T0 * 1_000_000 + 123_456_789  # past 2^53: the exact nanoseconds must survive


@pytest.mark.rpc("MlflowService.getTrace", "MlflowService.batchGetTraces", case="ok")
def test_get_trace_with_stored_spans(parity):
    def sc(s):
        eid = new_exp(s)
        trace_hex = otlp_id(s, "trace", 16)
        root, child, leaf = (otlp_id(s, n, 8) for n in ("root", "child", "leaf"))
        tid = "tr-" + trace_hex
        child_span = json_span(
            trace_hex, child, "retrieve", NS0 + 1_000_001, NS0 + 5_000_003, parent=root, kind=3,
            attributes=[
                kv("mlflow.spanType", stringValue='"RETRIEVER"'),
                kv("mlflow.spanInputs", stringValue='{"query": "q", "k": 2, "ratio": 2.0}'),
                kv("mlflow.spanOutputs", stringValue='[{"doc": "a"}, {"doc": "b"}]'),
                kv("count", intValue="3"), kv("ratio", doubleValue=0.25), kv("flag", boolValue=True),
                kv("names", arrayValue={"values": [{"stringValue": "x"}, {"intValue": "2"}]}),
                kv("nested", kvlistValue={"values": [kv("a", stringValue="b")]}),
                kv("plain", stringValue="not json"),
            ],
            events=[{"name": "exception", "timeUnixNano": str(NS0 + 4_000_000),
                     "attributes": [kv("exception.message", stringValue="boom"), kv("n", intValue="7")]}],
            status={"code": 2, "message": "retrieval failed"},
        )
        leaf_span = json_span(trace_hex, leaf, "leaf", NS0 + 2_000_000, NS0 + 3_000_000, parent=child,
                              status={"code": 0, "message": "dropped: only ERROR keeps a message"})
        otlp_json(s, eid, [child_span, leaf_span], label="log two child spans")
        get = f"{TRACES}/get"
        s.get(get, {"trace_id": tid, "allow_partial": "true"}, prefix=V3, label="partial trace")
        root_span = json_span(
            trace_hex, root, "agent", NS0, NS0 + 9_000_000, kind=2,
            attributes=[kv("mlflow.spanType", stringValue='"AGENT"'),
                        kv("mlflow.spanInputs", stringValue='{"question": "why?"}'),
                        kv("mlflow.spanOutputs", stringValue='"because"')],
        )
        otlp_json(s, eid, [root_span], label="log the root span")
        status, whole = s.get(get, {"trace_id": tid}, prefix=V3, label="whole trace")
        assert status == 200 and len(whole["trace"]["spans"]) == 3, whole
        s.get(get, {"trace_id": tid}, prefix="/ajax-api/3.0", label="whole trace, ajax prefix")
        other_hex = otlp_id(s, "other", 16)
        otlp_json(s, eid, [json_span(other_hex, otlp_id(s, "o", 8), "solo", NS0 + 7, NS0 + 8)], label="another trace")
        batch = f"{TRACES}/batchGet"
        s.get(batch, {"trace_ids": [tid, "tr-" + other_hex, "tr-00000000000000000000000000000000"]}, prefix=V3,
              label="batch of stored traces and a missing one")
        s.get(batch, {"trace_ids": [tid], "experiment_ids": [eid]}, prefix=V3, label="batch scoped to the experiment")
        s.get(f"{TRACES}/{tid}", prefix=V3, label="trace info of a trace built from spans")

    parity.check(sc)


def otlp_protobuf(s, eid, spans, *, resource=(), label=None, headers=None):
    """An ExportTraceServiceRequest built with the OTLP protobuf classes, sent as protobuf."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    for key, value in resource:
        attr = rs.resource.attributes.add()
        attr.key = key
        attr.value.string_value = value
    scope = rs.scope_spans.add()
    for build in spans:
        build(scope.spans.add())
    hdrs = {"Content-Type": "application/x-protobuf", "x-mlflow-experiment-id": str(eid), **(headers or {})}
    return s.call("POST", OTLP, data=req.SerializeToString(), headers=hdrs, prefix="", label=label)


@pytest.mark.rpc("MlflowService.getTrace", "MlflowService.startTraceV3", case="ok")
def test_otlp_ingest(parity):
    """OTLP batches as MLflow's client and plain OpenTelemetry SDKs send them: protobuf and JSON,
    spans of one trace over several batches (usage counted once), resource attributes as tags,
    the root span's trace tags, session and user, then the client's start_trace merged in."""

    def sc(s):
        eid = new_exp(s)
        trace_hex = otlp_id(s, "t", 16)
        tid = "tr-" + trace_hex
        root, llm, tool = (otlp_id(s, n, 8) for n in ("root", "llm", "tool"))
        usage = '{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}'

        def llm_span(sp):
            sp.trace_id, sp.span_id, sp.parent_span_id = bytes.fromhex(trace_hex), bytes.fromhex(llm), bytes.fromhex(root)
            sp.name, sp.kind = "chat", 3
            sp.start_time_unix_nano, sp.end_time_unix_nano = NS0 + 2_000_000, NS0 + 6_000_000
            for key, value in (("mlflow.spanType", '"CHAT_MODEL"'), ("mlflow.chat.tokenUsage", usage),
                               ("mlflow.llm.cost", '{"input_cost": 0.5, "output_cost": 0.25, "total_cost": 0.75}'),
                               ("mlflow.spanInputs", '{"messages": [{"role": "user", "content": "hi"}]}'),
                               ("session.id", '"sess-1"')):
                a = sp.attributes.add()
                a.key, a.value.string_value = key, value
            sp.status.code = 1

        otlp_protobuf(s, eid, [llm_span], resource=[("service.name", "svc"), ("deployment", "blue"),
                                                     ("telemetry.sdk.name", "opentelemetry")],
                      label="protobuf batch: an LLM span with usage and cost")
        tool_span = json_span(trace_hex, tool, "lookup", NS0 + 6_500_000, NS0 + 7_000_000, parent=root,
                              attributes=[kv("mlflow.spanType", stringValue='"TOOL"'), kv("user.id", stringValue="u-7")])
        otlp_json(s, eid, [tool_span], label="JSON batch: a tool span")
        s.get(f"{TRACES}/{tid}", prefix=V3, label="trace info before the root span")
        root_span = json_span(
            trace_hex, root, "agent", NS0, NS0 + 9_000_000,
            attributes=[kv("mlflow.spanType", stringValue='"AGENT"'),
                        kv("mlflow.spanInputs", stringValue='{"messages": [{"role": "user", "content": "what?"}]}'),
                        kv("mlflow.spanOutputs", stringValue='"42"'),
                        kv("mlflow.chat.tokenUsage", stringValue='{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}'),
                        kv("mlflow.traceTag.team", stringValue='"search"'),
                        kv("mlflow.traceTag.mlflow.traceName", stringValue='"my agent"'),
                        kv("mlflow.traceTag.mlflow.artifactLocation", stringValue='"s3://blocked"')],
        )
        otlp_json(s, eid, [root_span], label="the root span, whose usage rolls up its children's")
        s.get(f"{TRACES}/{tid}", prefix=V3, label="trace info after the root span")
        s.get(f"{TRACES}/get", {"trace_id": tid}, prefix=V3, label="the trace's spans")
        s.get("/mlflow/get-trace-artifact", {"request_id": tid}, prefix="/ajax-api/2.0", label="the UI's spans file")
        # The client's start_trace after the spans: merged into the trace the spans created.
        info = {
            "trace_id": tid,
            "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": eid}},
            "request_time": iso(T0 + 3), "execution_duration": "0.009s", "state": "OK",
            "trace_metadata": {"mlflow.trace.sizeStats": '{"num_spans": 3}', "mlflow.trace.tokenUsage":
                               '{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}'},
            "tags": {"mlflow.traceName": "agent", "env": "test"},
        }
        s.post(TRACES, {"trace": {"trace_info": info}}, prefix=V3, label="start trace after its spans")
        s.get(f"{TRACES}/get", {"trace_id": tid}, prefix=V3, label="the merged trace")
        # A second trace in one batch with a span of the first, re-sent: upserted, not duplicated.
        other_hex = otlp_id(s, "o", 16)
        otlp_json(s, eid, [json_span(other_hex, otlp_id(s, "x", 8), "solo", NS0 + 1, NS0 + 2,
                                     status={"code": 2, "message": "failed"}), tool_span],
                  label="a batch over two traces")
        s.get(f"{TRACES}/batchGet", {"trace_ids": [tid, "tr-" + other_hex]}, prefix=V3, label="both traces")
        s.post(f"{TRACES}/search", {"locations": [{"type": "MLFLOW_EXPERIMENT",
                                                   "mlflow_experiment": {"experiment_id": eid}}]},
               prefix=V3, label="search the experiment's traces")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.getTrace", case="error")
def test_otlp_ingest_errors(parity):
    def sc(s):
        eid = new_exp(s)
        good = json_span(otlp_id(s, "t", 16), otlp_id(s, "s", 8), "s", NS0, NS0 + 1)
        body = json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [good]}]}]})
        post = lambda data, headers, label: s.call("POST", OTLP, data=data, headers=headers, prefix="", label=label)
        post(body, {"Content-Type": "application/json"}, "no experiment header")
        post(body, {"x-mlflow-experiment-id": eid}, "no content type")
        post(body, {"x-mlflow-experiment-id": eid, "Content-Type": "text/plain"}, "a text body")
        post(body, {"x-mlflow-experiment-id": eid, "Content-Type": "application/json; charset=utf-8",
                    "Content-Encoding": "br"}, "an unsupported encoding")
        post(body, {"x-mlflow-experiment-id": eid, "Content-Type": "application/json", "Content-Encoding": "gzip"},
             "gzip that is not")
        post("{", {"x-mlflow-experiment-id": eid, "Content-Type": "application/json"}, "JSON that is not")
        post(b"\x0a\xff", {"x-mlflow-experiment-id": eid, "Content-Type": "application/x-protobuf"},
             "protobuf that is not")
        post("{}", {"x-mlflow-experiment-id": eid, "Content-Type": "application/json"}, "no resource spans")
        post('{"resourceSpans": [{}]}', {"x-mlflow-experiment-id": eid, "Content-Type": "application/json"},
             "resource spans without spans")
        no_id = dict(good, traceId="")
        otlp_json(s, eid, [no_id], label="a span without a trace id")
        bad_hex = dict(good, spanId="zz")
        otlp_json(s, eid, [bad_hex], label="a span id that is not hex")
        otlp_json(s, "424242", [good], label="an experiment that does not exist")
        otlp_json(s, "x", [good], label="an experiment id that is not a number")
        long_name = json_span(otlp_id(s, "n", 16), otlp_id(s, "r", 8), "r", NS0, NS0 + 1,
                              attributes=[kv("mlflow.traceTag.mlflow.traceName", stringValue="n" * 5000)])
        otlp_json(s, eid, [long_name], label="a trace name over the limit")
        other = new_exp(s, "other")
        otlp_json(s, other, [good], label="the same trace into another experiment")
        import gzip

        post(gzip.compress(body.encode()), {"x-mlflow-experiment-id": eid, "Content-Type": "application/json",
                                             "Content-Encoding": "GZIP"}, "a gzip body")
        s.get(f"{TRACES}/get", {"trace_id": "tr-" + otlp_id(s, "t", 16)}, prefix=V3, label="the trace written once")

    parity.check(sc)
