/**
 * TraceloopTranslator (traceloop.py): Traceloop / OpenLLMetry kinds, tokens and I/O keys, some of
 * them patterns matched at the start of attribute keys (re.match; \d is any Unicode digit).
 */
import { kindMap, OtelSchemaTranslator, SpanType as T, type ValueKey } from './base.js';
import type { Attrs } from './values.js';

export class TraceloopTranslator extends OtelSchemaTranslator {
  override spanKindKey = 'traceloop.span.kind';
  override spanKindMap = kindMap({
    workflow: T.WORKFLOW,
    task: T.TASK,
    agent: T.AGENT,
    tool: T.TOOL,
    unknown: T.UNKNOWN,
  });
  override inputTokenKey = 'gen_ai.usage.prompt_tokens';
  override outputTokenKey = 'gen_ai.usage.completion_tokens';
  override totalTokenKey = 'llm.usage.total_tokens';
  override inputValueKeys = [
    'traceloop.entity.input',
    /^gen_ai\.prompt\.\p{Nd}+\.content/u,
    /^gen_ai\.completion\.\p{Nd}+\.tool_calls\.\p{Nd}+\.arguments/u,
  ];
  override outputValueKeys = ['traceloop.entity.output', /^gen_ai\.completion\.\p{Nd}+\.content/u];
  override providerKey = 'gen_ai.system';

  override attributeValue(a: Attrs, keys: readonly ValueKey[] | null): string | null {
    if (!keys) return null;
    for (const key of keys) {
      if (typeof key === 'string') {
        const v = this.checkedValue(a, key);
        if (v) return v;
        continue;
      }
      for (const k of a.keys()) {
        if (!key.test(k)) continue;
        const v = this.checkedValue(a, k);
        if (v) return v;
      }
    }
    return null;
  }
}
