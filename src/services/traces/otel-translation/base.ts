/**
 * OtelSchemaTranslator (mlflow/tracing/otel/translation/base.py): the lookups every schema shares,
 * driven by the keys a schema declares. Schemas override methods where MLflow's do.
 */
import type { PyExact } from '../../../py/json-exact.js';
import { loads, lookup, truthy, tryJsonLoads, type Attrs, type RawTokens, type SpanEvent } from './values.js';

/** A key to look up: an exact attribute key, or a pattern matched at the start of keys (re.match). */
export type ValueKey = string | RegExp;

/** SpanType values the translators produce. */
export const SpanType = {
  LLM: 'LLM',
  CHAT_MODEL: 'CHAT_MODEL',
  CHAIN: 'CHAIN',
  AGENT: 'AGENT',
  TOOL: 'TOOL',
  RETRIEVER: 'RETRIEVER',
  EMBEDDING: 'EMBEDDING',
  RERANKER: 'RERANKER',
  UNKNOWN: 'UNKNOWN',
  GUARDRAIL: 'GUARDRAIL',
  EVALUATOR: 'EVALUATOR',
  WORKFLOW: 'WORKFLOW',
  TASK: 'TASK',
  MEMORY: 'MEMORY',
} as const;

export class OtelSchemaTranslator {
  spanKindKey: string | null = null;
  spanKindMap: ReadonlyMap<string, string> = new Map();
  inputTokenKey: string | null = null;
  outputTokenKey: string | null = null;
  totalTokenKey: string | null = null;
  cacheReadKey: string | null = null;
  cacheCreationKey: string | null = null;
  inputValueKeys: readonly ValueKey[] | null = null;
  outputValueKeys: readonly ValueKey[] | null = null;
  modelNameKeys: readonly ValueKey[] | null = null;
  providerKey: string | null = null;
  toolDefinitionKeys: readonly ValueKey[] | null = null;

  /** Input / output from span events (only the event translators define these). */
  inputFromEvents?(events: readonly SpanEvent[], a: Attrs): string | null;
  outputFromEvents?(events: readonly SpanEvent[], a: Attrs): string | null;

  messageFormat(_a: Attrs): string | null {
    return null;
  }

  translateSpanType(a: Attrs): string | null {
    if (!this.spanKindKey) return null;
    const raw = a.get(this.spanKindKey);
    if (!raw) return null;
    return lookup(this.spanKindMap, tryJsonLoads(raw));
  }

  inputTokens(a: Attrs): RawTokens {
    return this.inputTokenKey ? a.get(this.inputTokenKey) : null;
  }
  outputTokens(a: Attrs): RawTokens {
    return this.outputTokenKey ? a.get(this.outputTokenKey) : null;
  }
  totalTokens(a: Attrs): RawTokens {
    return this.totalTokenKey ? a.get(this.totalTokenKey) : null;
  }
  cacheReadTokens(a: Attrs): RawTokens {
    return this.cacheReadKey ? a.get(this.cacheReadKey) : null;
  }
  cacheCreationTokens(a: Attrs): RawTokens {
    return this.cacheCreationKey ? a.get(this.cacheCreationKey) : null;
  }

  /** get_model_name: the first valid key's value, decoded when JSON (any type). */
  modelName(a: Attrs): PyExact | undefined {
    const v = this.attributeValue(a, this.modelNameKeys);
    return v ? tryJsonLoads(v) : null;
  }

  modelProvider(a: Attrs): PyExact | undefined {
    if (!this.providerKey) return null;
    const v = this.checkedValue(a, this.providerKey);
    return v ? tryJsonLoads(v) : null;
  }

  inputValue(a: Attrs): string | null {
    return this.attributeValue(a, this.inputValueKeys);
  }
  outputValue(a: Attrs): string | null {
    return this.attributeValue(a, this.outputValueKeys);
  }
  toolDefinitions(a: Attrs): string | null {
    return this.attributeValue(a, this.toolDefinitionKeys);
  }

  /** get_attribute_value: the first key whose value is valid (exact keys only in the base class). */
  attributeValue(a: Attrs, keys: readonly ValueKey[] | null): string | null {
    if (!keys) return null;
    for (const key of keys) {
      if (typeof key !== 'string') continue;
      const v = this.checkedValue(a, key);
      if (v) return v;
    }
    return null;
  }

  /** _get_and_check_attribute_value: a value whose JSON is falsy (null, {}, "", 0...) is none. */
  checkedValue(a: Attrs, key: string): string | null {
    const v = a.get(key);
    if (v === undefined) return null;
    const parsed = loads(v);
    if (parsed === undefined) return v;
    return truthy(parsed) ? v : null;
  }
}

export const kindMap = (o: Record<string, string>): ReadonlyMap<string, string> => new Map(Object.entries(o));
