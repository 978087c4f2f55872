/** How parameters travel to PostgreSQL: int64 beyond 2^53 exactly, arrays as one literal. */
import type pg from 'pg';

const TWO_53 = 2 ** 53;
const TWO_63 = 2 ** 63;

/**
 * The driver sends a number as `String(n)`: beyond 2^53 that is a rounded decimal
 * (`-2**63` becomes "-9223372036854776000"), which PostgreSQL refuses for a BIGINT although the
 * value, and the int64 the client wrote, are in range. Such integers are sent as their exact
 * decimal instead; 2^63 itself (the double nearest to 2^63-1, which a client may send: larger
 * literals are refused by the codec) as int64's maximum. For a DOUBLE PRECISION column both
 * spellings read back as the same double.
 */
export function pgInt64Param(v: unknown): unknown {
  if (typeof v !== 'number' || !(v > TWO_53 || v < -TWO_53) || !Number.isInteger(v)) return v;
  return v === TWO_63 ? '9223372036854775807' : BigInt(v).toString();
}

export function exactInt64Parameters(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const params = args[1];
    if (Array.isArray(params) && params.some((v) => pgInt64Param(v) !== v)) {
      args[1] = params.map(pgInt64Param);
    }
    return query(...args);
  };
}

/**
 * Characters JSON.stringify writes differently from an array literal's quoting (control
 * characters as `\n` / `\u0001`, lone surrogates as `\udXXX`); with none of them, JSON's string
 * quoting (`"`, `\"`, `\\`) is the literal's.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const NOT_AS_JSON = /[\u0000-\u001f]|[\ud800-\udfff]/u;

/**
 * An array parameter as PostgreSQL's array literal, built natively (the driver's generic encoder
 * costs several calls per element, which adds up for 1000-row unnest inputs). Arrays of numbers
 * (through pgInt64Param), booleans, or strings and nulls: JSON.stringify's quoting (`"`, `\"`,
 * `\\`) and `null` are the literal's, unless a string holds a character JSON writes as an escape
 * sequence (span contents, JSON texts full of quotes, take the native path); anything else (mixed
 * types) is left to the driver.
 */
export function pgArrayLiteral(values: readonly unknown[]): unknown {
  const n = values.length;
  if (n === 0) return '{}';
  const first = values[0];
  if (first === null || typeof first === 'string') return stringArrayLiteral(values);
  const kind = typeof first;
  let big = false;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (typeof x !== kind) return values.map(pgInt64Param);
    if (kind === 'number' && ((x as number) > TWO_53 || (x as number) < -TWO_53)) big = true;
  }
  if (kind === 'number') return `{${(big ? values.map(pgInt64Param) : values).join(',')}}`;
  if (kind === 'boolean') return `{${values.map((x) => (x ? 't' : 'f')).join(',')}}`;
  return values.map(pgInt64Param);
}

function stringArrayLiteral(values: readonly unknown[]): unknown {
  let nulls = false;
  let asJson = true;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x === null) nulls = true;
    else if (typeof x !== 'string') return values.map(pgInt64Param);
    else if (asJson && NOT_AS_JSON.test(x)) asJson = false;
  }
  if (asJson) return `{${JSON.stringify(values).slice(1, -1)}}`;
  // Nulls beside such strings: the driver's encoder.
  if (nulls) return values;
  return `{${(values as readonly string[]).map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}
