"""Seeded differential fuzzing of OTLP span ingest and the reads of what it stored.

Each seed sends the same random OTLP/JSON batches to both servers: traces of 1-6 spans over one
or two batches, span names and statuses (with and without messages), kinds, parents, events, and
attribute values of every AnyValue kind (strings that are JSON texts and strings that are not,
unicode and escapes, ints as strings and numbers, past 2^53 too, doubles with and without a
fraction, booleans, arrays and key-value lists, nested), with MLflow's own keys now and then
(span type, inputs, outputs, token usage). Then it reads every trace back with getTrace,
batchGetTraces and the trace info, and compares the answers. The candidate is standalone: every
answer is mlflow-ts' own (values mlflow-ts hands to the Python server are not generated).

Set MLFLOW_TS_OTLP_FUZZ_SEEDS=1,2 and MLFLOW_TS_OTLP_FUZZ_TRACES=N to explore.
"""

from __future__ import annotations

import hashlib
import json
import os
import random

import pytest

from conftest import DIALECTS, open_pair
from test_http_otlp import NS0, json_span, kv, otlp_json
from test_http_runs import new_exp
from test_http_traces import TRACES, V3

SEEDS = [int(x) for x in os.environ.get("MLFLOW_TS_OTLP_FUZZ_SEEDS", "4,11").split(",") if x.strip()]
N_TRACES = int(os.environ.get("MLFLOW_TS_OTLP_FUZZ_TRACES", "12"))

TEXTS = ["", "plain", "x y", "é ü 漢字", "😀", 'q"uote', "back\\slash", "line\nbreak", "tab\t", "\u2028", "null",
         "true", "1.5", "-0", "007", "NaN", " 5 "]
JSON_TEXTS = ['"answer"', '"é"', '""', "3", "-0", "2.0", "1e-05", "9007199254740993", "-9223372036854775808",
              "true", "null", "[]", "{}", '[1, 2.5, null, "s", [true]]', '{"k": 1, "b": {"c": null}}',
              '{"k": {}, "k": 1, "2": null}', '{"question": "why?", "k": 2, "ratio": 2.0}', "NaN", "[1e400]",
              '"\\ud83d\\ude00"', '{"\\u00e9": "x"}']
KEYS = ["a", "b", "x.y", "é", "mlflow.custom", "2"]
SPAN_TYPES = ['"LLM"', '"AGENT"', '"TOOL"', '"CHAIN"', '"RETRIEVER"', '"CHAT_MODEL"', '"UNKNOWN"']


def any_value(rng, depth=0):
    kind = rng.choice(["text", "json", "json", "int", "int_num", "double", "bool", "array", "kvlist"])
    if depth > 2 and kind in ("array", "kvlist"):
        kind = "text"
    if kind == "text":
        return {"stringValue": rng.choice(TEXTS)}
    if kind == "json":
        return {"stringValue": rng.choice(JSON_TEXTS)}
    if kind == "int":
        return {"intValue": str(rng.choice([0, -1, 7, 2**53 + 1, -(2**63), 2**63 - 1]))}
    if kind == "int_num":
        return {"intValue": rng.choice([0, 3, -12])}
    if kind == "double":
        return {"doubleValue": rng.choice([0.0, 0.25, 1.0, -2.5, 1e-7, 1e16, 123456.789])}
    if kind == "bool":
        return {"boolValue": rng.random() < 0.5}
    if kind == "array":
        return {"arrayValue": {"values": [any_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]}}
    return {"kvlistValue": {"values": [kv(rng.choice(KEYS), **any_value(rng, depth + 1))
                                       for _ in range(rng.randint(0, 3))]}}


