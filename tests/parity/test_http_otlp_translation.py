"""MLflow's OpenTelemetry translators on OTLP ingest (`POST /v1/traces`): spans of OpenInference,
Traceloop / OpenLLMetry, the GenAI semantic conventions, Vercel AI, Langfuse, Spring AI, LiveKit,
Claude Code, Gemini CLI, Google ADK, Laminar and VoltAgent, stored with MLflow's translated span
type, inputs and outputs (from attributes and events), token usage, message format, tool
definitions, model, provider and cost; span links and bytes values. Posted as JSON and protobuf
to the pinned Python server and to standalone mlflow-ts (where a handed-over batch answers 501),
then compared through getTrace, the trace info (usage, cost, previews), searchTracesV3 and the
UI's get-trace-artifact. Both servers price from the bundled model catalog
(MLFLOW_MODEL_CATALOG_URI="").
"""

import base64
import json
import random

import pytest

from conftest import DIALECTS, open_pair
from test_http_otlp import NS0, json_span, kv, otlp_id, otlp_json
from test_http_runs import new_exp
from test_http_traces import TRACES, V3

OTLP = "/v1/traces"


@pytest.fixture(scope="module", params=DIALECTS)
def server_pair(request, tmp_path_factory):
    env = {"MLFLOW_MODEL_CATALOG_URI": ""}
    yield from open_pair(request.param, tmp_path_factory, "parity-otlp-translation", lambda role: {"env": env})


def sv(v):
    """An OTLP JSON AnyValue of a Python value."""
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, bytes):
        return {"bytesValue": base64.b64encode(v).decode()}
    if isinstance(v, list):
        return {"arrayValue": {"values": [sv(x) for x in v]}}
    if isinstance(v, dict):
        return {"kvlistValue": {"values": [{"key": k, "value": sv(x)} for k, x in v.items()]}}
    return {"stringValue": v}


def attrs(d):
    return [{"key": k, "value": sv(v)} for k, v in d.items()]


def event(name, d, t=1):
    return {"name": name, "timeUnixNano": str(NS0 + t), "attributes": attrs(d)}


