/**
 * GeminiCliTranslator (gemini_cli.py): GenAI keys, but span types, the "gemini" message format and
 * the Gemini SDK wrapping of inputs / outputs only for spans of gen_ai.agent.name "gemini-cli".
 */
import type { PyDict, PyExact } from '../../../py/json-exact.js';
import { kindMap, SpanType as T } from './base.js';
import { GenAiTranslator } from './genai-semconv.js';
import { dumpsAscii, tryJsonLoads, type Attrs } from './values.js';

export class GeminiCliTranslator extends GenAiTranslator {
  override spanKindMap = kindMap({ llm_call: T.LLM, tool_call: T.TOOL, agent_call: T.AGENT });

  private isGeminiCli(a: Attrs): boolean {
    return tryJsonLoads(a.get('gen_ai.agent.name')) === 'gemini-cli';
  }

  override translateSpanType(a: Attrs): string | null {
    return this.isGeminiCli(a) ? super.translateSpanType(a) : null;
  }

  override messageFormat(a: Attrs): string | null {
    return this.isGeminiCli(a) ? 'gemini' : null;
  }

  override inputValue(a: Attrs): string | null {
    if (!this.isGeminiCli(a)) return null;
    const v = super.inputValue(a);
    return v ? wrapInput(v, a.get(this.spanKindKey)) : null;
  }

  override outputValue(a: Attrs): string | null {
    if (!this.isGeminiCli(a)) return null;
    const v = super.outputValue(a);
    return v ? wrapOutput(v) : null;
  }
}

/** {"contents": ...} around a list or a str; system prompts' "user" roles become "system". */
function wrapInput(value: string, operation: string | undefined): string {
  let decoded = tryJsonLoads(value);
  if (decoded instanceof Map && decoded.has('contents')) return value;
  // MLflow compares the stored (JSON) text with the bare name, as here.
  if (operation === 'system_prompt' && Array.isArray(decoded)) {
    decoded = decoded.map((item) =>
      item instanceof Map && item.get('role') === 'user'
        ? (new Map([...item, ['role', 'system']]) as PyDict)
        : item,
    );
  }
  if (Array.isArray(decoded) || typeof decoded === 'string')
    return dumpsAscii(new Map([['contents', decoded]]));
  return value;
}

/** One candidate holding the parts of every content of the list. */
function wrapOutput(value: string): string {
  const decoded = tryJsonLoads(value);
  if (decoded instanceof Map && decoded.has('candidates')) return value;
  if (Array.isArray(decoded)) {
    const parts: PyExact[] = [];
    for (const item of decoded) {
      const p = item instanceof Map ? item.get('parts') : undefined;
      if (Array.isArray(p)) parts.push(...p);
    }
    if (parts.length > 0) {
      const content: PyDict = new Map<string, PyExact>([
        ['role', 'model'],
        ['parts', parts],
      ]);
      return dumpsAscii(new Map([['candidates', [new Map([['content', content]]) as PyDict]]]));
    }
  }
  return value;
}
