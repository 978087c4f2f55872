/**
 * VercelAITranslator (vercel_ai.py): ai.operationId kinds; the doGenerate / doStream chat spans'
 * inputs and outputs gathered from the ai.prompt.* / ai.response.* attributes (and their message
 * format set to a bare "vercel_ai" while reading the inputs, as MLflow does).
 */
import type { PyDict, PyExact } from '../../../py/json-exact.js';
import { NotNative } from '../../raw-reply.js';
import { kindMap, OtelSchemaTranslator, SpanType as T } from './base.js';
import { dumpsAscii, loads, type Attrs } from './values.js';

const CHAT_KINDS = new Set(['ai.generateText.doGenerate', 'ai.streamText.doStream']);

export class VercelAITranslator extends OtelSchemaTranslator {
  override inputValueKeys = ['ai.prompt', 'ai.toolCall.args', 'ai.value', 'ai.values'];
  override outputValueKeys = [
    'ai.response.text',
    'ai.toolCall.result',
    'ai.response.object',
    'ai.embedding',
    'ai.embeddings',
  ];
  override spanKindKey = 'ai.operationId';
  override spanKindMap = kindMap({
    'ai.generateText': T.LLM,
    'ai.generateText.doGenerate': T.LLM,
    'ai.toolCall': T.TOOL,
    'ai.streamText': T.LLM,
    'ai.streamText.doStream': T.LLM,
    'ai.generateObject': T.LLM,
    'ai.generateObject.doGenerate': T.LLM,
    'ai.streamObject': T.LLM,
    'ai.streamObject.doStream': T.LLM,
    'ai.embed': T.EMBEDDING,
    'ai.embed.doEmbed': T.EMBEDDING,
    'ai.embedMany': T.EMBEDDING,
  });

  override inputValue(a: Attrs): string | null {
    if (!isChatSpan(a)) return super.inputValue(a);
    const inputs = unpack(a, 'ai.prompt.');
    const tools = inputs.get('tools');
    if (tools !== undefined)
      inputs.set(
        'tools',
        iterate(tools).map((t) => safeLoadJson(t)!),
      );
    a.set('mlflow.message.format', 'vercel_ai');
    return inputs.size > 0 ? dumpsAscii(inputs) : null;
  }

  override outputValue(a: Attrs): string | null {
    if (!isChatSpan(a)) return super.outputValue(a);
    const outputs = unpack(a, 'ai.response.');
    return outputs.size > 0 ? dumpsAscii(outputs) : null;
  }
}

function isChatSpan(a: Attrs): boolean {
  const kind = safeLoadJson(a.get('ai.operationId'));
  return typeof kind === 'string' && CHAT_KINDS.has(kind);
}

function unpack(a: Attrs, prefix: string): PyDict {
  const out: PyDict = new Map();
  for (const [k, v] of a) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), safeLoadJson(v)!);
  return out;
}

/** _safe_load_json: a str loaded as JSON up to three times while it stays a str. */
function safeLoadJson(v: PyExact | undefined, depth = 2): PyExact | undefined {
  if (typeof v !== 'string') return v;
  const parsed = loads(v);
  if (parsed === undefined) return v;
  return depth > 0 ? safeLoadJson(parsed, depth - 1) : parsed;
}

/** Python's iteration of a value: a list's items, a str's characters, a dict's keys. */
function iterate(v: PyExact): PyExact[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(v);
  if (v instanceof Map) return [...v.keys()];
  throw new NotNative('Vercel AI tools that are not iterable (TypeError)');
}
