/**
 * SpringAiTranslator (spring_ai.py): GenAI span kinds and tokens, prompt and completion from the
 * gen_ai.content.prompt / gen_ai.content.completion events.
 */
import { kindMap, OtelSchemaTranslator, SpanType as T } from './base.js';
import { eventAttr, truthy, type SpanEvent } from './values.js';
import { NotNative } from '../../raw-reply.js';

export class SpringAiTranslator extends OtelSchemaTranslator {
  override spanKindKey = 'gen_ai.operation.name';
  override spanKindMap = kindMap({ chat: T.CHAT_MODEL, embeddings: T.EMBEDDING });
  override inputTokenKey = 'gen_ai.usage.input_tokens';
  override outputTokenKey = 'gen_ai.usage.output_tokens';

  override inputFromEvents(events: readonly SpanEvent[]): string | null {
    return valueFromEvent(events, 'gen_ai.content.prompt', 'gen_ai.prompt');
  }
  override outputFromEvents(events: readonly SpanEvent[]): string | null {
    return valueFromEvent(events, 'gen_ai.content.completion', 'gen_ai.completion');
  }
}

/** The first truthy value of the key in an event of that name, stored as it is (not dumped). */
function valueFromEvent(events: readonly SpanEvent[], name: string, key: string): string | null {
  for (const e of events) {
    if (e.name !== name) continue;
    const v = eventAttr(e, key);
    if (!truthy(v)) continue;
    // A non-string would be stored as a raw JSON value in the span's attributes: not followed.
    if (typeof v !== 'string') throw new NotNative('a Spring AI event value that is not a string');
    return v;
  }
  return null;
}