def attributes(rng):
    out = []
    for _ in range(rng.randint(0, 5)):
        out.append(kv(rng.choice(KEYS), **any_value(rng)))
    if rng.random() < 0.7:
        out.append(kv("mlflow.spanType", stringValue=rng.choice(SPAN_TYPES)))
    if rng.random() < 0.4:
        out.append(kv("mlflow.spanInputs", stringValue=rng.choice(JSON_TEXTS)))
    if rng.random() < 0.4:
        out.append(kv("mlflow.spanOutputs", stringValue=rng.choice(JSON_TEXTS)))
    if rng.random() < 0.2:
        t = rng.choice([1, 10, 0])
        out.append(kv("mlflow.chat.tokenUsage",
                      stringValue=json.dumps({"input_tokens": t, "output_tokens": 2, "total_tokens": t + 2})))
    return out


def gen_traces(rng):
    traces = []
    for i in range(N_TRACES):
        spans = []
        for j in range(rng.randint(1, 6)):
            start = NS0 + i * 10_000_000 + j * 1_000 + rng.choice([0, 1, 999_999])
            span = {
                "name": rng.choice(["agent", "llm", "", "é tool", 'q"x', "retrieve"]),
                "start": start,
                "end": start + rng.choice([0, 1, 5_000_000]),
                "kind": rng.choice([0, 1, 2, 3, 4, 5]),
                "parent": None if j == 0 else rng.randrange(j),
                "attributes": attributes(rng),
                "status": rng.choice([{"code": 0}, {"code": 1}, {"code": 2, "message": "boom"},
                                      {"code": 2}, {"code": 1, "message": "ignored"}]),
                "events": [],
            }
            for _ in range(rng.choice([0, 0, 0, 1, 2])):
                span["events"].append({
                    "name": rng.choice(["exception", "", "é"]),
                    "timeUnixNano": str(start + rng.choice([0, 7])),
                    "attributes": [kv(rng.choice(KEYS), **any_value(rng)) for _ in range(rng.randint(0, 3))],
                })
            spans.append(span)
        traces.append({"spans": spans, "split": rng.random() < 0.3})
    return traces


def hex_id(s, seed, label, nbytes):
    return hashlib.md5(s.name(f"{seed}-{label}").encode()).hexdigest()[: nbytes * 2]


@pytest.fixture(scope="module", params=DIALECTS)
def server_pair(request, tmp_path_factory):
    yield from open_pair(request.param, tmp_path_factory, "parity-otlp-fuzz")


@pytest.mark.rpc("MlflowService.getTrace", "MlflowService.batchGetTraces", case="ok")
def test_otlp_roundtrip_fuzz(parity):
    def sc(s):
        eid = new_exp(s, "otlp-fuzz")
        for seed in SEEDS:
            rng = random.Random(seed)
            ids = []
            for i, t in enumerate(gen_traces(rng)):
                trace_hex = hex_id(s, seed, f"t{i}", 16)
                span_ids = [hex_id(s, seed, f"t{i}.s{j}", 8) for j in range(len(t["spans"]))]
                out = []
                for j, sp in enumerate(t["spans"]):
                    span = json_span(trace_hex, span_ids[j], sp["name"], sp["start"], sp["end"],
                                     parent=None if sp["parent"] is None else span_ids[sp["parent"]],
                                     attributes=sp["attributes"], events=sp["events"], status=sp["status"],
                                     kind=sp["kind"])
                    out.append(span)
                label = f"s{seed} t{i}"
                if t["split"] and len(out) > 1:
                    otlp_json(s, eid, out[1:], label=f"{label} children")
                    otlp_json(s, eid, out[:1], label=f"{label} root")
                else:
                    otlp_json(s, eid, out, label=label)
                tid = "tr-" + trace_hex
                ids.append(tid)
                status, got = s.get(f"{TRACES}/get", {"trace_id": tid, "allow_partial": "true"}, prefix=V3,
                                    label=f"{label} get")
                # Not a comparison of two refusals: every batch is one both servers store.
                assert status == 200 and len(got["trace"]["spans"]) == len(out), (label, status, got)
                s.get(f"{TRACES}/{tid}", prefix=V3, label=f"{label} info")
            s.get(f"{TRACES}/batchGet", {"trace_ids": ids}, prefix=V3, label=f"s{seed} batch")

    parity.check(sc)
