/**
 * GenAiTranslator (genai_semconv.py): the OpenTelemetry GenAI semantic conventions, including the
 * message events (gen_ai.system/user/assistant.message in, gen_ai.choice out).
 */
import type { PyDict, PyExact } from '../../../py/json-exact.js';
import { kindMap, OtelSchemaTranslator, SpanType as T } from './base.js';
import {
  dumpsAscii,
  eventAttr,
  truthy,
  tryJsonLoads,
  type Attrs,
  type RawTokens,
  type SpanEvent,
} from './values.js';

const ROLE_EVENTS = new Map([
  ['gen_ai.system.message', 'system'],
  ['gen_ai.user.message', 'user'],
  ['gen_ai.assistant.message', 'assistant'],
]);

export class GenAiTranslator extends OtelSchemaTranslator {
  override spanKindKey = 'gen_ai.operation.name';
  override spanKindMap = kindMap({
    chat: T.CHAT_MODEL,
    create_agent: T.AGENT,
    embeddings: T.EMBEDDING,
    execute_tool: T.TOOL,
    generate_content: T.LLM,
    invoke_agent: T.AGENT,
    text_completion: T.LLM,
    response: T.LLM,
  });
  override inputTokenKey = 'gen_ai.usage.input_tokens';
  override outputTokenKey = 'gen_ai.usage.output_tokens';
  override cacheReadKey = 'gen_ai.usage.cache_read.input_tokens';
  override cacheCreationKey = 'gen_ai.usage.cache_write.input_tokens';
  override inputValueKeys: readonly string[] = ['gen_ai.input.messages', 'gen_ai.tool.call.arguments'];
  override outputValueKeys: readonly string[] = ['gen_ai.output.messages', 'gen_ai.tool.call.result'];
  override modelNameKeys = ['gen_ai.response.model', 'gen_ai.request.model'];
  override providerKey = 'gen_ai.provider.name';
  override toolDefinitionKeys = ['gen_ai.tool.definitions'];

  /** The previous registry's key, read when the current one is absent. */
  override cacheCreationTokens(a: Attrs): RawTokens {
    const v = super.cacheCreationTokens(a);
    return v !== null && v !== undefined ? v : a.get('gen_ai.usage.cache_creation.input_tokens');
  }

  override inputFromEvents(events: readonly SpanEvent[]): string | null {
    const messages: PyExact[] = [];
    for (const e of events) {
      const role = ROLE_EVENTS.get(e.name);
      if (role === undefined) continue;
      const content = eventAttr(e, 'content');
      if (truthy(content))
        messages.push(
          new Map([
            ['role', role],
            ['content', tryJsonLoads(content)!],
          ]) as PyDict,
        );
    }
    return messages.length > 0 ? dumpsAscii(messages) : null;
  }

  override outputFromEvents(events: readonly SpanEvent[]): string | null {
    const messages: PyExact[] = [];
    for (const e of events) {
      if (e.name !== 'gen_ai.choice') continue;
      const content = eventAttr(e, 'content');
      if (!truthy(content)) continue;
      const role = e.attributes.has('role') ? eventAttr(e, 'role')! : 'assistant';
      messages.push(
        new Map([
          ['role', tryJsonLoads(role)!],
          ['content', tryJsonLoads(content)!],
        ]) as PyDict,
      );
    }
    return messages.length > 0 ? dumpsAscii(messages) : null;
  }
}
