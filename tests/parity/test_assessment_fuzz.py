"""Seeded, stateful differential fuzzing of assessments on a trace.

Each seed runs the same random sequence on both servers against one trace: creates (feedback and
expectations; values of every JSON kind, errors, rationales, metadata, sources, span ids, and
overrides of an earlier assessment, so that `valid` flips), updates (camelCase mask paths, now and
then one the assessment does not take or an unknown one), deletes and gets, of assessments that
exist and that do not. After every mutation the trace's assessments are read back (in id order:
MLflow lists them without ORDER BY). The candidate is standalone: every answer is mlflow-ts' own
(the update forms it hands to the Python server, a snake_case mask path and `valid`, are not
generated).

Set MLFLOW_TS_ASSESSMENT_FUZZ_SEEDS=1,2 and MLFLOW_TS_ASSESSMENT_FUZZ_OPS=N to explore.
"""

from __future__ import annotations

import hashlib
import os
import random

import pytest

from conftest import DIALECTS, open_pair
from test_http_runs import T0, new_exp
from test_http_traces import TRACES, V3, _assessments_by_id, _now_update_time, iso

SEEDS = [int(x) for x in os.environ.get("MLFLOW_TS_ASSESSMENT_FUZZ_SEEDS", "2,9").split(",") if x.strip()]
N_OPS = int(os.environ.get("MLFLOW_TS_ASSESSMENT_FUZZ_OPS", "40"))

NAMES = ["quality", "Quality", "answer", "rel"]
VALUES = ["good", "", "é", 0, 1, 0.5, -2.25, True, False, None, [1, "a", None], {"k": [True, 1.5]}, {}]
SOURCES = [{"source_type": "HUMAN", "source_id": "ann"}, {"source_type": "LLM_JUDGE", "source_id": "j"},
           {"source_type": "CODE"}, {"source_type": "HUMAN"}]


def both(body):
    return _assessments_by_id(_now_update_time(body))


def gen_ops(rng):
    ops = []
    for _ in range(N_OPS):
        kind = rng.choice(["create", "create", "create", "update", "update", "delete", "get"])
        op = {"kind": kind, "target": rng.randrange(12), "missing": rng.random() < 0.08}
        if kind == "create":
            feedback = rng.random() < 0.7
            a = {"assessment_name": rng.choice(NAMES), "source": rng.choice(SOURCES)}
            if feedback:
                if rng.random() < 0.15:
                    a["feedback"] = {"error": {"error_code": rng.choice(["RATE_LIMIT", "E"]),
                                               **({"error_message": "slow"} if rng.random() < 0.5 else {})}}
                else:
                    a["feedback"] = {"value": rng.choice(VALUES)}
            else:
                a["expectation"] = {"value": rng.choice(VALUES)}
            if rng.random() < 0.4:
                a["rationale"] = rng.choice(["because", "", "é"])
            if rng.random() < 0.3:
                a["metadata"] = {rng.choice(["k", "z"]): rng.choice(["v", "1", ""])}
            if rng.random() < 0.15:
                a["span_id"] = rng.choice(["0000000000000001", "abc"])
            op["assessment"] = a
            op["overrides"] = rng.random() < 0.3
        elif kind == "update":
            paths = rng.sample(["assessmentName", "feedback", "expectation", "rationale", "metadata", "fooBar"],
                               rng.choice([1, 1, 2]))
            a = {}
            for p in paths:
                if p == "assessmentName":
                    a["assessment_name"] = rng.choice(NAMES)
                elif p == "feedback":
                    a["feedback"] = {"value": rng.choice(VALUES)}
                elif p == "expectation":
                    a["expectation"] = {"value": rng.choice(VALUES)}
                elif p == "rationale":
                    a["rationale"] = rng.choice(["updated", ""])
                elif p == "metadata":
                    a["metadata"] = {rng.choice(["k", "n"]): "x"}
            op["assessment"] = a
            op["mask"] = ",".join(paths)
        ops.append(op)
    return ops


@pytest.fixture(scope="module", params=DIALECTS)
def server_pair(request, tmp_path_factory):
    yield from open_pair(request.param, tmp_path_factory, "parity-assessment-fuzz")


@pytest.mark.rpc("MlflowService.createAssessment", "MlflowService.updateAssessment", "MlflowService.GetAssessment",
                 "MlflowService.deleteAssessment", case="both")
def test_assessment_fuzz(parity):
    def sc(s):
        eid = new_exp(s, "assessment-fuzz")
        for seed in SEEDS:
            rng = random.Random(seed)
            tid = "tr-" + hashlib.md5(s.name(f"{seed}-trace").encode()).hexdigest()
            info = {"trace_id": tid, "request_time": iso(T0), "state": "OK",
                    "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": eid}}}
            s.post(TRACES, {"trace": {"trace_info": info}}, prefix=V3, record=False)
            created = []
            base = f"{TRACES}/{tid}/assessments"

            def aid(n):
                return "a-" + hashlib.md5(s.name(f"{seed}-a{n}").encode()).hexdigest()

            for i, op in enumerate(gen_ops(rng)):
                label = f"s{seed} op{i} {op['kind']}"
                target = aid(900 + i) if op["missing"] or not created else created[op["target"] % len(created)]
                if op["kind"] == "create":
                    a = {"assessment_id": aid(i), "trace_id": tid, "create_time": iso(T0 + 7),
                         "last_update_time": iso(T0 + 9), **op["assessment"]}
                    if op["overrides"] and created:
                        a["overrides"] = target
                    status, _ = s.post(base, {"assessment": a}, prefix=V3, label=label, transform=both)
                    if status == 200:
                        created.append(aid(i))
                elif op["kind"] == "update":
                    s.call("PATCH", f"{base}/{target}", json_body={"assessment": op["assessment"], "update_mask": op["mask"]},
                           prefix=V3, label=f"{label} {op['mask']}", transform=both)
                elif op["kind"] == "delete":
                    s.call("DELETE", f"{base}/{target}", prefix=V3, label=label)
                else:
                    s.get(f"{base}/{target}", prefix=V3, label=label, transform=both)
                if op["kind"] != "get":
                    s.get(f"{TRACES}/{tid}", prefix=V3, label=f"{label}: the trace", transform=both)
            # Not a comparison of refusals only: most creates are ones both servers take.
            assert len(created) >= 5, created

    parity.check(sc)
