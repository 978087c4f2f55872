"""LLM span cost on OTLP ingest (`POST /v1/traces`): MLflow prices a span that has token usage and
a model but no mlflow.llm.cost from its model catalog (calculate_cost_by_model_and_token_usage).
Both servers run with MLFLOW_MODEL_CATALOG_URI="" (bundled catalog only) and, on SQLite, with a
file:// catalog holding a provider of its own (the others fail to load and fall back to the
bundled catalog). The stored costs are compared through getTrace and the trace info.
"""

import json

import pytest

from conftest import DIALECTS, open_pair
from test_http_otlp import NS0, json_span, kv, otlp_id, otlp_json
from test_http_runs import new_exp
from test_http_traces import TRACES, V3

CUSTOM_OPENAI = {
    "schema_version": "1",
    "models": {
        "gpt-4o": {"mode": "chat", "pricing": {"input_per_million_tokens": 3, "output_per_million_tokens": 7.5,
                                               "cache_read_per_million_tokens": 0.3}},
        "my-model": {"pricing": {"input_per_million_tokens": 0.07, "output_per_million_tokens": 0.11}},
    },
}

CATALOGS = [(d, "") for d in DIALECTS] + ([("sqlite", "file")] if "sqlite" in DIALECTS else [])


@pytest.fixture(scope="module", params=CATALOGS, ids=lambda p: f"{p[0]}-{p[1] or 'bundled'}")
def server_pair(request, tmp_path_factory):
    dialect, catalog = request.param
    uri = ""
    if catalog == "file":
        d = tmp_path_factory.mktemp("model-catalog")
        (d / "openai.json").write_text(json.dumps(CUSTOM_OPENAI))
        (d / "anthropic.json").write_text('{"models": {"x": {"pricing": "not a dict"}}}')
        uri = d.as_uri()
    env = {"MLFLOW_MODEL_CATALOG_URI": uri}
    yield from open_pair(dialect, tmp_path_factory, f"parity-otlp-cost-{catalog or 'bundled'}",
                         lambda role: {"env": env})


def llm_span(trace_hex, span_hex, parent, i, *, usage, model=None, provider=None, span_type="CHAT_MODEL",
             extra=()):
    attrs = [kv("mlflow.spanType", stringValue=json.dumps(span_type)),
             kv("mlflow.chat.tokenUsage", stringValue=usage if isinstance(usage, str) else json.dumps(usage))]
    if model is not None:
        attrs.append(kv("mlflow.llm.model", stringValue=model if isinstance(model, str) and model.startswith("{raw}")
                        else json.dumps(model)))
    if provider is not None:
        attrs.append(kv("mlflow.llm.provider", stringValue=json.dumps(provider)))
    attrs += list(extra)
    return json_span(trace_hex, span_hex, f"llm-{i}", NS0 + 10 * i + 1, NS0 + 10 * i + 5, parent=parent, kind=3,
                     attributes=attrs)


# (usage, model, provider, span type): priced and unpriced cases the pinned release tells apart.
CASES = [
    ({"input_tokens": 100, "output_tokens": 20, "cache_read_input_tokens": 30}, "gpt-4o", "openai", "CHAT_MODEL"),
    ({"input_tokens": 100, "output_tokens": 20}, "gpt-4o", "OpenAI", "LLM"),
    ({"input_tokens": 1000, "output_tokens": 50, "cache_creation_input_tokens": 400,
      "cache_creation_input_tokens_above_1hr": 100}, "claude-sonnet-4-20250514", "anthropic", "CHAT_MODEL"),
    ({"input_tokens": 500, "output_tokens": 60}, "gemini-2.0-flash", None, "CHAT_MODEL"),
    ({"input_tokens": 500, "output_tokens": 60}, "openai/gpt-4o-mini", "openai", "CHAT_MODEL"),
    ({"input_tokens": 77, "output_tokens": 3}, "my-model", "openai", "CHAT_MODEL"),
    ({"input_tokens": 120, "output_tokens": 30}, "databricks-claude-sonnet-4", "anthropic", "CHAT_MODEL"),
    ({"input_tokens": 120, "output_tokens": 30}, "no-such-model", "openai", "CHAT_MODEL"),
    ({"input_tokens": 120, "output_tokens": 30}, "gateway:/gpt-4o", "openai", "CHAT_MODEL"),
    ({"input_tokens": 0, "output_tokens": 0}, "gpt-4o", "openai", "CHAT_MODEL"),
    # Usage with a float, bool or string count is handed to the Python server (its trace totals add
    # them with Python's rules): not compared here.
    ({"input_tokens": 100, "output_tokens": 20}, "gpt-4o", "openai", "AGENT"),
    ({"input_tokens": 100, "output_tokens": 20}, 5, "openai", "CHAT_MODEL"),
    ([100, 20], "gpt-4o", "openai", "CHAT_MODEL"),
]


@pytest.mark.rpc("MlflowService.getTrace", "MlflowService.getTraceInfoV3", case="ok")
def test_otlp_span_costs(parity):
    """Each case in a trace of its own (the trace info's cost sums its spans), then all in one."""

    def sc(s):
        eid = new_exp(s)
        for i, (usage, model, provider, span_type) in enumerate(CASES):
            trace_hex = otlp_id(s, f"t{i}", 16)
            root = otlp_id(s, f"r{i}", 8)
            spans = [llm_span(trace_hex, otlp_id(s, f"s{i}", 8), root, i, usage=usage, model=model,
                              provider=provider, span_type=span_type),
                     json_span(trace_hex, root, "root", NS0, NS0 + 1000)]
            otlp_json(s, eid, spans, label=f"case {i}: {model!r} by {provider!r}, {usage!r}")
            s.get(f"{TRACES}/get", {"trace_id": "tr-" + trace_hex}, prefix=V3, label=f"case {i}: spans")
            s.get(f"{TRACES}/tr-{trace_hex}", prefix=V3, label=f"case {i}: trace info")
        trace_hex = otlp_id(s, "all", 16)
        root = otlp_id(s, "all-root", 8)
        spans = [llm_span(trace_hex, otlp_id(s, f"all{i}", 8), root, i, usage=u, model=m, provider=p, span_type=t)
                 for i, (u, m, p, t) in enumerate(CASES)]
        spans.append(llm_span(trace_hex, otlp_id(s, "given", 8), root, 99, usage={"input_tokens": 5},
                              model="gpt-4o", extra=[kv("mlflow.llm.cost", stringValue='{"input_cost": 1.5}')]))
        spans.append(json_span(trace_hex, root, "root", NS0, NS0 + 1000))
        otlp_json(s, eid, spans, label="every case in one trace, and a span with its own cost")
        s.get(f"{TRACES}/get", {"trace_id": "tr-" + trace_hex}, prefix=V3, label="all: spans")
        s.get(f"{TRACES}/tr-{trace_hex}", prefix=V3, label="all: trace info")

    parity.check(sc)
