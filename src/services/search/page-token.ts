/**
 * Offset page tokens: base64 of the JSON `{"offset": N}` (`SearchUtils.create_page_token` /
 * `parse_start_offset_from_page_token`), with MLflow's messages for tokens it cannot read.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { reprBytes, reprJson } from '../../py/repr.js';
import { pyTruthy, typeName } from '../../py/values.js';

const B64_CHAR = /[A-Za-z0-9+/]/;

export function createPageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }).replace(':', ': '), 'utf8').toString('base64');
}

/** Python's non-strict `base64.b64decode`: junk characters are skipped, padding is required. */
export function b64decodeLikePython(token: string): Buffer | undefined {
  let data = '';
  let pad = 0;
  for (const ch of token) {
    if (ch === '=') {
      pad++;
      continue;
    }
    if (!B64_CHAR.test(ch)) continue;
    if (pad > 0) {
      // Data after padding: Python stops at a complete quantum; treat the rest as excess data.
      if (data.length % 4 === 0) break;
      pad = 0;
    }
    data += ch;
  }
  const rem = data.length % 4;
  if (rem === 1) return undefined;
  if ((rem === 2 && pad < 2) || (rem === 3 && pad < 1)) return undefined;
  return Buffer.from(data, 'base64');
}

export function parsePageToken(token: string | undefined | null): number {
  if (!token) return 0;
  const decoded = b64decodeLikePython(token);
  if (decoded === undefined) {
    throw MlflowError.invalidParameter('Invalid page token, could not base64-decode');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded.toString('utf8'));
  } catch {
    throw MlflowError.invalidParameter(`Invalid page token, decoded value=${reprBytes(decoded)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    // Python calls `.get` on the value and fails with an AttributeError (a 500).
    throw new MlflowError(`'${typeName(parsed)}' object has no attribute 'get'`, 'INTERNAL_ERROR');
  }
  const raw = (parsed as Record<string, unknown>).offset;
  if (!pyTruthy(raw)) {
    throw MlflowError.invalidParameter(`Invalid page token, parsed value=${reprJson(parsed)}`);
  }
  if (typeof raw === 'number') return Math.trunc(raw);
  if (raw === true) return 1;
  if (typeof raw === 'string' && /^\s*[-+]?\d+(_\d+)*\s*$/.test(raw)) return Number(raw.replace(/_/g, ''));
  if (typeof raw === 'string')
    throw MlflowError.invalidParameter(`Invalid page token, not stringable ${raw}`);
  throw new MlflowError(
    `int() argument must be a string, a bytes-like object or a real number`,
    'INTERNAL_ERROR',
  );
}
