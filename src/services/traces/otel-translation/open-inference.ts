/** OpenInferenceTranslator (open_inference.py): OpenInference's span kinds, token counts and I/O keys. */
import { kindMap, OtelSchemaTranslator, SpanType as T } from './base.js';

export class OpenInferenceTranslator extends OtelSchemaTranslator {
  override spanKindKey = 'openinference.span.kind';
  override spanKindMap = kindMap({
    TOOL: T.TOOL,
    CHAIN: T.CHAIN,
    LLM: T.LLM,
    RETRIEVER: T.RETRIEVER,
    EMBEDDING: T.EMBEDDING,
    AGENT: T.AGENT,
    RERANKER: T.RERANKER,
    UNKNOWN: T.UNKNOWN,
    GUARDRAIL: T.GUARDRAIL,
    EVALUATOR: T.EVALUATOR,
  });
  override inputTokenKey = 'llm.token_count.prompt';
  override outputTokenKey = 'llm.token_count.completion';
  override totalTokenKey = 'llm.token_count.total';
  override cacheReadKey = 'llm.token_count.prompt_details.cache_read';
  override cacheCreationKey = 'llm.token_count.prompt_details.cache_write';
  override inputValueKeys = ['input.value'];
  override outputValueKeys = ['output.value'];
  // The resolved response model first, then the legacy key, then the request alias.
  override modelNameKeys = [
    'llm.response.model_name',
    'llm.model_name',
    'llm.request.model_name',
    'embedding.model_name',
  ];
  override providerKey = 'llm.provider';
}
