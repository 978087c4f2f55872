"""Raw HTTP: trace metadata (getTraceInfoV3, the v2 getTraceInfo, batchGetTraceInfos), trace tags
on the v2 and v3 routes, and linkTracesToRun.

Traces are created with startTraceV3 (and assessments with createAssessment), which mlflow-ts
still forwards to its Python child: the candidate here is mlflow-ts with its child, reading what
the child wrote to their shared database. Trace ids are random per side (`tr-<32 hex>`) and normalized
like run ids. Request times are fixed, so they compare exactly.
"""

import hashlib
import uuid

import pytest

from conftest import DIALECTS, open_pair
from test_http_runs import T0, new_exp, new_run



@pytest.fixture(scope="module", params=DIALECTS)
def server_pair(request, tmp_path_factory):
    yield from open_pair(request.param, tmp_path_factory, "parity-traces", kind="ts-proxy")


V3 = "/api/3.0"
TRACES = "/mlflow/traces"


def iso(ms):
    """A protobuf Timestamp's JSON for epoch milliseconds."""
    import datetime

    dt = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    frac = ms % 1000
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac:03d}" if frac else "") + "Z"


def new_trace(s, eid, *, offset=0, record=False, tid=None, **info):
    tid = tid or "tr-" + uuid.uuid4().hex
    body = {
        "trace_id": tid,
        "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": eid}},
        "request_time": iso(T0 + offset),
        "state": "OK",
        **info,
    }
    s.post(TRACES, {"trace": {"trace_info": body}}, prefix=V3, record=record, label="start trace")
    return tid


def add_assessment(s, tid, assessment):
    # The same id on both sides (MySQL may return a trace's assessments in id order).
    assessment.setdefault("assessment_id", "a-" + hashlib.md5(s.name(assessment["assessment_name"]).encode()).hexdigest())
    body = {"assessment": {"trace_id": tid, "create_time": iso(T0 + 7), "last_update_time": iso(T0 + 9), **assessment}}
    s.post(f"{TRACES}/{tid}/assessments", body, prefix=V3, record=False)


RICH = dict(
    execution_duration="1.500s",
    client_request_id="client-1",
    request_preview='{"q": "hi"}',
    response_preview="hello",
    trace_metadata={
        "mlflow.trace.session": "s-1",
        "mlflow.trace.tokenUsage": '{"input_tokens": 5, "output_tokens": 7, "total_tokens": 12}',
        "mlflow.trace.cost": '{"input_cost": 0.5, "output_cost": 1, "total_cost": 1.5}',
        "mlflow.trace.user": "bob",
        "m" * 260: "v" * 300,
    },
    tags={"mlflow.traceName": "predict", "team": "a", "long": "x" * 5000, "mlflow.artifactLocation": "s3://no"},
)


@pytest.mark.rpc(
    "MlflowService.getTraceInfoV3", "MlflowService.getTraceInfo", "MlflowService.batchGetTraceInfos", case="ok"
)
def test_trace_infos(parity):
    def sc(s):
        eid = new_exp(s)
        other = new_exp(s, "other")
        rich = new_trace(s, eid, **RICH)
        bare = new_trace(s, eid, offset=1, state="IN_PROGRESS")
        failed = new_trace(s, other, offset=2, state="ERROR", execution_duration="0.007s")
        add_assessment(s, rich, {
            "assessment_name": "quality", "source": {"source_type": "HUMAN", "source_id": "ann"},
            "feedback": {"value": 0.75}, "rationale": "fine", "metadata": {"k": "v"},
        })
        add_assessment(s, rich, {
            "assessment_name": "ok", "source": {"source_type": "LLM_JUDGE", "source_id": "judge"},
            "feedback": {"value": True},
        })
        add_assessment(s, rich, {
            "assessment_name": "broken", "source": {"source_type": "CODE"},
            "feedback": {"error": {"error_code": "RATE_LIMIT", "error_message": "slow down", "stack_trace": "tb"}},
        })
        add_assessment(s, rich, {
            "assessment_name": "expected", "source": {"source_type": "HUMAN", "source_id": "ann"},
            "expectation": {"value": "Paris"},
        })
        add_assessment(s, rich, {
            "assessment_name": "facts", "source": {"source_type": "HUMAN", "source_id": "ann"},
            "expectation": {"serialized_value": {"serialization_format": "JSON_FORMAT", "value": '{"a": [1, 2.0]}'}},
        })
        for prefix in (V3, "/ajax-api/3.0"):
            s.get(f"{TRACES}/{rich}", prefix=prefix)
        s.get(f"{TRACES}/{bare}", prefix=V3)
        s.get(f"{TRACES}/{failed}", prefix=V3)
        for tid in (rich, bare, failed):
            s.get(f"{TRACES}/{tid}/info")
        s.get(f"{TRACES}/{rich}/info", prefix="/ajax-api/2.0")
        batch = f"{TRACES}/batchGetInfos"
        s.post(batch, {"trace_ids": [failed, rich, "tr-missing", bare, rich]}, prefix=V3, label="order as asked")
        s.post(batch, {"trace_ids": [failed, rich, bare], "experiment_ids": [eid]}, prefix=V3, label="one experiment")
        s.post(batch, {"trace_ids": [failed, rich], "experiment_ids": [eid, other, "424242"]}, prefix=V3)
        s.post(batch, {"trace_ids": [failed, rich], "experiment_ids": []}, prefix=V3, label="no experiment")
        s.post(batch, {"trace_ids": [rich]}, prefix="/ajax-api/3.0")

    parity.check(sc)


@pytest.mark.rpc(
    "MlflowService.getTraceInfoV3", "MlflowService.getTraceInfo", "MlflowService.batchGetTraceInfos", case="error"
)
def test_trace_info_errors(parity):
    def sc(s):
        eid = new_exp(s)
        tid = new_trace(s, eid)
        s.get(f"{TRACES}/tr-00000000000000000000000000000000", prefix=V3)
        s.get(f"{TRACES}/nope/info")
        s.get(f"{TRACES}/{tid}x", prefix=V3)
        batch = f"{TRACES}/batchGetInfos"
        s.post(batch, {}, prefix=V3, label="no trace ids")
        s.post(batch, {"trace_ids": []}, prefix=V3, label="empty trace ids")
        s.post(batch, {"trace_ids": "x"}, prefix=V3, label="trace ids not a list")
        s.post(batch, {"trace_ids": [tid, 5]}, prefix=V3, label="a number among trace ids")
        s.post(batch, {"trace_ids": [tid], "experiment_ids": ["abc"]}, prefix=V3, label="experiment id not a number")
        s.post(batch, {"trace_ids": [tid], "experiment_ids": "1"}, prefix=V3, label="experiment ids not a list")

    parity.check(sc)


@pytest.mark.rpc(
    "MlflowService.setTraceTag", "MlflowService.setTraceTagV3",
    "MlflowService.deleteTraceTag", "MlflowService.deleteTraceTagV3", case="ok",
)
def test_trace_tags(parity):
    def sc(s):
        eid = new_exp(s)
        tid = new_trace(s, eid, tags={"a": "1"})
        tags3 = f"{TRACES}/{tid}/tags"
        s.call("PATCH", tags3, json_body={"key": "b", "value": "2"}, prefix=V3)
        s.call("PATCH", tags3, json_body={"key": "a", "value": "updated"}, prefix="/ajax-api/3.0")
        s.call("PATCH", f"{TRACES}/{tid}/tags", json_body={"key": "v2", "value": "x"})
        s.call("PATCH", tags3, json_body={"key": "empty"}, prefix=V3, label="no value")
        s.call("PATCH", tags3, json_body={"key": "big", "value": "y" * 8100}, prefix=V3, label="value truncated")
        s.call("PATCH", tags3, json_body={"key": "mlflow.traceName", "value": "renamed"}, prefix=V3)
        s.call("PATCH", tags3, json_body={"key": "mlflow.trace.archivalFailure", "value": "x"}, prefix=V3,
               label="a blocked tag")
        s.get(f"{TRACES}/{tid}", prefix=V3)
        s.call("DELETE", tags3, params={"key": "b"}, prefix=V3)
        s.call("DELETE", f"{TRACES}/{tid}/tags", params={"key": "v2"})
        s.call("DELETE", tags3, params={"key": "mlflow.traceName"}, prefix=V3, label="delete the name")
        s.call("DELETE", tags3, params={"key": "mlflow.trace.archivalFailure"}, prefix=V3,
               label="archival failure may be deleted (none here)")
        s.get(f"{TRACES}/{tid}/info")

    parity.check(sc)


