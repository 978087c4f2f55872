/**
 * translate_span_when_storing (mlflow/tracing/otel/translation/__init__.py) over a span's stored
 * attributes, in MLflow's order: span type (when none or UNKNOWN), inputs and outputs (attributes,
 * then events), token usage, message format, tool definitions, model name, model provider; each
 * only when the span does not carry it, the first translator of _TRANSLATORS that has one wins.
 * The cost step needs the model catalog (async): costNeeded says whether MLflow would price the
 * span, addCost stores the price after prepareModelCost.
 */
import type { PyDict, PyExact } from '../../../py/json-exact.js';
import { costAttribute, modelCostProvider } from '../model-cost.js';
import { ClaudeCodeTranslator } from './claude-code.js';
import { GeminiCliTranslator } from './gemini-cli.js';
import { GenAiTranslator } from './genai-semconv.js';
import { GoogleADKTranslator } from './google-adk.js';
import { LaminarTranslator } from './laminar.js';
import { LangfuseTranslator } from './langfuse.js';
import { LiveKitTranslator } from './livekit.js';
import { OpenInferenceTranslator } from './open-inference.js';
import { SpringAiTranslator } from './spring-ai.js';
import { TraceloopTranslator } from './traceloop.js';
import { VercelAITranslator } from './vercel-ai.js';
import { VoltAgentTranslator } from './voltagent.js';
import {
  dumpAttr,
  loads,
  parseIntAttribute,
  truthy,
  tryJsonLoads,
  type Attrs,
  type SpanEvent,
} from './values.js';

export type { Attrs, SpanEvent } from './values.js';
export { bytesRepr } from './values.js';

const K = {
  SPAN_TYPE: 'mlflow.spanType',
  INPUTS: 'mlflow.spanInputs',
  OUTPUTS: 'mlflow.spanOutputs',
  CHAT_USAGE: 'mlflow.chat.tokenUsage',
  MESSAGE_FORMAT: 'mlflow.message.format',
  CHAT_TOOLS: 'mlflow.chat.tools',
  MODEL: 'mlflow.llm.model',
  MODEL_PROVIDER: 'mlflow.llm.provider',
  LLM_COST: 'mlflow.llm.cost',
} as const;

const TRANSLATORS = [
  new OpenInferenceTranslator(),
  new GeminiCliTranslator(),
  new ClaudeCodeTranslator(),
  new GenAiTranslator(),
  new SpringAiTranslator(),
  new TraceloopTranslator(),
  new GoogleADKTranslator(),
  new VercelAITranslator(),
  new VoltAgentTranslator(),
  new LiveKitTranslator(),
  new LaminarTranslator(),
  new LangfuseTranslator(),
];

/** _EVENT_TRANSLATORS: Spring AI, LiveKit (GenAI's message events), Claude Code (outputs only). */
const EVENT_TRANSLATORS = [new SpringAiTranslator(), new LiveKitTranslator(), new ClaudeCodeTranslator()];

function first<T>(f: (t: (typeof TRANSLATORS)[number]) => T | null | undefined): T | null {
  for (const t of TRANSLATORS) {
    const v = f(t);
    if (truthy(v as PyExact | undefined)) return v!;
  }
  return null;
}

/** A span's input (or output): the first translator's, else the first event translator's. */
function ioValue(a: Attrs, events: readonly SpanEvent[], side: 'input' | 'output'): string | null {
  const v = first((t) => (side === 'input' ? t.inputValue(a) : t.outputValue(a)));
  if (v) return v;
  if (events.length > 0) {
    for (const t of EVENT_TRANSLATORS) {
      const e = side === 'input' ? t.inputFromEvents?.(events, a) : t.outputFromEvents?.(events, a);
      if (e) return e;
    }
  }
  return null;
}

