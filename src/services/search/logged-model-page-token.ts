/**
 * searchLoggedModels' page token (utils/search_utils.py SearchLoggedModelsPaginationToken): base64
 * of `json.dumps` of {experiment_ids, filter_string, order_by, offset}, refused unless it was made
 * for the same experiments, filter and order. Decoded before the store's session opens, so only
 * a JSON error is an MLflow error; other failures are Python's (a bare 500).
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { jsonDumpsDefault } from '../../py/json.js';
import { reprJson } from '../../py/repr.js';
import { PythonCrash, pyTruthy, type Json } from '../../py/values.js';
import type { OrderByArg } from './logged-model-filter.js';
import { b64decodeLikePython } from './page-token.js';

export interface LoggedModelsPageToken {
  experiment_ids: Json;
  filter_string: Json;
  order_by: Json;
  offset: Json;
}

export function encodeLoggedModelsPageToken(
  experimentIds: readonly string[],
  filter: string | null,
  orderBy: readonly OrderByArg[] | null,
  offset: number,
): string {
  const body = jsonDumpsDefault({
    experiment_ids: [...experimentIds],
    filter_string: filter,
    order_by: orderBy === null ? null : orderBy.map((o) => ({ ...o })),
    offset,
  });
  return Buffer.from(body, 'utf8').toString('base64');
}


/** Python `==` between JSON values (1 == 1.0 == True, dicts regardless of key order). */
function pyEquals(a: Json, b: Json): boolean {
  const num = (v: Json): number | undefined =>
    typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : undefined;
  const na = num(a);
  const nb = num(b);
  if (na !== undefined || nb !== undefined) return na === nb;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => pyEquals(x, b[i]!));
  }
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && pyEquals(a[k]!, b[k]!));
}

/** The first character Python's json module cannot read, as its "Expecting value" message. */
function jsonErrorMessage(text: string): string {
  const at = text.search(/\S|$/);
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const col = at - before.lastIndexOf('\n');
  return `Expecting value: line ${line} column ${col} (char ${at})`;
}

/** decode() then validate(): the offset to start from. */
export function readLoggedModelsPageToken(
  token: string,
  experimentIds: readonly string[],
  filter: string | null,
  orderBy: readonly OrderByArg[] | null,
): Json {
  const bytes = b64decodeLikePython(token);
  if (bytes === undefined) throw new PythonCrash('binascii.Error: Incorrect padding');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PythonCrash('UnicodeDecodeError in page token');
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    throw MlflowError.invalidParameter(`Invalid page token: ${token}. ${jsonErrorMessage(text)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new PythonCrash(`page token is not a dict: ${reprJson(parsed)}`);
  }
  const got = parsed as Record<string, Json>;
  const tokenIds = got.experiment_ids ?? null;
  const tokenFilter = pyTruthy(got.filter_string) ? got.filter_string! : null;
  const tokenOrder = pyTruthy(got.order_by) ? got.order_by! : null;
  const wantIds: Json = [...experimentIds];
  if (!pyEquals(tokenIds, wantIds)) {
    throw MlflowError.invalidParameter(
      'Experiment IDs in the page token do not match the requested experiment IDs. ' +
        `Expected: ${reprJson(wantIds)}. Found: ${reprJson(tokenIds)}`,
    );
  }
  if (!pyEquals(tokenFilter, filter)) {
    throw MlflowError.invalidParameter(
      'Filter string in the page token does not match the requested filter string. ' +
        `Expected: ${filter ?? 'None'}. Found: ${typeof tokenFilter === 'string' ? tokenFilter : reprJson(tokenFilter)}`,
    );
  }
  const wantOrder: Json = orderBy === null ? null : orderBy.map((o) => ({ ...o }));
  if (!pyEquals(tokenOrder, wantOrder)) {
    throw MlflowError.invalidParameter(
      'Order by in the page token does not match the requested order by. ' +
        `Expected: ${reprJson(wantOrder)}. Found: ${reprJson(tokenOrder)}`,
    );
  }
  return pyTruthy(got.offset) ? got.offset! : 0;
}
