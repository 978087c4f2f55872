/**
 * Offset page tokens of the tracking store (metric history). One implementation for the whole
 * server: the faithful reading of `SearchUtils.parse_start_offset_from_page_token` (Python's lenient
 * base64, bytes repr of undecodable tokens, dict repr of the parsed value, the 500s of `.get` on a
 * non-dict) lives in `services/search/page-token.ts`; it holds no SQL, so the store reuses it.
 */
import { createPageToken, parsePageToken } from '../../services/search/page-token.js';

/** SearchUtils.create_page_token: base64 of the JSON `{"offset": N}` (Python's json.dumps spacing). */
export function createOffsetToken(offset: number): string {
  return createPageToken(offset);
}

/** SearchUtils.parse_start_offset_from_page_token, with its error messages. */
export function parseOffsetToken(token: string | undefined): number {
  return parsePageToken(token);
}