/** _get_token_usage: the first translator with any of input / output / total. */
function tokenUsage(a: Attrs): PyDict | null {
  for (const t of TRANSLATORS) {
    const input = parseIntAttribute(t.inputTokens(a));
    const output = parseIntAttribute(t.outputTokens(a));
    let total = parseIntAttribute(t.totalTokens(a));
    if (total === null && input !== null && output !== null) total = input + output;
    if (input === null && output === null && total === null) continue;
    const usage: PyDict = new Map();
    if (input !== null) usage.set('input_tokens', input);
    if (output !== null) usage.set('output_tokens', output);
    if (total !== null) usage.set('total_tokens', total);
    const cacheRead = parseIntAttribute(t.cacheReadTokens(a));
    if (cacheRead !== null) usage.set('cache_read_input_tokens', cacheRead);
    const cacheCreation = parseIntAttribute(t.cacheCreationTokens(a));
    if (cacheCreation !== null) usage.set('cache_creation_input_tokens', cacheCreation);
    return usage;
  }
  return null;
}

/** _get_model_name: a translator's, else a str "model" of the inputs, else of the outputs. */
function modelName(a: Attrs): PyExact | null {
  const m = first((t) => t.modelName(a));
  if (m !== null) return m;
  for (const key of [K.INPUTS, K.OUTPUTS]) {
    const raw = a.get(key);
    if (!raw) continue;
    const io = loads(raw);
    if (!(io instanceof Map)) continue;
    const model = io.get('model');
    if (truthy(model)) return typeof model === 'string' ? model : null;
  }
  return null;
}

/**
 * The attribute translations of translate_span_when_storing, applied to `a` in place. Returns the
 * span type the cost step compares (the stored one decoded, or the translated one).
 */
export function translateAttributes(a: Attrs, events: readonly SpanEvent[]): PyExact | undefined {
  const rawType = a.get(K.SPAN_TYPE);
  let spanType: PyExact | undefined = rawType ? tryJsonLoads(rawType) : null;
  if (spanType === null || spanType === 'UNKNOWN') {
    const t = first((x) => x.translateSpanType(a));
    if (t) {
      spanType = t;
      a.set(K.SPAN_TYPE, dumpAttr(t));
    }
  }
  if (!a.has(K.INPUTS)) {
    const v = ioValue(a, events, 'input');
    if (v) a.set(K.INPUTS, v);
  }
  if (!a.has(K.OUTPUTS)) {
    const v = ioValue(a, events, 'output');
    if (v) a.set(K.OUTPUTS, v);
  }
  if (!a.has(K.CHAT_USAGE)) {
    const usage = tokenUsage(a);
    if (usage) a.set(K.CHAT_USAGE, dumpAttr(usage));
  }
  if (!a.has(K.MESSAGE_FORMAT)) {
    const f = first((t) => t.messageFormat(a));
    if (f) a.set(K.MESSAGE_FORMAT, dumpAttr(f));
  }
  if (!a.has(K.CHAT_TOOLS)) {
    const tools = first((t) => t.toolDefinitions(a));
    if (tools) a.set(K.CHAT_TOOLS, tools);
  }
  if (!a.has(K.MODEL)) {
    const m = modelName(a);
    if (truthy(m)) a.set(K.MODEL, dumpAttr(m!));
  }
  if (!a.has(K.MODEL_PROVIDER)) {
    const p = first((t) => t.modelProvider(a));
    if (p !== null) a.set(K.MODEL_PROVIDER, dumpAttr(p));
  }
  return spanType;
}

/** Whether the cost step prices the span: no cost yet, not an AGENT span, usage and a model. */
export function costNeeded(a: Attrs, spanType: PyExact | undefined): boolean {
  return !a.has(K.LLM_COST) && spanType !== 'AGENT' && a.has(K.CHAT_USAGE) && a.has(K.MODEL);
}

/** The provider whose catalog the span's price needs (for prepareModelCost). */
export function costProvider(a: Attrs): string | null {
  return modelCostProvider(a.get(K.MODEL)!, a.get(K.MODEL_PROVIDER));
}

/** The cost step itself, once the catalogs are loaded. */
export function addCost(a: Attrs): void {
  const cost = costAttribute(a.get(K.CHAT_USAGE)!, a.get(K.MODEL)!, a.get(K.MODEL_PROVIDER));
  if (cost !== null) a.set(K.LLM_COST, cost);
}

/** translate_span_type_from_otel: the first translator's span type for these stored attributes. */
export function translateSpanTypeFromOtel(a: Attrs): string | null {
  return first((t) => t.translateSpanType(a));
}
