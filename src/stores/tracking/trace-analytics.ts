/**
 * trace_analytics.analytics_columns_from_metadata: the promoted metadata (session, token usage,
 * cost) as trace_info columns. Only the items present in the metadata are set; an item that is
 * not a usable number is stored as NULL.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { pyJsonLoadsFaithful } from '../../py/json-loads.js';
import { strLen } from '../../py/str.js';
import { PyFloat } from '../../py/values.js';
import { COST_COLUMNS, COST_KEY, TOKEN_COLUMNS, TOKEN_USAGE_KEY, TRACE_SESSION_KEY } from './trace-infos.js';

/** MAX_CHARS_IN_TRACE_INFO_METADATA (validate_session_id). */
const SESSION_MAX = 250;
const INT64_MAX = 2n ** 63n - 1n;

export type AnalyticsColumns = Partial<
  Record<(typeof TOKEN_COLUMNS)[number] | (typeof COST_COLUMNS)[number], number | null> & {
    session_id: string;
  }
>;

/** Python's float() of a str: surrounding whitespace, underscores between digits, inf / nan. */
function pyFloatOfString(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (!/^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)(e[+-]?\d(_?\d)*)?$/.test(t)) return undefined;
  return Number(t.replace(/_/g, ''));
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'string') return pyFloatOfString(v);
  return undefined;
}

/** token_count_or_none: an integral value within BIGINT, else null. */
export function tokenCount(v: unknown): number | null {
  if (v === null || v === undefined || typeof v === 'boolean') return null;
  const n = asNumber(v);
  if (n === undefined || !Number.isFinite(n) || !Number.isInteger(n)) return null;
  const big = BigInt(n);
  return big > INT64_MAX || big < -INT64_MAX - 1n ? null : n;
}

/** finite_float_or_none. */
export function finiteFloat(v: unknown): number | null {
  if (v === null || v === undefined || typeof v === 'boolean') return null;
  const n = asNumber(v);
  return n !== undefined && Number.isFinite(n) ? n : null;
}

/** _json_object: a dict, or a JSON text of one; anything else is {}. */
function jsonObject(v: string | null): Record<string, unknown> {
  if (v === null) return {};
  const parsed = pyJsonLoadsFaithful(v);
  return parsed !== null &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    !(parsed instanceof PyFloat)
    ? (parsed as Record<string, unknown>)
    : {};
}

export function analyticsColumns(metadata: ReadonlyMap<string, string | null>): AnalyticsColumns {
  const out: AnalyticsColumns = {};
  if (metadata.has(TRACE_SESSION_KEY)) {
    const session = metadata.get(TRACE_SESSION_KEY)!;
    if (session !== null && strLen(session) > SESSION_MAX) {
      throw MlflowError.invalidParameter(
        `'Session ID' exceeds the maximum length of ${SESSION_MAX} characters`,
      );
    }
    if (session !== null) out.session_id = session;
  }
  if (metadata.has(TOKEN_USAGE_KEY)) {
    const usage = jsonObject(metadata.get(TOKEN_USAGE_KEY)!);
    for (const c of TOKEN_COLUMNS) if (c in usage) out[c] = tokenCount(usage[c]);
  }
  if (metadata.has(COST_KEY)) {
    const cost = jsonObject(metadata.get(COST_KEY)!);
    for (const c of COST_COLUMNS) if (c in cost) out[c] = finiteFloat(cost[c]);
  }
  return out;
}
