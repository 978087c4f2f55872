"""docs/parity-differences.md, section 2, item 6: numeric fields ParseDict cannot read.

The pinned server stops ParseDict at such a value and runs the handler on the half-filled message
(a metric stored as value 0.0, timestamp 0, step 0); mlflow-ts refuses the request with 400
INVALID_PARAMETER_VALUE naming the field. This module tells, from the request alone and with
protobuf's own ParseDict, whether a body holds such a value (so a stateful scenario can keep the
two databases equal by not sending it), and the harness accepts the differing answer of a step
the candidate refused that way.
"""

from __future__ import annotations

import re

from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import FieldDescriptor

NUMERIC_TYPES = {
    FieldDescriptor.TYPE_DOUBLE,
    FieldDescriptor.TYPE_FLOAT,
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_INT32,
    FieldDescriptor.TYPE_UINT32,
    FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_SINT32,
    FieldDescriptor.TYPE_FIXED64,
    FieldDescriptor.TYPE_FIXED32,
    FieldDescriptor.TYPE_SFIXED64,
    FieldDescriptor.TYPE_SFIXED32,
}

# What mlflow-ts answers (src/http/validation/strict-numbers.ts).
REFUSAL = re.compile(r"^Invalid value .* for parameter '([^']+)' supplied: it must be an? ", re.S)


def _request_classes():
    from mlflow.protos import service_pb2 as s

    return {
        "/mlflow/runs/log-metric": s.LogMetric,
        "/mlflow/runs/log-batch": s.LogBatch,
        "/mlflow/runs/create": s.CreateRun,
        "/mlflow/runs/update": s.UpdateRun,
        "/mlflow/runs/search": s.SearchRuns,
        "/mlflow/runs/log-inputs": s.LogInputs,
        "/mlflow/experiments/search": s.SearchExperiments,
    }


def _is_repeated(field) -> bool:
    try:
        return field.is_repeated
    except AttributeError:
        return field.label == FieldDescriptor.LABEL_REPEATED


def _readable(message_cls, field, value) -> bool:
    try:
        json_format.ParseDict({field.name: value}, message_cls(), ignore_unknown_fields=True)
        return True
    except json_format.ParseError:
        return False
    except Exception:
        return True


def _walk(message_cls, body, path: str) -> str | None:
    if not isinstance(body, dict):
        return None
    for field in message_cls.DESCRIPTOR.fields:
        key = field.json_name if field.json_name in body else field.name if field.name in body else None
        if key is None or body[key] is None:
            continue
        value = body[key]
        here = f"{path}.{field.name}" if path else field.name
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if field.message_type.full_name.startswith("google.protobuf."):
                continue
            sub_cls = message_factory.GetMessageClass(field.message_type)
            if _is_repeated(field):
                items = list(enumerate(value)) if isinstance(value, list) else []
                for i, item in items:
                    found = _walk(sub_cls, item, f"{here}[{i}]")
                    if found:
                        return found
            else:
                found = _walk(sub_cls, value, here)
                if found:
                    return found
            continue
        if _is_repeated(field):
            continue
        if field.type in NUMERIC_TYPES and not _readable(message_cls, field, value):
            return here
    return None


def unreadable_number(path: str, body) -> str | None:
    """The first numeric field of a POST body to `path` that ParseDict cannot read, else None."""
    cls = _request_classes().get(path)
    return None if cls is None else _walk(cls, body, "")


def accept_refusals(ref: list[dict], cand: list[dict]) -> None:
    """Steps where the candidate refused an unreadable number: whatever the reference answered
    (200 after storing defaults, or a later error from the half-filled message) is accepted."""
    for r, c in zip(ref, cand):
        if not (isinstance(r, dict) and isinstance(c, dict) and "status" in r and "status" in c):
            continue
        body = c.get("body") if isinstance(c.get("body"), dict) else {}
        m = REFUSAL.match(str(body.get("message", "")))
        if c["status"] == 400 and body.get("error_code") == "INVALID_PARAMETER_VALUE" and m:
            if r.get("body") == c.get("body") and r.get("status") == 400:
                continue
            for e in (r, c):
                for k in ("status", "content_type", "body"):
                    e.pop(k, None)
                e["strict_numbers"] = f"refused: unreadable number in '{m.group(1)}' (Python: ParseDict stops there)"
