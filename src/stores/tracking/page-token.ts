import { MlflowError } from '../../errors/mlflow-error.js';

/** SearchUtils.create_page_token: base64 of the JSON `{"offset": N}` (Python's json.dumps spacing). */
export function createOffsetToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }).replace(':', ': '), 'utf8').toString('base64');
}

/** SearchUtils.parse_start_offset_from_page_token, with its error messages. */
export function parseOffsetToken(token: string | undefined): number {
  if (!token) return 0;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(token) || token.length % 4 !== 0) {
    throw MlflowError.invalidParameter('Invalid page token, could not base64-decode');
  }
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    throw MlflowError.invalidParameter(`Invalid page token, decoded value=b'${decoded}'`);
  }
  const offset =
    typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).offset : undefined;
  if (!offset)
    throw MlflowError.invalidParameter(`Invalid page token, parsed value=${JSON.stringify(parsed)}`);
  const n = typeof offset === 'number' ? offset : Number(String(offset).trim());
  if (!Number.isInteger(n))
    throw MlflowError.invalidParameter(`Invalid page token, not stringable ${String(offset)}`);
  return n;
}
