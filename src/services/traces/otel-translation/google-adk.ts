/** GoogleADKTranslator (google_adk.py): Google ADK's own input / output attributes. */
import { OtelSchemaTranslator } from './base.js';

export class GoogleADKTranslator extends OtelSchemaTranslator {
  override inputValueKeys = ['gcp.vertex.agent.llm_request', 'gcp.vertex.agent.tool_call_args'];
  override outputValueKeys = ['gcp.vertex.agent.llm_response', 'gcp.vertex.agent.tool_response'];
}
