/** LaminarTranslator (laminar.py): lmnr.span.* kinds and I/O, GenAI tokens and model keys. */
import { kindMap, OtelSchemaTranslator, SpanType as T } from './base.js';
import type { Attrs } from './values.js';

export class LaminarTranslator extends OtelSchemaTranslator {
  override spanKindKey = 'lmnr.span.type';
  override spanKindMap = kindMap({
    LLM: T.LLM,
    TOOL: T.TOOL,
    DEFAULT: T.CHAIN,
    PIPELINE: T.CHAIN,
    EXECUTOR: T.AGENT,
    EVALUATOR: T.EVALUATOR,
    HUMAN_EVALUATOR: T.EVALUATOR,
    EVALUATION: T.EVALUATOR,
    CACHED: T.LLM,
  });
  override inputValueKeys = ['lmnr.span.input'];
  override outputValueKeys = ['lmnr.span.output'];
  override inputTokenKey = 'gen_ai.usage.input_tokens';
  override outputTokenKey = 'gen_ai.usage.output_tokens';
  override modelNameKeys = ['gen_ai.response.model', 'gen_ai.request.model'];
  override providerKey = 'gen_ai.system';

  override messageFormat(a: Attrs): string | null {
    return a.has('lmnr.span.type') ? 'openai' : null;
  }
}