@pytest.mark.rpc(
    "MlflowService.setTraceTag", "MlflowService.setTraceTagV3",
    "MlflowService.deleteTraceTag", "MlflowService.deleteTraceTagV3", case="error",
)
def test_trace_tag_errors(parity):
    def sc(s):
        eid = new_exp(s)
        tid = new_trace(s, eid)
        missing = "tr-00000000000000000000000000000000"
        tags3 = f"{TRACES}/{tid}/tags"
        s.call("PATCH", tags3, json_body={}, prefix=V3, label="no key")
        s.call("PATCH", tags3, json_body={"key": 5, "value": "x"}, prefix=V3, label="key a number")
        s.call("PATCH", tags3, json_body={"key": "k", "value": 5}, prefix=V3, label="value a number")
        s.call("PATCH", tags3, json_body={"key": "k" * 251, "value": "x"}, prefix=V3, label="key too long")
        s.call("PATCH", tags3, json_body={"key": "../x", "value": "x"}, prefix=V3, label="bad key")
        s.call("PATCH", tags3, json_body={"key": "mlflow.traceName", "value": "n" * 4097}, prefix=V3,
               label="name too long")
        for blocked in ("mlflow.artifactLocation", "mlflow.trace.spansLocation", "mlflow.trace.archiveLocation"):
            s.call("PATCH", tags3, json_body={"key": blocked, "value": "x"}, prefix=V3, label=f"set {blocked}")
            s.call("DELETE", tags3, params={"key": blocked}, prefix=V3, label=f"delete {blocked}")
        s.call("PATCH", f"{TRACES}/{missing}/tags", json_body={"key": "mlflow.traceName", "value": "n"}, prefix=V3,
               label="name a missing trace")
        s.call("DELETE", tags3, params={"key": "nope"}, prefix=V3, label="delete a missing tag")
        s.call("DELETE", f"{TRACES}/{tid}/tags", params={"key": "nope"}, label="v2 delete a missing tag")
        s.call("DELETE", tags3, params={"key": "mlflow.traceName"}, prefix=V3, label="delete an unset name")
        s.call("DELETE", f"{TRACES}/{missing}/tags", params={"key": "mlflow.traceName"}, prefix=V3,
               label="delete the name of a missing trace")
        s.call("DELETE", f"{TRACES}/{missing}/tags", params={"key": "k"}, prefix=V3, label="delete on a missing trace")
        s.call("PATCH", f"{TRACES}/{missing}/tags", json_body={"key": "k", "value": "v"}, prefix=V3,
               label="tag a missing trace")
        s.call("PATCH", f"{TRACES}/{missing}/tags", json_body={"key": "k", "value": "v"}, label="v2 tag a missing trace")
        s.call("DELETE", tags3, prefix=V3, label="delete without key")
        s.get(f"{TRACES}/{tid}", prefix=V3, label="unchanged")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.linkTracesToRun", case="both")
def test_link_traces_to_run(parity):
    def sc(s):
        eid = new_exp(s)
        rid = new_run(s, eid)
        t1 = new_trace(s, eid)
        t2 = new_trace(s, eid, offset=1)
        link = f"{TRACES}/link-to-run"
        s.post(link, {"trace_ids": [t1], "run_id": rid}, prefix=V3)
        s.post(link, {"trace_ids": [t1, t2], "run_id": rid}, prefix=V3, label="again, with one more")
        s.post(link, {"trace_ids": ["tr-unknown"], "run_id": "no-such-run"}, prefix=V3, label="nothing is looked up")
        s.post(link, {"trace_ids": [t2], "run_id": rid}, prefix="/ajax-api/3.0")
        s.post(link, {"run_id": rid}, prefix=V3, label="no trace ids")
        s.post(link, {"trace_ids": [], "run_id": rid}, prefix=V3, label="empty trace ids")
        s.post(link, {"trace_ids": [t1]}, prefix=V3, label="no run id")
        s.post(link, {"trace_ids": [t1], "run_id": 5}, prefix=V3, label="run id a number")
        s.post(link, {"trace_ids": [f"tr-{i:032x}" for i in range(101)], "run_id": rid}, prefix=V3, label="101 traces")
        s.post(link, {"trace_ids": [f"tr-{i:032x}" for i in range(100)], "run_id": rid}, prefix=V3, label="100 traces")
        # Which traces a run is linked to shows in a trace search by run (still forwarded).
        s.get(TRACES, {"experiment_ids": [eid], "filter": f"attributes.run_id = '{rid}'"}, label="search by run")

    parity.check(sc)


def remaining(s, eid, ids, label):
    s.post(f"{TRACES}/batchGetInfos", {"trace_ids": ids, "experiment_ids": [eid]}, prefix=V3, label=label)


@pytest.mark.rpc("MlflowService.deleteTraces", "MlflowService.deleteTracesV3", case="ok")
def test_delete_traces(parity):
    def sc(s):
        eid = new_exp(s)
        other = new_exp(s, "other")
        ids = [new_trace(s, eid, offset=i * 10) for i in range(8)]
        foreign = new_trace(s, other, offset=5)
        add_assessment(s, ids[0], {"assessment_name": "q", "source": {"source_type": "HUMAN"}, "feedback": {"value": 1}})
        delete2, delete3 = f"{TRACES}/delete-traces", f"{TRACES}/delete-traces"
        s.post(delete2, {"experiment_id": eid, "request_ids": [ids[0], foreign, "tr-nope"]}, label="by ids (v2)")
        s.post(delete3, {"experiment_id": eid, "request_ids": [ids[1]]}, prefix=V3, label="by ids (v3)")
        s.post(delete3, {"experiment_id": eid, "max_timestamp_millis": T0 + 30}, prefix="/ajax-api/3.0",
               label="up to a time")
        s.post(delete3, {"experiment_id": eid, "max_timestamp_millis": T0 + 1000, "max_traces": 2}, prefix=V3,
               label="the oldest two")
        s.post(delete2, {"experiment_id": eid, "max_timestamp_millis": 0}, label="nothing that old")
        s.post(delete2, {"experiment_id": "424242", "max_timestamp_millis": T0 + 1000}, label="an unknown experiment")
        remaining(s, eid, ids + [foreign], "what is left")
        s.get(f"{TRACES}/{ids[0]}", prefix=V3, label="a deleted trace")
        s.post(delete2, {"experiment_id": eid, "max_timestamp_millis": T0 + 1000, "max_traces": 100}, label="the rest")
        remaining(s, eid, ids, "none left")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.deleteTraces", "MlflowService.deleteTracesV3", case="error")
