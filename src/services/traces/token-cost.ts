/**
 * mlflow.utils.providers._cost_from_model_info with Python's numbers: the token counts come from a
 * span's decoded mlflow.chat.tokenUsage, so they may be ints of any size, floats (NaN and
 * infinities included), bools or anything else. Ints are kept exact (bigint), floats are IEEE
 * doubles, mixed operations convert the int to a double first (OverflowError past the double
 * range), comparisons between an int and a float are exact, as in Python. Whatever Python would
 * raise on (a string or a list where a number is needed) throws PyArithmeticError.
 */
import { pyTruthyExact, type PyExact } from '../../py/json-exact.js';
import { PyFloat } from '../../py/values.js';

/** A Python int (bigint) or float (number). */
type PyNum = bigint | number;

/** Where Python raises (TypeError, OverflowError) inside the cost computation. */
export class PyArithmeticError extends Error {}

/** A flattened catalog entry's prices per token (ModelInfo's cost keys; undefined: key absent). */
export interface ModelPrices {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
}

/** The token counts cost_per_token receives (undefined: not passed, i.e. Python's default). */
export interface TokenCounts {
  prompt: PyExact;
  completion: PyExact;
  cacheRead: PyExact | undefined;
  cacheCreation: PyExact | undefined;
  cacheCreation1h: PyExact | undefined;
}

/** A decoded JSON value as a Python number; bools are ints. Anything else: Python's TypeError. */
function num(v: PyExact): PyNum {
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'bigint') return v;
  if (v instanceof PyFloat) return v.value;
  throw new PyArithmeticError('unsupported operand type');
}

/** float(int): correctly rounded; OverflowError where the int is beyond the double range. */
function toFloat(n: PyNum): number {
  if (typeof n === 'number') return n;
  const f = Number(n);
  if (!Number.isFinite(f)) throw new PyArithmeticError('int too large to convert to float');
  return f;
}

function sub(a: PyNum, b: PyNum): PyNum {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a - b;
  return toFloat(a) - toFloat(b);
}

/** Python's exact `a > b` between ints and floats (false when a NaN is involved). */
function gt(a: PyNum, b: PyNum): boolean {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a > b;
  if (typeof a === 'number' && typeof b === 'number') return a > b;
  if (typeof a === 'bigint') return cmpIntFloat(a, b as number) > 0;
  return cmpIntFloat(b as bigint, a) < 0;
}

/** Sign of (i - f), exactly; NaN when f is NaN. */
function cmpIntFloat(i: bigint, f: number): number {
  if (Number.isNaN(f)) return NaN;
  if (f === Infinity) return -1;
  if (f === -Infinity) return 1;
  const floor = BigInt(Math.floor(f));
  if (i < floor) return -1;
  if (i > floor) return 1;
  return Number.isInteger(f) ? 0 : -1;
}

/** `x or 0`. */
const orZero = (v: PyExact | undefined): PyExact => (v === undefined || !pyTruthyExact(v) ? 0 : v);

/** `prompt_tokens == 0` for a decoded value (only numbers and bools can equal 0). */
export function pyEqualsZero(v: PyExact): boolean {
  if (typeof v === 'boolean') return v === false;
  if (typeof v === 'number') return v === 0;
  if (typeof v === 'bigint') return v === 0n;
  if (v instanceof PyFloat) return v.value === 0;
  return false;
}

/**
 * (input_cost, output_cost) as _cost_from_model_info computes them: the regular input tokens
 * (prompt minus cache read and cache creation, at least 0) at the input rate, cache reads at their
 * rate, cache creation split into its 1-hour part (at most the total) and the rest, each at its
 * rate, each rate falling back as Python's `info.get(key, default)` does; output at its rate.
 */
export function costFromPrices(info: ModelPrices, t: TokenCounts): [number, number] {
  const inputRate = info.input ?? 0.0;
  const outputRate = info.output ?? 0.0;
  const cacheRead = num(orZero(t.cacheRead));
  const cacheCreation = num(orZero(t.cacheCreation));
  const diff = sub(sub(num(t.prompt), cacheRead), cacheCreation);
  // max(diff, 0) keeps diff unless 0 is greater (so NaN and -0.0 stay).
  const regular = gt(0n, diff) ? 0n : diff;
  const above1h = num(orZero(t.cacheCreation1h));
  // min(above1h, cacheCreation) keeps the first unless the second is smaller.
  const creation1h = gt(above1h, cacheCreation) ? cacheCreation : above1h;
  const creation5m = sub(cacheCreation, creation1h);
  const creationRate = info.cacheWrite ?? inputRate;

  let input = toFloat(regular) * inputRate;
  if (gt(cacheRead, 0n)) input += toFloat(cacheRead) * (info.cacheRead ?? inputRate);
  if (gt(creation5m, 0n)) input += toFloat(creation5m) * creationRate;
  if (gt(creation1h, 0n)) input += toFloat(creation1h) * (info.cacheWrite1h ?? creationRate);
  const output = toFloat(num(t.completion)) * outputRate;
  return [input, output];
}
