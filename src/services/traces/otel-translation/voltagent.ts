/**
 * VoltAgentTranslator (voltagent.py): span.type before entity.type (children inherit their
 * agent's entity.type), usage.* then llm.usage.* tokens, the "voltagent" message format.
 */
import { kindMap, OtelSchemaTranslator, SpanType as T } from './base.js';
import { lookup, truthy, tryJsonLoads, type Attrs, type RawTokens } from './values.js';

export class VoltAgentTranslator extends OtelSchemaTranslator {
  override inputValueKeys = ['agent.messages', 'llm.messages', 'input'];
  override outputValueKeys = ['output'];
  override spanKindMap = kindMap({ agent: T.AGENT, llm: T.LLM, tool: T.TOOL, memory: T.MEMORY });

  override translateSpanType(a: Attrs): string | null {
    for (const key of ['span.type', 'entity.type']) {
      const kind = tryJsonLoads(a.get(key));
      if (!truthy(kind)) continue;
      const t = lookup(this.spanKindMap, kind);
      if (t) return t;
    }
    return null;
  }

  override messageFormat(a: Attrs): string | null {
    return a.has('voltagent.operation_id') || a.has('voltagent.conversation_id') ? 'voltagent' : null;
  }

  override inputTokens(a: Attrs): RawTokens {
    return a.get('usage.prompt_tokens') || a.get('llm.usage.prompt_tokens');
  }
  override outputTokens(a: Attrs): RawTokens {
    return a.get('usage.completion_tokens') || a.get('llm.usage.completion_tokens');
  }
  override totalTokens(a: Attrs): RawTokens {
    return a.get('usage.total_tokens') || a.get('llm.usage.total_tokens');
  }
}