def read_back(s, eid, tids, label):
    for i, tid in enumerate(tids):
        s.get(f"{TRACES}/get", {"trace_id": tid}, prefix=V3, label=f"{label} {i}: spans")
        s.get(f"{TRACES}/{tid}", prefix=V3, label=f"{label} {i}: trace info")
        s.get("/mlflow/get-trace-artifact", {"request_id": tid}, prefix="/ajax-api/2.0",
              label=f"{label} {i}: the UI's spans file")
    loc = [{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": eid}}]
    for flt in ("", "span.type = 'LLM'", "span.type = 'CHAT_MODEL'", "span.type = 'AGENT'"):
        s.post(f"{TRACES}/search", {"locations": loc, "filter": flt, "max_results": 100}, prefix=V3,
               label=f"{label}: search {flt!r}")


def post_trace(s, eid, name, spans_attrs, *, label=None):
    """One trace: a root span then children, each (attributes, events, links) or attributes."""
    trace_hex = otlp_id(s, name, 16)
    root = otlp_id(s, name + "-root", 8)
    spans = []
    for i, spec in enumerate(spans_attrs):
        a, ev, links = (spec + ((), ()))[:3] if isinstance(spec, tuple) else (spec, (), ())
        sid = root if i == 0 else otlp_id(s, f"{name}-{i}", 8)
        sp = json_span(trace_hex, sid, f"{name}-{i}", NS0 + i * 10, NS0 + 1000 - i, parent=None if i == 0 else root,
                       attributes=attrs(a), events=list(ev))
        if links:
            sp["links"] = list(links)
        spans.append(sp)
    status, body = otlp_json(s, eid, spans, label=label or f"trace {name}")
    assert status == 200, body
    return "tr-" + trace_hex


# One trace per schema: its root and LLM / tool children as the instrumentation writes them.
SCHEMAS = {
    "openinference": [
        {"openinference.span.kind": "AGENT", "input.value": '{"messages": [{"role": "user", "content": "hi"}]}',
         "output.value": "plain answer"},
        {"openinference.span.kind": "LLM", "llm.token_count.prompt": 120, "llm.token_count.completion": 30,
         "llm.token_count.prompt_details.cache_read": 20, "llm.model_name": "gpt-4o", "llm.provider": "openai",
         "input.value": '{"model": "ignored", "x": 1}', "output.value": "{}"},
        {"openinference.span.kind": "RETRIEVER", "llm.token_count.total": "55", "embedding.model_name": "e5"},
        {"openinference.span.kind": "NOT_A_KIND", "llm.response.model_name": "gpt-4o-mini",
         "llm.request.model_name": "alias", "llm.token_count.prompt": "12", "llm.token_count.completion": "x"},
    ],
    "traceloop": [
        {"traceloop.span.kind": "workflow", "traceloop.entity.input": '{"q": "why"}',
         "traceloop.entity.output": '"because"'},
        {"traceloop.span.kind": "task", "gen_ai.usage.prompt_tokens": 40, "gen_ai.usage.completion_tokens": 2,
         "llm.usage.total_tokens": 50, "gen_ai.system": "OpenAI", "gen_ai.request.model": "gpt-4o",
         "gen_ai.prompt.0.content": "", "gen_ai.prompt.1.content": "second prompt",
         "gen_ai.completion.0.content_x": "starts-with match", "gen_ai.completion.0.content": "answer"},
        {"traceloop.span.kind": "tool", "gen_ai.completion.0.tool_calls.1.arguments": '{"city": "Paris"}'},
    ],
    "genai": [
        {"gen_ai.operation.name": "invoke_agent", "gen_ai.conversation.id": "conv-1",
         "gen_ai.input.messages": '[{"role": "user", "parts": [{"type": "text", "content": "hello"}]}]',
         "gen_ai.output.messages": '[{"role": "assistant", "parts": [{"type": "text", "content": "hey"}]}]',
         "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 4, "gen_ai.request.model": "gpt-4o"},
        {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o-2024-08-06",
         "gen_ai.provider.name": "openai", "gen_ai.usage.input_tokens": "100", "gen_ai.usage.output_tokens": 20,
         "gen_ai.usage.cache_read.input_tokens": 10, "gen_ai.usage.cache_creation.input_tokens": 5,
         "gen_ai.tool.definitions": '[{"type": "function", "name": "f"}]'},
        {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.arguments": '{"a": 1}',
         "gen_ai.tool.call.result": '"done"', "gen_ai.usage.cache_write.input_tokens": 3},
        {"gen_ai.operation.name": "embeddings", "gen_ai.request.model": "text-embedding-3-small",
         "gen_ai.usage.input_tokens": 8, "gen_ai.provider.name": "openai"},
    ],
    "vercel": [
        {"ai.operationId": "ai.generateText", "ai.prompt": '{"prompt": "write"}', "ai.response.text": "text out",
         "ai.model.id": "gpt-4o"},
        {"ai.operationId": "ai.generateText.doGenerate",
         "ai.prompt.messages": '[{"role": "user", "content": [{"type": "text", "text": "hi"}]}]',
         "ai.prompt.tools": ['{"type": "function", "name": "t1"}', '"{\\"nested\\": 1}"'],
         "ai.prompt.toolChoice": '{"type": "auto"}', "ai.response.text": "hello", "ai.response.finishReason": "stop",
         "gen_ai.usage.input_tokens": 9, "gen_ai.usage.output_tokens": 2, "gen_ai.request.model": "gpt-4o-mini",
         "gen_ai.system": "openai.chat"},
        {"ai.operationId": "ai.streamText.doStream"},
        {"ai.operationId": "ai.toolCall", "ai.toolCall.args": '{"x": 1}', "ai.toolCall.result": '{"y": 2}'},
        {"ai.operationId": "ai.embedMany", "ai.values": ["a", "b"], "ai.embeddings": "[[0.1], [0.2]]"},
    ],
    "langfuse": [
        {"langfuse.observation.type": "agent", "langfuse.observation.input": '{"question": "q"}',
         "langfuse.observation.output": '{"answer": "a"}'},
        {"langfuse.observation.type": "generation", "langfuse.observation.input": "null",
         "langfuse.observation.output": "text"},
        {"langfuse.observation.type": "span"},
    ],
    "laminar": [
        {"lmnr.span.type": "EXECUTOR", "lmnr.span.input": '{"task": "t"}', "lmnr.span.output": '"ok"'},
        {"lmnr.span.type": "LLM", "gen_ai.usage.input_tokens": 33, "gen_ai.usage.output_tokens": 7,
         "gen_ai.response.model": "claude-3-5-sonnet-20241022", "gen_ai.system": "anthropic"},
        {"lmnr.span.type": "CACHED"},
    ],
    "voltagent": [
        {"entity.type": "agent", "voltagent.operation_id": "op", "agent.messages": '[{"role": "user", "content": "x"}]',
         "output": '"y"'},
        {"entity.type": "agent", "span.type": "llm", "llm.messages": '[{"role": "user", "content": "z"}]',
         "usage.prompt_tokens": 5, "llm.usage.completion_tokens": 6, "voltagent.conversation_id": "c"},
        {"span.type": "memory", "input": "remember", "usage.total_tokens": "11"},
    ],
    "adk": [
        {"gen_ai.operation.name": "invoke_agent", "gcp.vertex.agent.llm_request": '{"contents": []}',
         "gcp.vertex.agent.llm_response": '{"candidates": []}'},
        {"gen_ai.operation.name": "generate_content", "gcp.vertex.agent.llm_request": '{"model": "gemini-2.0-flash"}',
         "gcp.vertex.agent.llm_response": '{"text": "r"}', "gen_ai.usage.input_tokens": 70,
         "gen_ai.usage.output_tokens": 9},
        {"gen_ai.operation.name": "execute_tool", "gcp.vertex.agent.tool_call_args": '{"q": 1}',
         "gcp.vertex.agent.tool_response": '{"r": 2}'},
    ],
    "gemini-cli": [
        {"gen_ai.agent.name": "gemini-cli", "gen_ai.operation.name": "agent_call",
         "gen_ai.input.messages": "just a prompt"},
        {"gen_ai.agent.name": "gemini-cli", "gen_ai.operation.name": "llm_call",
         "gen_ai.input.messages": '[{"role": "user", "parts": [{"text": "hi"}]}]',
         "gen_ai.output.messages": '[{"role": "model", "parts": [{"text": "a"}]}, {"role": "model", "parts": [{"text": "b"}]}, "x"]',
         "gen_ai.usage.input_tokens": 50, "gen_ai.usage.output_tokens": 5, "gen_ai.request.model": "gemini-2.5-pro"},
        {"gen_ai.agent.name": "gemini-cli", "gen_ai.operation.name": "system_prompt",
         "gen_ai.input.messages": '{"contents": ["already"]}', "gen_ai.output.messages": '[{"parts": "no"}]'},
        {"gen_ai.agent.name": "other", "gen_ai.operation.name": "llm_call",
         "gen_ai.input.messages": '[{"role": "user"}]'},
    ],
    "claude-code": [
        {"span.type": "claude_code.interaction", "user_prompt": "fix the bug", "session.id": "s-claude"},
        {"span.type": "llm_request", "input_tokens": "10", "output_tokens": 200, "cache_read_tokens": 1000,
         "cache_creation_tokens": "50", "new_context": "ctx", "response.model_output": "<REDACTED>",
         "model": "claude-sonnet-4-20250514"},
        {"span.type": "claude_code.tool", "tool_input": "<REDACTED>", "full_command": "ls -la",
         "file_path": "/tmp/x", "new_context": '{"out": 1}'},
        {"span.type": "claude_code.unknown", "input_tokens": 5},
    ],
    "livekit": [
        {"lk.agent_name": "a", "lk.room_name": "r", "lk.instructions": "be nice"},
        {"gen_ai.request.model": "gpt-4o-realtime", "lk.chat_ctx": '{"items": []}', "lk.response.text": "hello",
         "gen_ai.usage.input_tokens": 20, "gen_ai.usage.output_tokens": 10},
        {"lk.function_tool.name": "lookup", "lk.function_tool.output": "o"},
        {"lk.tts.label": "tts", "lk.input_text": "say this"},
        {"gen_ai.operation.name": "CHAT", "lk.user_transcript": "hey"},
    ],
}


@pytest.mark.rpc("MlflowService.getTrace", "MlflowService.getTraceInfoV3", "MlflowService.searchTracesV3", case="ok")
def test_otlp_translator_schemas(parity):
    """A trace per schema, its spans translated as the pinned release stores them."""

    def sc(s):
        eid = new_exp(s)
        tids = [post_trace(s, eid, name, spans, label=f"{name} spans") for name, spans in SCHEMAS.items()]
        read_back(s, eid, tids, "schema")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.getTrace", "MlflowService.getTraceInfoV3", case="ok")
def test_otlp_translator_events_and_conflicts(parity):
    """Inputs / outputs from events (Spring AI, GenAI message events, Claude Code's tool.output),
    schemas mixed on one span (the first translator wins), attributes MLflow keeps over the
    translated ones, int-as-string and malformed token counts."""

    def sc(s):
        eid = new_exp(s)
        spring = [
            ({"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 11, "gen_ai.usage.output_tokens": 3,
              "gen_ai.request.model": "gpt-4o", "gen_ai.provider.name": "openai"},
             [event("gen_ai.content.prompt", {"gen_ai.prompt": ""}), event("gen_ai.content.prompt", {"gen_ai.prompt": "ask"}),
              event("gen_ai.content.completion", {"gen_ai.completion": '{"text": "ans"}'})]),
            ({"gen_ai.operation.name": "embeddings"},
             [event("gen_ai.system.message", {"content": "sys"}), event("gen_ai.user.message", {"content": '{"a": [1]}'}),
              event("gen_ai.assistant.message", {"content": 7}), event("gen_ai.user.message", {"content": ""}),
              event("gen_ai.choice", {"content": "c1"}), event("gen_ai.choice", {"content": "c2", "role": '"tool"'}),
              event("gen_ai.choice", {"content": ["p", 1.5], "role": "é"})]),
            ({"span.type": "claude_code.tool"},
             [event("tool.output", {"output": "<REDACTED>", "content": "", "diff": '{"d": "é"}'})]),
            ({"span.type": "claude_code.tool", "tool_input": '{"cmd": "x"}'},
             [event("tool.output", {"output": [1, 2]})]),
            ({"lk.participant_identity": "p"}, [event("gen_ai.choice", {"content": {"k": "v"}})]),
        ]
        tids = [post_trace(s, eid, "events", spring, label="event-based inputs and outputs")]
        mixed = [
            {"openinference.span.kind": "CHAIN", "gen_ai.operation.name": "chat", "traceloop.span.kind": "tool",
             "input.value": '"oi"', "gen_ai.input.messages": '"genai"', "llm.token_count.prompt": 1,
             "gen_ai.usage.input_tokens": 2, "gen_ai.usage.output_tokens": 3},
            {"mlflow.spanType": '"UNKNOWN"', "openinference.span.kind": "TOOL", "mlflow.spanInputs": '{"kept": 1}',
             "input.value": '"dropped"', "mlflow.chat.tokenUsage": '{"input_tokens": 1, "output_tokens": 1, "total_tokens": 2}',
             "llm.token_count.prompt": 99, "mlflow.message.format": '"custom"', "lmnr.span.type": "LLM"},
            {"mlflow.spanType": '"LLM"', "langfuse.observation.type": "agent", "gen_ai.usage.input_tokens": "0",
             "gen_ai.usage.output_tokens": "007", "gen_ai.request.model": "gpt-4o", "gen_ai.system": "openai"},
            {"openinference.span.kind": "LLM", "llm.token_count.prompt": " 1_000 ", "llm.token_count.completion": "2.5",
             "llm.token_count.total": '"30"', "llm.model_name": 42, "llm.provider": ""},
            {"openinference.span.kind": "AGENT", "llm.token_count.prompt": 100, "llm.token_count.completion": 20,
             "llm.model_name": "gpt-4o"},
            {"gen_ai.operation.name": '"chat"', "gen_ai.usage.input_tokens": '"5"', "gen_ai.usage.output_tokens": "[1]",
             "gen_ai.request.model": '{"name": "m"}', "gen_ai.provider.name": '{}'},
            {"input.value": "{}", "gen_ai.input.messages": "[]", "traceloop.entity.input": "0",
             "lk.user_input": "null", "langfuse.observation.input": '""', "lmnr.span.input": "found"},
            {"mlflow.spanOutputs": '{"model": "from-outputs"}'},
            {"mlflow.spanInputs": '{"model": ["not", "str"]}', "mlflow.spanOutputs": '{"model": "unused"}'},
            {"gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 1, "gen_ai.request.model": "gpt-4o",
             "mlflow.llm.cost": '{"input_cost": 9.0}'},
        ]
        tids.append(post_trace(s, eid, "mixed", mixed, label="mixed schemas and conflicting keys"))
        read_back(s, eid, tids, "events/mixed")

    parity.check(sc)


@pytest.mark.rpc("MlflowService.getTrace", "MlflowService.getTraceInfoV3", case="ok")
def test_otlp_links_and_bytes(parity):
    """Span links (attributes with bytes, none, nested) and bytes attribute values, in JSON and
    protobuf batches."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    def sc(s):
        eid = new_exp(s)
        other = otlp_id(s, "linked", 16)
        links = [
            {"traceId": other, "spanId": otlp_id(s, "ls", 8),
             "attributes": attrs({"b": b"\x00\xffab'", "n": [b"x", 1], "s": "é", "f": 1.0})},
            {"traceId": other, "spanId": otlp_id(s, "ls2", 8), "traceState": "k=v", "flags": 1},
        ]
        spans = [({"mlflow.spanType": '"CHAIN"', "raw": b"\x00bytes\"'", "list": [b"a", "b"],
                   "nested": {"k": b"\x7f"}},
                  [event("e", {"payload": b"\x01\x02", "ok": "yes"})], links),
                 ({"gen_ai.operation.name": "chat"},
                  [event("gen_ai.user.message", {"content": "fine"}), event("other", {"b": b"zz"})])]
        tids = [post_trace(s, eid, "links", spans, label="links and bytes, JSON")]

        trace_hex = otlp_id(s, "proto", 16)
        req = ExportTraceServiceRequest()
        scope = req.resource_spans.add().scope_spans.add()
        sp = scope.spans.add()
        sp.trace_id, sp.span_id = bytes.fromhex(trace_hex), bytes.fromhex(otlp_id(s, "proto-root", 8))
        sp.name, sp.start_time_unix_nano, sp.end_time_unix_nano = "proto", NS0, NS0 + 5
        a = sp.attributes.add()
        a.key, a.value.bytes_value = "blob", b"\xde\xad\xbe\xef"
        a = sp.attributes.add()
        a.key, a.value.string_value = "openinference.span.kind", "LLM"
        a = sp.attributes.add()
        a.key, a.value.int_value = "llm.token_count.prompt", 4
        link = sp.links.add()
        link.trace_id, link.span_id = bytes.fromhex(trace_hex), bytes.fromhex(otlp_id(s, "x", 8))
        la = link.attributes.add()
        la.key, la.value.bytes_value = "raw", b"\x00\x01"
        sp.status.code = 1
        hdrs = {"Content-Type": "application/x-protobuf", "x-mlflow-experiment-id": str(eid)}
        status, body = s.call("POST", OTLP, data=req.SerializeToString(), headers=hdrs, prefix="",
                              label="links and bytes, protobuf")
        assert status == 200, body
        tids.append("tr-" + trace_hex)
        read_back(s, eid, tids, "links")

    parity.check(sc)


# The differential fuzz: spans of random translator attributes, with random values.
FUZZ_KEYS = sorted({k for spans in SCHEMAS.values() for span in spans for k in span} | {
    "mlflow.spanType", "mlflow.spanInputs", "mlflow.spanOutputs", "mlflow.chat.tokenUsage", "mlflow.llm.model",
    "mlflow.llm.provider", "mlflow.message.format", "mlflow.chat.tools", "gen_ai.usage.cache_read.input_tokens",
    "llm.token_count.prompt_details.cache_write", "usage.completion_tokens", "llm.usage.prompt_tokens",
    "ai.response.object", "ai.prompt.system", "ai.response.toolCalls", "lk.retry_count", "lk.generation_id",
    "gen_ai.prompt.0.content", "gen_ai.completion.2.content", "llm.model_name", "llm.provider"})
FUZZ_VALUES = [
    "", "0", "1", "12", '"34"', "-5", "1e3", "2.5", "null", "true", "[]", "{}", '""', "x", "é", "<REDACTED>",
    '{"model": "gpt-4o"}', '{"messages": [{"role": "user", "content": "m"}]}', '[{"role": "model", "parts": [1]}]',
    "LLM", "AGENT", "UNKNOWN", "chat", "tool", "llm", "agent", "generation", "workflow", "invoke_agent",
    "claude_code.llm_request", "llm_request", "interaction", "tool", "ai.generateText.doGenerate", "gemini-cli",
    "gpt-4o", "claude-sonnet-4-20250514", "openai", "anthropic", '"gpt-4o-mini"', "ai.streamText.doStream",
    7, 0, -1, 3.5, True, False, ["a", "b"], [1, 2], {"k": "v"}, 2**62,
]
FUZZ_EVENTS = ["gen_ai.content.prompt", "gen_ai.content.completion", "gen_ai.user.message", "gen_ai.system.message",
               "gen_ai.assistant.message", "gen_ai.choice", "tool.output", "other"]
FUZZ_EVENT_KEYS = ["gen_ai.prompt", "gen_ai.completion", "content", "role", "output", "diff"]


# Values the translators hand over rather than follow (see the module notes in otel-translation):
# a list or dict as a span kind, a boolean token count, a Spring AI event value that is not a str.
KIND_KEYS = {"openinference.span.kind", "traceloop.span.kind", "gen_ai.operation.name", "ai.operationId",
             "lmnr.span.type", "langfuse.observation.type", "span.type", "entity.type", "mlflow.spanType"}


def loads_or_none(v):
    try:
        return json.loads(v) if isinstance(v, str) else None
    except ValueError:
        return None


def fuzz_value(rng, key):
    while True:
        v = rng.choice(FUZZ_VALUES)
        if key in KIND_KEYS and (not isinstance(v, (str, int, float)) or isinstance(loads_or_none(v), (list, dict))):
            continue
        if key == "mlflow.spanType" and not isinstance(v, str):
            continue
        if "token" in key and isinstance(v, bool):
            continue
        if key in ("gen_ai.prompt", "gen_ai.completion") and not isinstance(v, str):
            continue
        return v


def fuzz_span(rng):
    a = {}
    for _ in range(rng.randint(1, 7)):
        key = rng.choice(FUZZ_KEYS)
        a[key] = fuzz_value(rng, key)
    if "mlflow.chat.tokenUsage" in a and rng.random() < 0.7:
        a["mlflow.chat.tokenUsage"] = json.dumps({"input_tokens": rng.randint(0, 500), "output_tokens": rng.randint(0, 50)})
    events = []
    for _ in range(rng.choice([0, 0, 1, 2])):
        keys = [rng.choice(FUZZ_EVENT_KEYS) for _ in range(rng.randint(1, 3))]
        events.append(event(rng.choice(FUZZ_EVENTS), {k: fuzz_value(rng, k) for k in keys}))
    return (a, events)


@pytest.mark.rpc("MlflowService.getTrace", "MlflowService.getTraceInfoV3", case="ok")
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_otlp_translation_fuzz(parity, seed):
    """Seeded random spans of translator attributes and events, several traces per batch."""

    def sc(s):
        rng = random.Random(seed)
        eid = new_exp(s, f"e{seed}")
        tids = [post_trace(s, eid, f"fuzz{seed}-{i}", [fuzz_span(rng) for _ in range(rng.randint(1, 4))],
                           label=f"fuzz trace {i}") for i in range(12)]
        read_back(s, eid, tids, f"fuzz {seed}")

    parity.check(sc)
