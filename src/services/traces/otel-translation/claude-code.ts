/**
 * ClaudeCodeTranslator (claude_code.py): Claude Code's span.type (interaction / llm_request /
 * tool, with or without the "claude_code." prefix), its bare token keys (input tokens counted with
 * the cache tokens), its content attributes unless "<REDACTED>", and the tool.output event.
 */
import type { PyDict, PyExact } from '../../../py/json-exact.js';
import { kindMap, OtelSchemaTranslator, SpanType as T } from './base.js';
import {
  dumpAttr,
  dumpsAscii,
  eventAttr,
  pyInt,
  truthy,
  tryJsonLoads,
  type Attrs,
  type SpanEvent,
} from './values.js';

const PREFIX = 'claude_code.';
const INTERACTION = 'claude_code.interaction';
const LLM_REQUEST = 'claude_code.llm_request';
const TOOL = 'claude_code.tool';
const REDACTED = '<REDACTED>';
const TOOL_DETAIL_KEYS = ['full_command', 'file_path', 'skill_name', 'subagent_type'];
const TOOL_OUTPUT_EVENT_KEYS = ['output', 'content', 'diff'];

export class ClaudeCodeTranslator extends OtelSchemaTranslator {
  override spanKindKey = 'span.type';
  override spanKindMap = kindMap({ [INTERACTION]: T.AGENT, [LLM_REQUEST]: T.LLM, [TOOL]: T.TOOL });
  override inputTokenKey = 'input_tokens';
  override outputTokenKey = 'output_tokens';
  override cacheReadKey = 'cache_read_tokens';
  override cacheCreationKey = 'cache_creation_tokens';

  private claudeType(a: Attrs): string | null {
    const t = tryJsonLoads(a.get('span.type'));
    if (typeof t !== 'string') return null;
    const name = t.startsWith(PREFIX) ? t : PREFIX + t;
    return this.spanKindMap.has(name) ? name : null;
  }

  private content(a: Attrs, key: string): string | null {
    const v = this.checkedValue(a, key);
    return v === null || tryJsonLoads(v) === REDACTED ? null : v;
  }

  private int(a: Attrs, key: string): bigint | null {
    return pyInt(tryJsonLoads(a.get(key)));
  }

  override translateSpanType(a: Attrs): string | null {
    const t = this.claudeType(a);
    return t === null ? null : this.spanKindMap.get(t)!;
  }

  override inputTokens(a: Attrs): bigint | null {
    if (this.claudeType(a) !== LLM_REQUEST) return null;
    const input = this.int(a, this.inputTokenKey);
    if (input === null) return null;
    // Claude counts input tokens without the cache tokens; MLflow adds them.
    return input + (this.cacheReadTokens(a) ?? 0n) + (this.cacheCreationTokens(a) ?? 0n);
  }
  override outputTokens(a: Attrs): bigint | null {
    return this.claudeType(a) === LLM_REQUEST ? this.int(a, this.outputTokenKey) : null;
  }
  override cacheReadTokens(a: Attrs): bigint | null {
    return this.claudeType(a) === LLM_REQUEST ? this.int(a, this.cacheReadKey) : null;
  }
  override cacheCreationTokens(a: Attrs): bigint | null {
    return this.claudeType(a) === LLM_REQUEST ? this.int(a, this.cacheCreationKey) : null;
  }

  override inputValue(a: Attrs): string | null {
    const t = this.claudeType(a);
    if (t === INTERACTION) return this.content(a, 'user_prompt') || this.content(a, 'new_context');
    if (t === LLM_REQUEST) return this.content(a, 'new_context');
    if (t === TOOL) {
      const toolInput = this.content(a, 'tool_input');
      if (toolInput) return toolInput;
      const details: PyDict = new Map();
      for (const key of TOOL_DETAIL_KEYS) {
        const v = this.content(a, key);
        if (v) details.set(key, tryJsonLoads(v)!);
      }
      return details.size > 0 ? dumpsAscii(details) : null;
    }
    return null;
  }

  override outputValue(a: Attrs): string | null {
    const t = this.claudeType(a);
    if (t === LLM_REQUEST) return this.content(a, 'response.model_output');
    if (t === TOOL) return this.content(a, 'new_context');
    return null;
  }

  override outputFromEvents(events: readonly SpanEvent[], a: Attrs): string | null {
    if (this.claudeType(a) !== TOOL) return null;
    for (const e of events) {
      if (e.name !== 'tool.output') continue;
      for (const key of TOOL_OUTPUT_EVENT_KEYS) {
        const v: PyExact | undefined = tryJsonLoads(eventAttr(e, key));
        if (truthy(v) && v !== REDACTED) return dumpAttr(v!);
      }
    }
    return null;
  }
}
