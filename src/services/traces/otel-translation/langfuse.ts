/** LangfuseTranslator (langfuse.py): langfuse.observation.* types and I/O. */
import { kindMap, OtelSchemaTranslator, SpanType as T } from './base.js';

export class LangfuseTranslator extends OtelSchemaTranslator {
  override spanKindKey = 'langfuse.observation.type';
  override spanKindMap = kindMap({
    generation: T.LLM,
    embedding: T.EMBEDDING,
    tool: T.TOOL,
    retriever: T.RETRIEVER,
    agent: T.AGENT,
    chain: T.CHAIN,
    evaluator: T.EVALUATOR,
    guardrail: T.GUARDRAIL,
    span: T.UNKNOWN,
  });
  override inputValueKeys = ['langfuse.observation.input'];
  override outputValueKeys = ['langfuse.observation.output'];
}