def test_delete_traces_errors(parity):
    def sc(s):
        eid = new_exp(s)
        tid = new_trace(s, eid)
        for prefix in ("/api/2.0", V3):
            d = f"{TRACES}/delete-traces"
            s.post(d, {"experiment_id": eid}, prefix=prefix, label="neither time nor ids")
            s.post(d, {"experiment_id": eid, "request_ids": []}, prefix=prefix, label="empty ids")
            s.post(d, {"experiment_id": eid, "request_ids": [tid], "max_timestamp_millis": T0}, prefix=prefix,
                   label="both")
            s.post(d, {"experiment_id": eid, "request_ids": [tid], "max_traces": 1}, prefix=prefix,
                   label="ids and a count")
            s.post(d, {"experiment_id": eid, "max_timestamp_millis": T0, "max_traces": 0}, prefix=prefix,
                   label="count 0")
            s.post(d, {"experiment_id": eid, "max_timestamp_millis": T0, "max_traces": -3}, prefix=prefix,
                   label="negative count")
            s.post(d, {"max_timestamp_millis": T0}, prefix=prefix, label="no experiment")
            s.post(d, {"experiment_id": "abc", "max_timestamp_millis": T0}, prefix=prefix, label="experiment not a number")
            s.post(d, {"experiment_id": eid, "request_ids": tid}, prefix=prefix, label="ids not a list")
            s.post(d, {"experiment_id": eid, "max_timestamp_millis": "soon"}, prefix=prefix, label="time not a number")
            s.post(d, {"experiment_id": eid, "max_timestamp_millis": None, "request_ids": [tid]}, prefix=prefix,
                   label="a null time is no time")
        remaining(s, eid, [tid], "deleted only by the null-time request")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.endTrace", case="ok")
def test_end_trace_v2(parity):
    def sc(s):
        eid = new_exp(s)
        tid = new_trace(s, eid, state="IN_PROGRESS", tags={"keep": "1", "mlflow.traceName": "first"},
                        trace_metadata={"m0": "zero"})
        s.call("PATCH", f"{TRACES}/{tid}", json_body={
            "timestamp_ms": T0 + 2500, "status": "OK",
            "request_metadata": [{"key": "m1", "value": "one"}, {"key": "m0", "value": "replaced"},
                                 {"key": "mlflow.trace.session", "value": "sess"},
                                 {"key": "mlflow.trace.tokenUsage", "value": '{"input_tokens": "3", "total_tokens": 4.0, "output_tokens": true}'},
                                 {"key": "mlflow.trace.cost", "value": '{"total_cost": "0.25", "input_cost": NaN}'}],
            "tags": [{"key": "t", "value": "x"}, {"key": "keep", "value": "2"}, {"key": "mlflow.traceName", "value": "renamed"},
                     {"key": "mlflow.artifactLocation", "value": "dropped"}],
        }, label="end it")
        s.get(f"{TRACES}/{tid}", prefix=V3, label="v3 view")
        s.call("PATCH", f"{TRACES}/{tid}", json_body={"status": "ERROR"}, prefix="/ajax-api/2.0",
               label="no time: the duration is minus the start")
        s.call("PATCH", f"{TRACES}/{tid}", json_body={"timestamp_ms": T0 + 9, "status": "IN_PROGRESS",
                                                     "request_metadata": [{"key": "mlflow.trace.tokenUsage", "value": "not json"}]},
               label="usage that is not JSON")
        s.get(f"{TRACES}/{tid}/info")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.endTrace", case="error")
def test_end_trace_v2_errors(parity):
    def sc(s):
        eid = new_exp(s)
        tid = new_trace(s, eid, state="IN_PROGRESS")
        end = f"{TRACES}/{tid}"
        s.call("PATCH", f"{TRACES}/tr-00000000000000000000000000000000", json_body={"status": "OK"}, label="missing trace")
        s.call("PATCH", f"{TRACES}/link-to-run", json_body={"trace_ids": []}, label="a POST route's path, patched")
        s.call("PATCH", end, json_body={"status": "NOPE"}, label="unknown status")
        s.call("PATCH", end, json_body={"status": "OK", "timestamp_ms": "later"}, label="time not a number")
        s.call("PATCH", end, json_body={"status": "OK", "tags": {"a": "b"}}, label="tags not a list")
        s.call("PATCH", end, json_body={"status": "OK", "tags": [{"value": "b"}]}, label="a tag without key")
        s.call("PATCH", end, json_body={"status": "OK", "tags": [{"key": "mlflow.traceName", "value": "n" * 4097}]},
               label="name too long")
        s.call("PATCH", end, json_body={"status": "OK", "request_metadata": [{"key": "mlflow.trace.session", "value": "s" * 251}]},
               label="session too long")
        s.call("PATCH", end, json_body={"timestamp_ms": T0 + 5, "tags": [{"key": "t", "value": "v"}]},
               label="no status: a 500, and nothing is written")
        s.get(f"{TRACES}/{tid}", prefix=V3, label="unchanged")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.startTraceV3", case="ok")
def test_start_trace_v3(parity):
    def sc(s):
        eid = new_exp(s)
        new_trace(s, eid, record=True, **RICH)
        new_trace(s, eid, offset=3, record=True, state="ERROR", execution_duration="2.0005s",
                  trace_metadata={"mlflow.trace.tokenUsage": '{"input_tokens": 1.5, "total_tokens": "9", "x": 1}',
                                  "mlflow.trace.cost": "[1, 2]"})
        new_trace(s, eid, offset=4, record=True, state="STATE_UNSPECIFIED", request_preview="a\u0000b")
        tid = new_trace(s, eid, offset=5, record=True)
        body = {"trace_id": tid, "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": eid}},
                "request_time": iso(T0 + 6), "state": "OK", "tags": {"late": "1"}, "trace_metadata": {"m": "2"}}
        s.post(TRACES, {"trace": {"trace_info": body}}, prefix="/ajax-api/3.0", label="again: merged (forwarded)")
        with_assessment = dict(body, trace_id="tr-" + uuid.uuid4().hex, assessments=[{
            "assessment_name": "q", "source": {"source_type": "HUMAN", "source_id": "me"}, "feedback": {"value": 2},
            "create_time": iso(T0 + 1), "last_update_time": iso(T0 + 1)}])
        s.post(TRACES, {"trace": {"trace_info": with_assessment}}, prefix=V3, label="with an assessment (forwarded)")
        s.get(f"{TRACES}/{tid}", prefix=V3)

    parity.check(sc)


@pytest.mark.rpc("MlflowService.startTraceV3", case="error")
def test_start_trace_v3_errors(parity):
    def sc(s):
        eid = new_exp(s)
        gone = new_exp(s, "gone")
        s.post("/mlflow/experiments/delete", {"experiment_id": gone}, record=False)
        s.post(TRACES, {}, prefix=V3, label="no trace")
        s.post(TRACES, {"trace": {}}, prefix=V3, label="an empty trace (forwarded)")
        new_trace(s, "424242", record=True)
        new_trace(s, gone, record=True)
        new_trace(s, "abc", record=True)
        for bad in ("", "a/b", "tr-x ", "tr-x.", "tr-50%", "tr-a?b", "tr-a\tb", "..", "tr-" + "f" * 60):
            body = {"trace_id": bad, "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": eid}},
                    "request_time": iso(T0), "state": "OK"}
            s.post(TRACES, {"trace": {"trace_info": body}}, prefix=V3, label=f"trace id {bad!r}")
        new_trace(s, eid, record=True, tags={"mlflow.traceName": "n" * 4097})
        new_trace(s, eid, record=True, trace_metadata={"mlflow.trace.session": "s" * 251})
        new_trace(s, eid, record=True, request_time="yesterday")
        new_trace(s, eid, record=True, execution_duration=5)
        new_trace(s, eid, record=True, tags={"k": 5})
        s.post(TRACES, {"trace": {"trace_info": {"trace_id": "tr-" + uuid.uuid4().hex,
               "trace_location": {"type": "INFERENCE_TABLE", "inference_table": {"full_table_name": "a.b.c"}}}}},
               prefix=V3, label="an inference table (forwarded)")

    parity.check(sc)


