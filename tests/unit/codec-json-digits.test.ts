import { describe, expect, it } from 'vitest';
import { hasLongDigitRun, pyJsonLoads } from '../../src/http/codec-json.js';

// hasLongDigitRun replaces a /\d{19}/ test on every request body: it must agree with it exactly.
describe('hasLongDigitRun', () => {
  const regex = /\d{19}/;

  it('agrees with /\\d{19}/ around the run lengths and probe positions that matter', () => {
    for (let run = 15; run <= 40; run++) {
      for (let at = 0; at <= 40; at++) {
        for (const pad of ['', 'x', ' 1.', 'a'.repeat(30)]) {
          const text = 'y'.repeat(at) + '7'.repeat(run) + pad;
          expect(hasLongDigitRun(text), text).toBe(regex.test(text));
        }
      }
    }
  });

  it('agrees with /\\d{19}/ on random texts of digits and separators', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = '0123456789012345678901234567890123456789.-e,":a';
    for (let i = 0; i < 5000; i++) {
      let text = '';
      const len = rnd(120);
      for (let j = 0; j < len; j++) text += alphabet[rnd(alphabet.length)];
      expect(hasLongDigitRun(text), text).toBe(regex.test(text));
    }
  });

  it('still sends int64 overflows to the exact reader', () => {
    const big = pyJsonLoads('{"a": 9223372036854775808, "b": 0.12345678901234567}');
    expect(big).toEqual({ a: 2 ** 63, b: Number('0.12345678901234567') });
  });
});
