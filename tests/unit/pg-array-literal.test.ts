/** The array literals PostgreSQL's unnest inputs are sent as (dialects/postgres.ts). */
import { describe, expect, it } from 'vitest';
import { pgArrayLiteral } from '../../src/stores/dialects/postgres/params.js';

describe('pgArrayLiteral', () => {
  it('joins numbers, booleans and quoted strings', () => {
    expect(pgArrayLiteral([])).toBe('{}');
    expect(pgArrayLiteral([1, -2.5, 0])).toBe('{1,-2.5,0}');
    expect(pgArrayLiteral([true, false])).toBe('{t,f}');
    expect(pgArrayLiteral(['a', 'NULL', 'b c', ''])).toBe('{"a","NULL","b c",""}');
  });
  it('escapes quotes and backslashes', () => {
    expect(pgArrayLiteral(['a"b', 'c\\d'])).toBe('{"a\\"b","c\\\\d"}');
  });
  it('sends int64 values beyond 2^53 exactly (and a huge double as its exact decimal)', () => {
    expect(pgArrayLiteral([1, -(2 ** 63), 2 ** 63])).toBe('{1,-9223372036854775808,9223372036854775807}');
    expect(pgArrayLiteral([1.7976931348623157e308])).toBe(`{${BigInt(1.7976931348623157e308)}}`);
  });
  it('leaves mixed or other values to the driver', () => {
    expect(pgArrayLiteral([1, null])).toEqual([1, null]);
    expect(pgArrayLiteral(['a', 1])).toEqual(['a', 1]);
  });
});

describe('pgArrayLiteral of strings with nulls, quotes and backslashes', () => {
  it("quotes them as JSON does where that is the literal's quoting", () => {
    expect(pgArrayLiteral(['{"a": "b\\\\c"}', null, 'x'])).toBe('{"{\\"a\\": \\"b\\\\\\\\c\\"}",null,"x"}');
    expect(pgArrayLiteral([null, 'a'])).toBe('{null,"a"}');
    expect(pgArrayLiteral([null, null])).toBe('{null,null}');
    expect(pgArrayLiteral(['é"😀'])).toBe('{"é\\"😀"}');
  });
  it('escapes them itself where JSON would write an escape sequence', () => {
    expect(pgArrayLiteral(['a"\nb'])).toBe('{"a\\"\nb"}');
    expect(pgArrayLiteral(['\ud800"'])).toBe('{"\ud800\\""}');
    expect(pgArrayLiteral(['a\tb', null])).toEqual(['a\tb', null]);
  });
});
