/**
 * MLflow's schema validators (handlers.py `_assert_*`), applied to the raw request JSON with
 * Python semantics. A validator fails by throwing `AssertionFailure` (optionally carrying a
 * message, like `AssertionError(msg)`); Python TypeErrors become PythonCrash (a bare 500).
 */
import { floatOf, intOf } from '../../py/numbers.js';
import { strLen } from '../../py/str.js';
import { PythonCrash, isObject, type Json } from '../../py/values.js';

export class AssertionFailure extends Error {
  constructor(readonly detail?: string) {
    super(detail ?? 'AssertionError');
  }
}

export interface Validator {
  (value: Json | undefined): void;
  /** Type validators are skipped when ParseDict succeeded (`_TYPE_VALIDATORS`). */
  readonly isType?: boolean;
  /** `_assert_required`: also runs when the key is absent, and has its own message. */
  readonly isRequired?: boolean;
}

function typed(fn: (v: Json | undefined) => void): Validator {
  return Object.assign(fn, { isType: true });
}

function assert(cond: boolean, detail?: string): void {
  if (!cond) throw new AssertionFailure(detail);
}

export const assertString = typed((v) => assert(typeof v === 'string'));

export const assertIntlike = typed((v) => {
  // int(x) -> ValueError is swallowed (then isinstance fails); TypeError escapes.
  const n = intOf(v);
  assert(n !== undefined || (typeof v === 'number' && Number.isInteger(v)));
});

export const assertFloatlike = typed((v) => {
  assert(floatOf(v) !== undefined);
});

export const assertBool = typed((v) => assert(typeof v === 'boolean'));

export const assertArray = typed((v) => assert(Array.isArray(v)));

export const assertItemTypeString = typed((v) => {
  if (!iterable(v)) throw new PythonCrash(`'${typeof v}' object is not iterable`);
  assert(items(v).every((x) => typeof x === 'string'));
});

export const assertDict: Validator = (v) => assert(isObject(v));

/** `_assert_required(x)` / `_assert_required(x, path)`: None and "" are missing. */
export function requiredAt(v: Json | undefined, path?: string): void {
  const msg = path === undefined ? undefined : `Missing value for required parameter '${path}'.`;
  assert(v !== undefined && v !== null, msg);
  assert(v !== '', msg);
}

export const assertRequired: Validator = Object.assign((v: Json | undefined) => requiredAt(v), {
  isRequired: true,
});

export const assertMapKeyPresent: Validator = (v) => {
  assertArray(v);
  for (const entry of v as Json[]) {
    if (!isObject(entry)) throw new PythonCrash("object has no attribute 'get'");
    requiredAt(entry['key']);
  }
};

/** `lambda x: _assert_less_than_or_equal(int(x), max)`. */
export function intAtMost(max: number, message?: string): Validator {
  return (v) => {
    const n = intOf(v);
    if (n === undefined) throw new PythonCrash(`invalid literal for int(): ${String(v)}`);
    assert(n <= max, message);
  };
}

/** `lambda x: _assert_intlike_within_range(int(x), lo, hi, message)`. */
export function intWithin(lo: number, hi: number, message?: string): Validator {
  return (v) => {
    const n = intOf(v);
    if (n === undefined) throw new PythonCrash(`invalid literal for int(): ${String(v)}`);
    assert(lo <= n && n <= hi, message);
  };
}

/** `lambda x: _assert_less_than_or_equal(len(x), max, message=f(len(x)))`. */
export function lengthAtMost(max: number, message?: (n: number) => string): Validator {
  return (v) => {
    const n = lenOf(v);
    assert(n <= max, message?.(n));
  };
}

function iterable(v: Json | undefined): v is string | Json[] | { [k: string]: Json } {
  return typeof v === 'string' || Array.isArray(v) || isObject(v);
}

function items(v: string | Json[] | { [k: string]: Json }): Json[] {
  if (typeof v === 'string') return [...v];
  if (Array.isArray(v)) return v;
  return Object.keys(v);
}

/** Python's len() of a decoded JSON value (str: code points). */
export function lenOf(v: Json | undefined): number {
  if (typeof v === 'string') return strLen(v);
  if (Array.isArray(v)) return v.length;
  if (isObject(v)) return Object.keys(v).length;
  throw new PythonCrash(`object of type '${typeof v}' has no len()`);
}

/** Python's `x.get(k)` on an item of a list the handler walks (a non-dict item crashes). */
export function pyGet(item: Json, key: string): Json | undefined {
  if (!isObject(item)) throw new PythonCrash(`'${typeof item}' object has no attribute 'get'`);
  return item[key];
}