def start_v2(s, body, **kw):
    _, out = s.post(TRACES, body, **kw)
    return out.get("trace_info", {}).get("request_id") if isinstance(out, dict) else None


@pytest.mark.rpc("MlflowService.startTrace", case="ok")
def test_start_trace_v2(parity):
    def sc(s):
        eid = new_exp(s)
        rid = start_v2(s, {"experiment_id": eid, "timestamp_ms": T0,
                           "request_metadata": [{"key": "m", "value": "1"}, {"key": "mlflow.trace.session", "value": "s9"}],
                           "tags": [{"key": "mlflow.traceName", "value": "v2"}, {"key": "t", "value": "a"},
                                    {"key": "t", "value": "b"}, {"key": "mlflow.trace.spansLocation", "value": "x"}]})
        start_v2(s, {"experiment_id": eid}, prefix="/ajax-api/2.0", label="no time, nothing else")
        s.get(f"{TRACES}/{rid}/info")
        s.call("PATCH", f"{TRACES}/{rid}", json_body={"timestamp_ms": T0 + 1234, "status": "OK"}, label="end it")
        s.get(f"{TRACES}/{rid}", prefix=V3)

    parity.check(sc)


@pytest.mark.rpc("MlflowService.startTrace", case="error")
def test_start_trace_v2_errors(parity):
    def sc(s):
        gone = new_exp(s, "gone")
        s.post("/mlflow/experiments/delete", {"experiment_id": gone}, record=False)
        s.post(TRACES, {"experiment_id": "424242", "timestamp_ms": T0}, label="unknown experiment")
        s.post(TRACES, {"experiment_id": gone, "timestamp_ms": T0}, label="deleted experiment")
        s.post(TRACES, {"experiment_id": "abc"}, label="experiment id not a number")
        s.post(TRACES, {"timestamp_ms": T0}, label="no experiment id (a 500)")
        s.post(TRACES, {"experiment_id": 5}, label="experiment id a number")
        s.post(TRACES, {"experiment_id": "0", "timestamp_ms": "noon"}, label="time not a number")
        s.post(TRACES, {"experiment_id": "0", "tags": [{"key": "mlflow.traceName", "value": "n" * 4097}]},
               label="name too long")
        s.post(TRACES, {"experiment_id": "0", "tags": {"a": "b"}}, label="tags not a list")
        s.post(TRACES, {"experiment_id": "0", "request_metadata": [{"value": "v"}]}, label="metadata without key")

    parity.check(sc)


SEARCH_RPCS = ("MlflowService.searchTracesV3", "MlflowService.searchTraces")


