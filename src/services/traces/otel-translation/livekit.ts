/**
 * LiveKitTranslator (livekit.py): GenAI conventions plus LiveKit's lk.* input / output keys, span
 * types inferred from gen_ai.request.model, the operation name or the first telling lk.* key,
 * and the "livekit" message format for any lk.* attribute.
 */
import { SpanType as T } from './base.js';
import { GenAiTranslator } from './genai-semconv.js';
import { tryJsonLoads, type Attrs } from './values.js';

const DETECTION_KEYS = ['lk.agent_name', 'lk.room_name', 'lk.job_id', 'lk.participant_identity'];

export class LiveKitTranslator extends GenAiTranslator {
  override inputValueKeys = ['lk.user_input', 'lk.user_transcript', 'lk.chat_ctx', 'lk.input_text'];
  override outputValueKeys = ['lk.response.text', 'lk.response.function_calls'];

  override translateSpanType(a: Attrs): string | null {
    if (a.has('gen_ai.request.model')) return T.LLM;
    const op = a.get('gen_ai.operation.name');
    if (op) {
      // str(value).lower(): only a str can name one of the (lowercase) operations.
      const decoded = tryJsonLoads(op);
      if (typeof decoded === 'string') {
        const t = this.spanKindMap.get(decoded.toLowerCase());
        if (t) return t;
      }
    }
    for (const key of a.keys()) {
      if (key === 'lk.retry_count') return T.LLM;
      if (key.startsWith('lk.function_tool')) return T.TOOL;
      if (key === 'lk.agent_name' || key === 'lk.instructions' || key === 'lk.generation_id') return T.AGENT;
      if (key.startsWith('lk.tts') || key === 'lk.input_text') return T.UNKNOWN;
      if (
        key === 'lk.user_transcript' ||
        key === 'lk.transcript_confidence' ||
        key === 'lk.transcription_delay'
      )
        return T.UNKNOWN;
    }
    return null;
  }

  override messageFormat(a: Attrs): string | null {
    if (DETECTION_KEYS.some((k) => a.has(k))) return 'livekit';
    for (const k of a.keys()) if (k.startsWith('lk.')) return 'livekit';
    return null;
  }
}
