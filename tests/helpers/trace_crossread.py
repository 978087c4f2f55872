"""Python MLflow's side of the trace cross-reading test (tests/integration/traces-crossread.test.ts).

  trace_crossread.py read URI  < {"trace_ids": [...], "experiment_ids": [...]}
      prints what the SQL store reads: each trace's info (get_trace_info) as the v3 proto JSON, the
      experiments' traces (search_traces, default order) and the ids linked to each given run;
  trace_crossread.py write URI
      creates an experiment and traces through the store (tags, metadata with session, token usage
      and cost, an assessment, a tag set and one deleted) and prints their ids;
  trace_crossread.py spans-read URI < {"trace_ids": [...]}
      prints each trace with its spans as the store reads it (get_trace), as the Trace proto JSON;
  trace_crossread.py spans-write URI < {"experiment_id": ..., "request": <OTLP JSON>}
      logs the request's spans through the store as the OTLP endpoint does (Span.from_otel_proto
      with the resource, one layer of double encoding stripped, then log_spans).
"""

import json
import sys

from mlflow.entities import AssessmentSource, Feedback, TraceInfo, TraceLocation, TraceState
from mlflow.tracking import MlflowClient
from mlflow.utils.proto_json_utils import message_to_json


def as_json(entity):
    return json.loads(message_to_json(entity.to_proto()))


def read(uri):
    req = json.load(sys.stdin)
    store = MlflowClient(tracking_uri=uri)._tracking_client.store
    infos, _ = store.search_traces(locations=req["experiment_ids"], max_results=100)
    out = {
        "infos": [as_json(store.get_trace_info(t)) for t in req["trace_ids"]],
        "search": [as_json(t) for t in infos],
    }
    json.dump(out, sys.stdout)


def write(uri):
    client = MlflowClient(tracking_uri=uri)
    store = client._tracking_client.store
    exp = client.create_experiment("py-traces")
    ids = []
    for i, (state, name) in enumerate([(TraceState.OK, "first"), (TraceState.ERROR, None), (TraceState.OK, "third")]):
        tid = f"tr-{i:032x}"
        tags = {"team": "py"}
        if name:
            tags["mlflow.traceName"] = name
        store.start_trace(TraceInfo(
            trace_id=tid,
            trace_location=TraceLocation.from_experiment_id(exp),
            request_time=1_700_000_000_000 + i * 1000,
            execution_duration=250 * (i + 1),
            state=state,
            request_preview=f"in {i}",
            response_preview=f"out {i}",
            client_request_id=f"c{i}",
            trace_metadata={
                "mlflow.trace.session": f"s{i % 2}",
                "mlflow.trace.tokenUsage": json.dumps({"input_tokens": 3 + i, "output_tokens": 4, "total_tokens": 7 + i}),
                "mlflow.trace.cost": json.dumps({"total_cost": 0.5 * (i + 1)}),
                "k": "v",
            },
            tags=tags,
        ))
        ids.append(tid)
    store.set_trace_tag(ids[0], "reviewed", "yes")
    store.create_assessment(Feedback(name="quality", value=0.75, trace_id=ids[0], rationale="ok",
                                     source=AssessmentSource(source_type="HUMAN", source_id="ann")))
    store.delete_traces(experiment_id=exp, trace_ids=[ids[2]])
    json.dump({"experiment_id": exp, "trace_ids": ids}, sys.stdout)


def spans_read(uri):
    req = json.load(sys.stdin)
    store = MlflowClient(tracking_uri=uri)._tracking_client.store
    json.dump({"traces": [as_json(store.get_trace(t)) for t in req["trace_ids"]]}, sys.stdout)


def spans_write(uri):
    from google.protobuf.json_format import ParseDict
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    from mlflow.entities.span import Span
    from mlflow.tracing.otel.translation import strip_otlp_double_encoding

    from mlflow.server.otel_api import _convert_otlp_json_ids_to_base64

    req = json.load(sys.stdin)
    store = MlflowClient(tracking_uri=uri)._tracking_client.store
    body = _convert_otlp_json_ids_to_base64(json.dumps(req["request"]).encode())
    message = ParseDict(json.loads(body), ExportTraceServiceRequest())
    spans = []
    for rs in message.resource_spans:
        for ss in rs.scope_spans:
            for otel_span in ss.spans:
                span = Span.from_otel_proto(otel_span, resource=rs.resource)
                span._span._attributes = strip_otlp_double_encoding(span._span._attributes)
                spans.append(span)
    store.log_spans(req["experiment_id"], spans)
    json.dump({}, sys.stdout)


if __name__ == "__main__":
    {"read": read, "write": write, "spans-read": spans_read, "spans-write": spans_write}[sys.argv[1]](sys.argv[2])