def search3(s, locations, label=None, **kw):
    body = {"locations": [{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": e}} for e in locations]}
    body.update(kw)
    return s.post(f"{TRACES}/search", body, prefix=V3, label=label)


@pytest.mark.rpc(*SEARCH_RPCS, case="ok")
def test_search_traces(parity):
    def sc(s):
        eid = new_exp(s)
        other = new_exp(s, "other")
        # The same ids on both sides (ordering by request_id, and the tie-breaker, compare them).
        ids = iter(f"tr-{hashlib.md5(s.name(str(i)).encode()).hexdigest()}" for i in range(10))
        new_trace(s, eid, tid=next(ids), offset=30, execution_duration="5s", tags={"mlflow.traceName": "b"},
                  state="ERROR")
        new_trace(s, eid, tid=next(ids), offset=10, execution_duration="1s", tags={"mlflow.traceName": "a"},
                  trace_metadata={"mlflow.trace.session": "s1", "mlflow.trace.tokenUsage": '{"input_tokens": 2}'})
        new_trace(s, eid, tid=next(ids), offset=20, state="IN_PROGRESS")
        new_trace(s, eid, tid=next(ids), offset=20, execution_duration="2s", tags={"mlflow.traceName": "c"})
        new_trace(s, other, tid=next(ids), offset=5)
        search3(s, [eid], label="default order")
        search3(s, [eid, other], label="two experiments")
        search3(s, [eid], order_by=["timestamp_ms ASC"])
        search3(s, [eid], order_by=["execution_time DESC"], label="nulls last, descending")
        search3(s, [eid], order_by=["attributes.execution_time_ms"], label="nulls last, ascending")
        search3(s, [eid], order_by=["end_time DESC"])
        search3(s, [eid], order_by=["trace.status", "name DESC"])
        search3(s, [eid], order_by=["name"], label="by name, nulls last")
        search3(s, [eid], order_by=["request_id DESC"])
        search3(s, [eid, other], order_by=["experiment_id DESC"])
        _, first = search3(s, [eid], max_results=2, label="a page of 2")
        token = first.get("next_page_token") if isinstance(first, dict) else None
        _, second = search3(s, [eid], max_results=2, page_token=token, label="the next page")
        token2 = second.get("next_page_token") if isinstance(second, dict) else None
        search3(s, [eid], max_results=2, page_token=token2, label="past the end")
        search3(s, [eid], max_results=4, label="exactly all: no token")
        search3(s, ["424242"], label="an unknown experiment")
        s.post(f"{TRACES}/search", {"locations": [{"type": "INFERENCE_TABLE", "inference_table": {"full_table_name": "a.b"}}]},
               prefix=V3, label="no experiment location")
        search3(s, [eid], filter="trace.status = 'OK'", label="a filter")
        search3(s, [eid], order_by=["tag.mlflow.traceName DESC"], label="a tag order")
        for prefix in ("/api/2.0", "/ajax-api/2.0"):
            s.get(TRACES, {"experiment_ids": [eid, other], "order_by": ["timestamp_ms ASC"]}, prefix=prefix, label="v2")
        s.get(TRACES, {"experiment_ids": [eid], "max_results": 1}, label="v2 page")

    parity.check(sc)


@pytest.mark.rpc(*SEARCH_RPCS, case="error")
def test_search_traces_errors(parity):
    def sc(s):
        eid = new_exp(s)
        new_trace(s, eid)
        s.post(f"{TRACES}/search", {}, prefix=V3, label="no locations")
        search3(s, [eid], max_results=0, label="max_results 0")
        search3(s, [eid], max_results=501, label="max_results 501")
        search3(s, [eid], max_results=-1, label="negative max_results")
        search3(s, ["1.5"], label="a dotted location")
        search3(s, ["cat.schema.table", "x.y"], label="dotted locations, listed")
        search3(s, [eid], page_token="not base64!", label="bad token")
        search3(s, [eid], page_token="eyJvZmZzZXQiOiAwfQ==", label="offset 0 token")
        search3(s, [eid], order_by=["bogus"], label="unknown order key")
        search3(s, [eid], order_by=["timestamp DESC", "timestamp_ms"], label="duplicate order (a 500)")
        search3(s, [eid], order_by=["metadata.`mlflow.trace.cost` DESC"], label="order by reserved metadata")
        search3(s, [eid], order_by=["feedback.quality"], label="order by an assessment")
        for bad in ("status = 'OK' OR status = 'ERROR'", "tags.team IN ('a')", "span.content = 'x'",
                    "span.colour = 'red'", "feedback.quality > 'high'", "issue.name = 'x'", "issue.id != 'x'",
                    "prompt LIKE 'p/1'", "prompt = 'p'", "metadata.`mlflow.trace.tokenUsage` LIKE '%'",
                    "timestamp > 'noon'", "name = 5", "span.attributes. = 'a'", "feedback. = 'a'",
                    "metric.acc > 1", "trace.status IS NULL", "execution_time_ms LIKE '5'",
                    "status = 'OK' AND feedback.quality = 1"):
            search3(s, [eid], filter=bad, label=f"bad filter: {bad}")
        s.get(TRACES, {"experiment_ids": [eid], "filter": "tags.x ~ 'y'"}, label="v2 bad filter")
        search3(s, [eid], order_by="timestamp", label="order_by not a list")
        s.get(TRACES, {}, label="v2 without experiment ids")
        s.get(TRACES, {"experiment_ids": [eid], "max_results": 600}, label="v2 max_results 600")

    parity.check(sc)


def _now_update_time(body):
    """An update's last_update_time is the server's clock: recorded as <now> when it is today."""
    import datetime

    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if k == "last_update_time" and isinstance(x, str) and x.startswith(today):
                    v[k] = "<now>"
                else:
                    walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(body)
    return body


@pytest.mark.rpc("MlflowService.updateAssessment", case="both")
def test_update_assessment(parity):
    def sc(s):
        eid = new_exp(s)
        tid = new_trace(s, eid)
        aid = iter(f"a-{hashlib.md5(s.name(f'u{i}').encode()).hexdigest()}" for i in range(4))
        fb = create_assessment(s, tid, {"assessment_id": next(aid), "assessment_name": "quality",
                                        "source": {"source_type": "HUMAN", "source_id": "a"}, "feedback": {"value": "good"},
                                        "rationale": "first", "metadata": {"k": "v", "z": "1"}}, record=False)
        ex = create_assessment(s, tid, {"assessment_id": next(aid), "assessment_name": "answer",
                                        "source": {"source_type": "HUMAN"}, "expectation": {"value": "Paris"}}, record=False)
        err = create_assessment(s, tid, {"assessment_id": next(aid), "assessment_name": "judge",
                                         "source": {"source_type": "LLM_JUDGE", "source_id": "j"},
                                         "feedback": {"error": {"error_code": "RATE_LIMIT", "error_message": "slow"}}},
                                record=False)

        def update(a_id, assessment, mask, label, prefix=V3):
            s.call("PATCH", f"{TRACES}/{tid}/assessments/{a_id}", json_body={"assessment": assessment, "update_mask": mask},
                   prefix=prefix, label=label, transform=_now_update_time)

        update(fb, {"assessment_name": "quality2"}, "assessmentName", "rename")
        update(fb, {"feedback": {"value": 0.75}, "rationale": "second"}, "feedback,rationale", "new value and rationale")
        update(fb, {"metadata": {"z": "2", "new": "x"}}, "metadata", "metadata merged")
        update(fb, {"feedback": {"value": {"a": [1, True]}}, "assessment_name": "ignored"}, "feedback", "a dict value, name not in the mask")
        update(fb, {"feedback": {"error": {"error_code": "E", "stack_trace": "tb"}}}, "feedback", "an error instead of a value")
        update(fb, {"rationale": ""}, "rationale", "an empty rationale", prefix="/ajax-api/3.0")
        update(ex, {"expectation": {"value": ["a", 2]}}, "expectation", "expectation value")
        update(ex, {"expectation": {"serialized_value": {"serialization_format": "JSON_FORMAT", "value": '{"x": 1.5}'}}},
               "expectation,metadata", "serialized expectation")
        update(ex, {"rationale": "no effect"}, "rationale", "rationale on an expectation")
        update(err, {"assessment_name": "judge2"}, "assessmentName,fooBar", "an unknown path ignored")
        update(err, {}, "", "an empty mask")
        s.get(f"{TRACES}/{tid}", prefix=V3, label="the trace after the updates", transform=_now_update_time)
        update(fb, {"expectation": {"value": 1}}, "expectation", "expectation on feedback")
        update(ex, {"feedback": {"value": 1}}, "feedback", "feedback on an expectation")
        update(fb, {"feedback": {"value": 1}, "expectation": {"value": 2}}, "feedback,expectation", "both")
        update(ex, {}, "expectation", "expectation without a value")
        update(ex, {"expectation": {"serialized_value": {"serialization_format": "XML", "value": "<a/>"}}}, "expectation",
               "unknown serialization")
        update("a-missing", {"assessment_name": "x"}, "assessmentName", "unknown assessment")
        s.call("PATCH", f"{TRACES}/tr-missing/assessments/{fb}", json_body={"assessment": {}, "update_mask": "rationale"},
               prefix=V3, label="unknown trace")
        update(fb, {"assessment_name": "x"}, "assessment_name", "a snake_case mask path")
        update(fb, {"valid": False}, "valid", "valid (a 500)")
        s.call("PATCH", f"{TRACES}/{tid}/assessments/{fb}", json_body={"update_mask": "rationale"}, prefix=V3,
               label="no assessment")
        s.call("PATCH", f"{TRACES}/{tid}/assessments/{fb}", json_body={"assessment": {}}, prefix=V3, label="no mask")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.calculateTraceFilterCorrelation", case="both")
def test_trace_filter_correlation(parity):
    def sc(s):
        eid = new_exp(s)
        for i, (state, team) in enumerate([("OK", "a"), ("OK", "a"), ("ERROR", "a"), ("ERROR", "b"), ("OK", "b")]):
            new_trace(s, eid, offset=i * 1000, state=state, tags={"team": team})
        corr = f"{TRACES}/calculate-filter-correlation"
        s.post(corr, {"experiment_ids": [eid], "filter_string1": "trace.status = 'ERROR'",
                      "filter_string2": "tags.team = 'b'"}, prefix=V3, label="two filters")
        s.post(corr, {"experiment_ids": [eid], "filter_string1": "trace.status = 'OK'", "filter_string2": "tags.team = 'a'",
                      "base_filter": "timestamp_ms >= 1600000001000"}, prefix=V3, label="with a base filter")
        s.post(corr, {"experiment_ids": [eid], "filter_string1": "trace.status = 'OK'",
                      "filter_string2": "trace.status = 'OK'"}, prefix="/ajax-api/3.0", label="a filter with itself")
        s.post(corr, {"experiment_ids": [eid], "filter_string1": "tags.team = 'z'", "filter_string2": "tags.team = 'a'"},
               prefix=V3, label="no support: NaN left out")
        s.post(corr, {"experiment_ids": ["424242"], "filter_string1": "status = 'OK'", "filter_string2": "status = 'OK'"},
               prefix=V3, label="an unknown experiment")
        s.post(corr, {"experiment_ids": ["abc"], "filter_string1": "status = 'OK'", "filter_string2": "status = 'OK'"},
               prefix=V3, label="a bad experiment id")
        s.post(corr, {"experiment_ids": [eid], "filter_string1": "status = 'OK'"}, prefix=V3, label="no second filter")
        s.post(corr, {"experiment_ids": [eid], "filter_string1": "status = 'OK'", "filter_string2": "bogus = 1"},
               prefix=V3, label="a bad filter")
        s.post(corr, {"experiment_ids": [eid], "filter_string1": "status = 'OK'", "filter_string2": "status = 'OK'",
                      "base_filter": "x y z"}, prefix=V3, label="a bad base filter")
        s.post(corr, {"filter_string1": "status = 'OK'", "filter_string2": "status = 'OK'"}, prefix=V3,
               label="no experiment ids")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.linkPromptsToTrace", case="both")
def test_link_prompts_to_trace(parity):
    def sc(s):
        eid = new_exp(s)
        tid = new_trace(s, eid)
        other = new_trace(s, eid, offset=1)
        link = f"{TRACES}/link-prompts"
        s.post(link, {"trace_id": tid, "prompt_versions": [{"name": "qa", "version": "1"}, {"name": "qa", "version": " 02 "}]},
               label="two versions (str(int(version)))")
        s.post(link, {"trace_id": tid, "prompt_versions": [{"name": "qa", "version": "2"}, {"name": "summary", "version": "7"}]},
               label="one linked already, one new")
        s.post(link, {"trace_id": other, "prompt_versions": [{"name": "qa", "version": "1"}]}, prefix="/ajax-api/2.0")
        for f in ("prompt = 'qa/1'", "prompt = 'qa/2'", "prompt = 'summary/7'", "prompt = 'qa/3'"):
            search3(s, [eid], filter=f, label=f"search {f}")
        s.post(link, {"trace_id": "tr-missing", "prompt_versions": [{"name": "qa", "version": "1"}]}, label="unknown trace")
        s.post(link, {"trace_id": "tr-missing", "prompt_versions": []}, label="no versions, unknown trace")
        s.post(link, {"prompt_versions": [{"name": "qa", "version": "1"}]}, label="no trace id")
        s.post(link, {"trace_id": tid}, label="no prompt versions")
        s.post(link, {"trace_id": tid, "prompt_versions": {"name": "qa"}}, label="versions not a list")
        s.post(link, {"trace_id": tid, "prompt_versions": [{"name": "qa", "version": "v1"}]}, label="version not a number (a 500)")
        s.post(link, {"trace_id": tid, "prompt_versions": [{"name": "x", "version": "1"}, {"name": "x", "version": "1"}]},
               label="a version twice (the primary key)")

    parity.check(sc)


@pytest.mark.rpc(*SEARCH_RPCS, case="ok")
def test_search_traces_filters(parity):
    """Every entity of the trace filter grammar against a small fixture. Prompt links and issue
    references are written through the Python child (not native yet); the searches are native."""

    def sc(s):
        eid = new_exp(s)
        rid = new_run(s, eid)
        ids = [f"tr-{hashlib.md5(s.name(f'f{i}').encode()).hexdigest()}" for i in range(5)]
        new_trace(s, eid, tid=ids[0], offset=0, execution_duration="2s", client_request_id="req-A",
                  tags={"mlflow.traceName": "predict", "team": "red"},
                  trace_metadata={"mlflow.trace.session": "s1", "mlflow.sourceRun": rid, "env": "prod",
                                  "mlflow.trace.tokenUsage": '{"input_tokens": 3, "output_tokens": 4, "total_tokens": 7}'})
        new_trace(s, eid, tid=ids[1], offset=1000, state="ERROR", tags={"mlflow.traceName": "Predict", "team": "Red"},
                  trace_metadata={"mlflow.trace.session": "s1", "mlflow.trace.cost": '{"input_cost": 0.25, "total_cost": 1.0}'})
        new_trace(s, eid, tid=ids[2], offset=2000, state="IN_PROGRESS", tags={"team": "b%c"},
                  trace_metadata={"mlflow.trace.session": "s2", "env": "dev"})
        new_trace(s, eid, tid=ids[3], offset=3000, execution_duration="0.5s", tags={"mlflow.traceName": "chat"})
        new_trace(s, eid, tid=ids[4], offset=4000)
        s.post(f"{TRACES}/link-to-run", {"trace_ids": [ids[3]], "run_id": rid}, record=False)
        s.post(f"{TRACES}/link-prompts", {"trace_id": ids[2], "prompt_versions": [{"name": "qa", "version": "2"}]},
               record=False)
        add_assessment(s, ids[0], {"assessment_name": "quality", "source": {"source_type": "HUMAN", "source_id": "a"},
                                   "feedback": {"value": 0.75}})
        add_assessment(s, ids[1], {"assessment_name": "verdict", "source": {"source_type": "HUMAN", "source_id": "a"},
                                   "feedback": {"value": "yes"}, "metadata": {"mlflow.trace.session": "s1"}})
        add_assessment(s, ids[3], {"assessment_name": "answer", "source": {"source_type": "HUMAN"},
                                   "expectation": {"value": "Paris"}})
        add_assessment(s, ids[4], {"assessment_name": "issue-1", "source": {"source_type": "HUMAN"},
                                   "issue": {"issue_name": "slow answers"}})
        for f in (
            "trace.status = 'OK'", "status IN ('ERROR', 'IN_PROGRESS')", "status RLIKE '^(OK|ERROR)$'",
            "client_request_id ILIKE 'REQ-%'", "timestamp_ms > 1600000001000", f"timestamp >= {T0 + 1000}",
            "execution_time < 1000", f"end_time_ms >= {T0 + 2000}", "name = 'predict'", "name ILIKE 'predict'",
            "trace.name IS NULL", "tags.team = 'Red'", "tags.team LIKE 'b%'", "tags.team IS NOT NULL",
            "metadata.env != 'prod'", "metadata.env IS NULL", "metadata.`mlflow.trace.session` = 's1'",
            'metadata.`mlflow.trace.tokenUsage` = \'{"input_tokens": 3, "output_tokens": 4, "total_tokens": 7}\'',
            "metadata.`mlflow.trace.cost` IS NOT NULL", "metadata.`mlflow.trace.cost` != '{}'",
            f"run_id = '{rid}'", f"metadata.mlflow.sourceRun != '{rid}'", "prompt = 'qa/2'", "issue.id = 'issue-1'",
            "feedback.quality > 0.5", "feedback.quality <= 0.5", "feedback.verdict = 'yes'",
            "feedback.verdict IS NOT NULL", "feedback.verdict IS NULL", "expectation.answer LIKE '%ar%'",
            "expectation.answer = 'paris'", "status = 'OK' AND tags.team ILIKE 'red' AND timestamp_ms < 1600000009000",
        ):
            search3(s, [eid], filter=f, label=f"filter: {f}")
        search3(s, [eid], order_by=["tags.team DESC"], label="by a tag, nulls last")
        search3(s, [eid], order_by=["metadata.env", "timestamp_ms DESC"], label="by metadata")
        search3(s, [eid], order_by=["metadata.`mlflow.trace.session` DESC"], label="by session")
        search3(s, [eid], order_by=["run_id"], label="by source run")
        search3(s, [eid], filter="tags.team IS NOT NULL", order_by=["name"], max_results=1, label="a filtered page")
        s.get(TRACES, {"experiment_ids": [eid], "filter": "name = 'chat'", "order_by": ["tags.team"]}, label="v2 filtered")

    parity.check(sc)


def create_assessment(s, tid, assessment, **kw):
    body = {"assessment": {"trace_id": tid, "create_time": iso(T0 + 7), "last_update_time": iso(T0 + 9), **assessment}}
    _, out = s.post(f"{TRACES}/{tid}/assessments", body, prefix=V3, **kw)
    return out.get("assessment", {}).get("assessment_id") if isinstance(out, dict) else None


@pytest.mark.rpc("MlflowService.GetAssessment", "MlflowService.deleteAssessment", case="both")
def test_get_and_delete_assessments(parity):
    def sc(s):
        eid = new_exp(s)
        tid = new_trace(s, eid)
        # The same assessment ids on both sides: MySQL returns a trace's assessments in id order.
        aid = iter(f"a-{hashlib.md5(s.name(f'a{i}').encode()).hexdigest()}" for i in range(3))
        first = create_assessment(s, tid, {"assessment_id": next(aid), "assessment_name": "quality", "source": {"source_type": "HUMAN", "source_id": "a"},
                                           "feedback": {"value": "good"}, "metadata": {"n": "1"}}, label="create")
        second = create_assessment(s, tid, {"assessment_id": next(aid), "assessment_name": "quality",
                                            "source": {"source_type": "LLM_JUDGE", "source_id": "j"},
                                            "feedback": {"value": 0.5}, "rationale": "r", "overrides": first},
                                   label="create an override")
        expected = create_assessment(s, tid, {"assessment_id": next(aid), "assessment_name": "answer",
                                              "source": {"source_type": "HUMAN"},
                                              "expectation": {"value": ["a", {"b": 1}]}}, label="create an expectation")
        one = f"{TRACES}/{tid}/assessments"
        for aid in (first, second, expected):
            s.get(f"{one}/{aid}", prefix=V3)
        s.get(f"{one}/{first}", prefix="/ajax-api/3.0", label="ajax")
        s.get(f"{one}/a-00000000000000000000000000000000", prefix=V3, label="missing assessment")
        s.get(f"{TRACES}/tr-00000000000000000000000000000000/assessments/{first}", prefix=V3, label="missing trace")
        s.call("DELETE", f"{one}/{second}", prefix=V3, label="delete the override")
        s.get(f"{one}/{first}", prefix=V3, label="valid again")
        s.get(f"{one}/{second}", prefix=V3, label="gone")
        s.call("DELETE", f"{one}/{second}", prefix=V3, label="delete again")
        s.call("DELETE", f"{TRACES}/tr-00000000000000000000000000000000/assessments/{first}", prefix="/ajax-api/3.0",
               label="delete on a missing trace")
        s.get(f"{TRACES}/{tid}", prefix=V3, label="the trace's assessments")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.getTrace", "MlflowService.batchGetTraces", case="both")
def test_get_trace_without_stored_spans(parity):
    def sc(s):
        eid = new_exp(s)
        tid = new_trace(s, eid)
        other = new_trace(s, eid, offset=1)
        missing = "tr-00000000000000000000000000000000"
        get = f"{TRACES}/get"
        s.get(get, {"trace_id": tid}, prefix=V3, label="spans not in the database")
        s.get(get, {"trace_id": tid, "allow_partial": "true"}, prefix="/ajax-api/3.0", label="partial allowed")
        s.get(get, {"trace_id": missing}, prefix=V3, label="missing trace")
        s.get(get, {}, prefix=V3, label="no trace id")
        s.get(get, {"trace_id": tid, "allow_partial": "maybe"}, prefix=V3, label="allow_partial not a bool")
        batch = f"{TRACES}/batchGet"
        s.get(batch, {"trace_ids": [missing]}, prefix=V3, label="batch of a missing trace")
        s.get(batch, {"trace_ids": [missing, tid, other]}, prefix=V3, label="batch with traces without stored spans")
        s.get(batch, {"trace_ids": [tid], "experiment_ids": ["424242"]}, prefix=V3, label="batch scoped elsewhere")
        s.get(batch, {"trace_ids": [tid], "experiment_ids": ["x"]}, prefix=V3, label="batch, experiment id not a number")
        s.get(batch, {}, prefix=V3, label="batch without ids")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.createAssessment", case="ok")
def test_create_assessments(parity):
    def sc(s):
        eid = new_exp(s)
        tid = new_trace(s, eid)
        aid = iter(f"a-{hashlib.md5(s.name(f'c{i}').encode()).hexdigest()}" for i in range(20))
        human = {"source_type": "HUMAN", "source_id": "ann"}
        for label, body in [
            ("a number", {"feedback": {"value": 3}, "source": human, "rationale": "because"}),
            ("a float", {"feedback": {"value": 0.25}, "source": {"source_type": "LLM_JUDGE", "source_id": "gpt"}}),
            ("a bool", {"feedback": {"value": False}, "source": {"source_type": "CODE"}}),
            ("yes", {"feedback": {"value": "Yes"}, "source": human}),
            ("a dict", {"feedback": {"value": {"a": 1, "b": [True, "x"]}}, "source": human,
                        "metadata": {"mlflow.assessment.sourceRunId": "r1", "k": "v"}, "span_id": "sp1"}),
            ("an error", {"feedback": {"error": {"error_code": "TIMEOUT", "error_message": "slow"}}, "source": human}),
            ("no source", {"feedback": {"value": "x"}}),
            ("an expectation", {"expectation": {"value": "Paris"}, "source": human}),
            ("a numeric expectation", {"expectation": {"value": 42}, "source": human}),
            ("a serialized expectation", {"expectation": {"serialized_value": {
                "serialization_format": "JSON_FORMAT", "value": '{"facts": ["a", 2.5], "n": 1}'}}, "source": human,
                "rationale": "dropped", "overrides": "dropped"}),
        ]:
            create_assessment(s, tid, {"assessment_id": next(aid), "assessment_name": label, **body}, label=label)
        first = next(aid)
        create_assessment(s, tid, {"assessment_id": first, "assessment_name": "q", "feedback": {"value": 1}, "source": human},
                          label="to override")
        create_assessment(s, tid, {"assessment_id": next(aid), "assessment_name": "q", "feedback": {"value": 2},
                                   "source": human, "overrides": first}, label="an override")
        # A generated id on a trace of its own (MySQL lists a trace's assessments in id order).
        create_assessment(s, new_trace(s, eid, offset=1), {"assessment_name": "generated id", "feedback": {"value": 1},
                                                           "source": human, "create_time": iso(T0),
                                                           "last_update_time": iso(T0)}, label="no id given")
        s.get(f"{TRACES}/{tid}/assessments/{first}", prefix=V3, label="overridden")
        s.get(f"{TRACES}/{tid}", prefix=V3, label="the trace's assessments")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.createAssessment", case="error")
def test_create_assessment_errors(parity):
    def sc(s):
        eid = new_exp(s)
        tid = new_trace(s, eid)
        human = {"source_type": "HUMAN", "source_id": "ann"}
        dup = "a-" + hashlib.md5(s.name("dup").encode()).hexdigest()
        create_assessment(s, "tr-00000000000000000000000000000000", {"assessment_name": "q", "feedback": {"value": 1}},
                          label="a missing trace")
        create_assessment(s, tid, {"assessment_name": "q", "source": human}, label="no value kind")
        create_assessment(s, tid, {"assessment_name": "q", "expectation": {}}, label="an expectation without value")
        create_assessment(s, tid, {"assessment_name": "q", "expectation": {"serialized_value": {
            "serialization_format": "YAML", "value": "a: 1"}}}, label="an unknown serialization")
        create_assessment(s, tid, {"assessment_name": "q", "feedback": {"value": 1}, "overrides": "a-nope"},
                          label="overrides a missing assessment")
        create_assessment(s, tid, {"assessment_id": dup, "assessment_name": "q", "feedback": {"value": 1}}, label="first")
        create_assessment(s, tid, {"assessment_id": dup, "assessment_name": "q", "feedback": {"value": 1}}, label="same id")
        # Written (the unknown name reads as unset): a fixed id, as MySQL lists assessments in id order.
        create_assessment(s, tid, {"assessment_id": "a-" + hashlib.md5(s.name("robot").encode()).hexdigest(),
                                   "assessment_name": "q", "feedback": {"value": 1}, "source": {"source_type": "ROBOT"}},
                          label="an unknown source type")
        create_assessment(s, new_trace(s, eid, offset=1), {"assessment_name": "i", "issue": {"issue_name": "slow"}},
                          label="an issue (forwarded), on a trace of its own")
        s.post(f"{TRACES}/{tid}/assessments", {}, prefix=V3, label="no assessment")
        s.get(f"{TRACES}/{tid}", prefix=V3, label="what was written")

    parity.check(sc)



@pytest.mark.rpc("MlflowService.searchUnifiedTraceHandler", "MlflowService.getOnlineTraceDetails", case="both")
def test_rpcs_without_an_mlflow_handler(parity):
    """Routes MLflow declares but maps to `_not_implemented`: an empty 404."""

    def sc(s):
        for path in ("/mlflow/unified-traces", "/mlflow/get-online-trace-details"):
            for prefix in ("/api/2.0", "/ajax-api/2.0"):
                s.get(path, {"experiment_ids": "0"}, prefix=prefix, headers_of_interest=("content-type", "content-length"))
            s.call("POST", path, json_body={}, label=f"POST {path}", headers_of_interest=("content-type",))

    parity.check(sc)


@pytest.mark.rpc("MlflowService.createAssessment", case="ok")
def test_issue_references(parity):
    def sc(s):
        eid = new_exp(s)
        tid = new_trace(s, eid)
        aid = iter(f"a-{hashlib.md5(s.name(f'i{i}').encode()).hexdigest()}" for i in range(3))
        first = create_assessment(s, tid, {"assessment_id": next(aid), "assessment_name": "iss-1",
                                           "source": {"source_type": "LLM_JUDGE", "source_id": "detector"},
                                           "issue": {"issue_name": "Slow answers"}, "rationale": "p99 > 5s",
                                           "metadata": {"mlflow.assessment.sourceRunId": "r-1", "k": "v"}},
                                  label="an issue reference")
        create_assessment(s, tid, {"assessment_id": next(aid), "assessment_name": "iss-2", "issue": {},
                                   "overrides": first}, label="no issue name, no source, an override (ignored)")
        s.get(f"{TRACES}/{tid}/assessments/{first}", prefix=V3, label="read back")
        s.get(f"{TRACES}/{tid}", prefix=V3, label="on the trace")
        search3(s, [eid], filter="issue.id = 'iss-2'", label="found by issue id")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.startTraceV3", case="ok")
def test_start_trace_with_assessments(parity):
    def sc(s):
        eid = new_exp(s)
        tid = "tr-" + hashlib.md5(s.name("with-assessments").encode()).hexdigest()
        ids = [f"a-{hashlib.md5(s.name(f'sa{i}').encode()).hexdigest()}" for i in range(3)]
        ids.sort(reverse=True)  # not in id order: the answer keeps the request's order
        assessments = [
            {"assessment_id": ids[0], "assessment_name": "quality", "source": {"source_type": "HUMAN", "source_id": "a"},
             "feedback": {"value": 0.5}, "rationale": "ok", "metadata": {"k": "v"}},
            {"assessment_id": ids[1], "assessment_name": "answer", "source": {"source_type": "HUMAN"},
             "expectation": {"value": {"city": "Paris"}}},
            {"assessment_id": ids[2], "assessment_name": "iss-1", "issue": {"issue_name": "slow"},
             "create_time": iso(T0 + 3), "last_update_time": iso(T0 + 4)},
        ]
        for a in assessments[:2]:
            a.update(create_time=iso(T0 + 1), last_update_time=iso(T0 + 2))
        new_trace(s, eid, tid=tid, record=True, assessments=assessments, tags={"mlflow.traceName": "t"})
        s.get(f"{TRACES}/{tid}", prefix=V3, label="read back")
        search3(s, [eid], filter="feedback.quality >= 0.5", label="searched by the feedback")
        bad = "tr-" + hashlib.md5(s.name("bad-assessment").encode()).hexdigest()
        new_trace(s, eid, tid=bad, record=True, assessments=[{"assessment_name": "x"}])

    parity.check(sc)


def _assessments_by_id(body):
    """A trace's assessments in id order (MLflow reads them without ORDER BY: heap order)."""
    info = (body.get("trace") or {}).get("trace_info") if isinstance(body, dict) else None
    if isinstance(info, dict) and isinstance(info.get("assessments"), list):
        info["assessments"].sort(key=lambda a: a.get("assessment_id", ""))
    return body


@pytest.mark.rpc("MlflowService.startTraceV3", case="both")
def test_start_trace_merges_assessments(parity):
    """startTraceV3 with assessments for a trace that exists (its spans, or an earlier start, came
    first): MLflow merges them by id (a stored one is replaced whole, valid again; a new one is
    added), refuses one that belongs to another trace, and a new trace whose assessment id is taken
    takes the merge path and finds no trace."""

    def sc(s):
        eid = new_exp(s)
        tid = "tr-" + hashlib.md5(s.name("merge-target").encode()).hexdigest()
        other = "tr-" + hashlib.md5(s.name("merge-other").encode()).hexdigest()
        aid = [f"a-{hashlib.md5(s.name(f'm{i}').encode()).hexdigest()}" for i in range(4)]
        human = {"source_type": "HUMAN", "source_id": "r"}
        new_trace(s, eid, tid=tid, tags={"mlflow.traceName": "first"})
        new_trace(s, eid, tid=other, offset=5)
        add_assessment(s, tid, {"assessment_id": aid[0], "assessment_name": "quality", "source": human,
                                "feedback": {"value": "bad"}, "rationale": "old", "metadata": {"old": "1"}})
        add_assessment(s, tid, {"assessment_id": aid[1], "assessment_name": "kept", "source": human,
                                "feedback": {"value": 1}})
        add_assessment(s, tid, {"assessment_id": aid[3], "assessment_name": "override", "source": human,
                                "feedback": {"value": 2}, "overrides": aid[1]})
        add_assessment(s, other, {"assessment_id": aid[2], "assessment_name": "elsewhere", "source": human,
                                  "expectation": {"value": "x"}})
        s.get(f"{TRACES}/{tid}", prefix=V3, label="before", transform=_assessments_by_id)

        def start(trace_id, assessments, label, offset=1):
            body = {"trace_id": trace_id,
                    "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": eid}},
                    "request_time": iso(T0 + offset), "state": "OK", "assessments": assessments,
                    "tags": {"mlflow.traceName": "second"}}
            s.post(TRACES, {"trace": {"trace_info": body}}, prefix=V3, label=label, transform=_assessments_by_id)

        replaced = {"assessment_id": aid[0], "assessment_name": "quality", "source": {"source_type": "LLM_JUDGE"},
                    "feedback": {"value": 0.9}, "create_time": iso(T0 + 20), "last_update_time": iso(T0 + 21)}
        revalidated = {"assessment_id": aid[1], "assessment_name": "kept", "source": human,
                       "expectation": {"value": [1, 2]}, "create_time": iso(T0 + 22), "last_update_time": iso(T0 + 23)}
        added = {"assessment_id": "a-" + hashlib.md5(s.name("m-new").encode()).hexdigest(), "assessment_name": "new",
                 "source": human, "feedback": {"value": True}, "rationale": "r", "metadata": {"n": "1"},
                 "create_time": iso(T0 + 24), "last_update_time": iso(T0 + 25)}
        start(tid, [replaced, revalidated, added], "merge into an existing trace")
        s.get(f"{TRACES}/{tid}", prefix=V3, label="after the merge", transform=_assessments_by_id)
        search3(s, [eid], filter="feedback.quality > 0.5", label="searched by the merged value")
        foreign = {"assessment_id": aid[2], "assessment_name": "stolen", "source": human, "feedback": {"value": 1},
                   "create_time": iso(T0 + 26), "last_update_time": iso(T0 + 27)}
        start(tid, [added, foreign], "an assessment of another trace")
        s.get(f"{TRACES}/{other}", prefix=V3, label="the other trace untouched", transform=_assessments_by_id)
        fresh = "tr-" + hashlib.md5(s.name("merge-fresh").encode()).hexdigest()
        start(fresh, [foreign], "a new trace with a taken assessment id", offset=9)
        s.get(f"{TRACES}/{fresh}", prefix=V3, label="no such trace after")

    parity.check(sc)
