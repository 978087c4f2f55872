/**
 * pyJsonLoadsFast (JSON.parse where it reads a document as json.loads does) against the exact
 * reader: the same value wherever it answers, with ints and integer-valued floats alike; not
 * taken (undefined) where JSON.parse would lose something.
 */
import { describe, expect, it } from 'vitest';
import { pyJsonLoadsExact, type PyExact } from '../../src/py/json-exact.js';
import { pyJsonLoadsFast } from '../../src/py/json-fast.js';
import { PyFloat } from '../../src/py/values.js';
import { rng } from '../helpers/seeded-rng.js';

/** Comparable form: a float of an integer value reads as that int. */
function norm(v: PyExact): unknown {
  if (v instanceof PyFloat) return Number.isInteger(v.value) ? v.value : { float: v.value };
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return v.map(norm);
  if (v instanceof Map) return [...v].map(([k, x]) => [k, norm(x)]);
  return v;
}

const STRINGS = ['', 'a', 'é', '😀', 'q"x', 'back\\slash', 'line\nbreak', '\u0001', '1.5', '0', '12', 'k'];
const NUMBERS = ['0', '-1', '42', '1.5', '-2.25e3', '1e2', '2.0', '9007199254740991', '-0', '0.0'];

function gen(r: () => number, depth: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const k = r();
  if (depth > 3 || k < 0.35) {
    const scalar = r();
    if (scalar < 0.4) return JSON.stringify(pick(STRINGS));
    if (scalar < 0.8) return pick(NUMBERS);
    return pick(['true', 'false', 'null']);
  }
  const n = Math.floor(r() * 4);
  if (k < 0.6) return '[' + Array.from({ length: n }, () => gen(r, depth + 1)).join(', ') + ']';
  const keys = Array.from({ length: n }, () => pick(['a', 'b', 'z', 'é', 'x y', 'a', '_1']));
  return '{' + keys.map((key) => `${JSON.stringify(key)}: ${gen(r, depth + 1)}`).join(', ') + '}';
}

describe('pyJsonLoadsFast', () => {
  it('reads 3000 seeded documents as the exact reader does', () => {
    const r = rng(20261204);
    let taken = 0;
    for (let i = 0; i < 3000; i++) {
      const text = gen(r, 0);
      const fast = pyJsonLoadsFast(text);
      if (fast === undefined) continue;
      taken++;
      expect(norm(fast), text).toEqual(norm(pyJsonLoadsExact(text)));
    }
    expect(taken).toBeGreaterThan(1500);
  });

  it.each([
    ['an int past 2^53', '{"t": 1700000000000000001}'],
    ['a float of an unsafe integer value', '[1e300]'],
    ['-0', '[-0]'],
    ['-0.0', '[-0.0]'],
    ['an integer-like key (a JS object lists it first)', '{"b": 1, "7": 2}'],
    ['NaN (json.loads takes it, JSON.parse does not)', '[NaN]'],
    ['Infinity', '{"x": Infinity}'],
    ['invalid JSON', '{"a": '],
    ['a lone control character in a string', '["a\u0001"]'],
    ['deep nesting', '['.repeat(300) + ']'.repeat(300)],
  ])('is not taken for %s', (_, text) => {
    expect(pyJsonLoadsFast(text)).toBeUndefined();
  });

  it('keeps key order, duplicate keys as json.loads does, and fractions as floats', () => {
    const v = pyJsonLoadsFast('{"b": 1, "a": 2.5, "b": 3, "x1": [true, null, "s"]}')!;
    expect(norm(v)).toEqual([
      ['b', 3],
      ['a', { float: 2.5 }],
      ['x1', [true, null, 's']],
    ]);
  });
});
