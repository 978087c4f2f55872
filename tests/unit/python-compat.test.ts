/**
 * src/py against the pinned Python itself: golden/python-compat.json holds each input with what
 * CPython 3.11 answers (repr, json.dumps, posixpath, urllib.parse, shlex, ast.literal_eval, ...).
 * Regenerate it by running that file's inputs through .venv/bin/python (see the keys).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonDumps } from '../../src/py/json.js';
import { literalEval } from '../../src/py/literal-eval.js';
import { floatOf, floatRepr, intOf, intStr } from '../../src/py/numbers.js';
import { normpath, posixJoin } from '../../src/py/path.js';
import { reprBytes, reprDictList, reprJson, reprStr } from '../../src/py/repr.js';
import { shlexSplit } from '../../src/py/shlex.js';
import { strLen } from '../../src/py/str.js';
import { netlocHostname, unquote, unquotePlus, urlparse, urlsplit, urlunsplit } from '../../src/py/urlparse.js';
import { PyFloat, type PyJson } from '../../src/py/values.js';

type Cases = Record<string, unknown[][]>;
const golden = JSON.parse(readFileSync('tests/unit/golden/python-compat.json', 'utf8')) as Cases;
const cases = <T extends unknown[]>(name: string): T[] => golden[name] as T[];

/** A float given as its Python repr (finite) or str (nan / inf / -inf). */
const float = (text: string): number =>
  text === 'nan' ? NaN : text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);

describe('src/py matches CPython', () => {
  it('repr(str)', () => {
    for (const [s, want] of cases<[string, string]>('reprStr')) expect(reprStr(s), s).toBe(want);
  });

  it('repr(float) and str(int)', () => {
    for (const [text, want] of cases<[string, string]>('floatRepr'))
      expect(floatRepr(float(text))).toBe(want);
    for (const [text, want] of cases<[string, string]>('intStr')) expect(intStr(Number(text))).toBe(want);
  });

  it('json.dumps(sort_keys=True, separators=(",", ":"))', () => {
    for (const [v, want] of cases<[PyJson, string]>('jsonDumps')) {
      const value = v === 'nan' || v === 'inf' ? new PyFloat(float(v)) : v;
      expect(jsonDumps(value), JSON.stringify(v)).toBe(want);
    }
  });

  it('repr of json.loads values, bytes and lists of dicts', () => {
    for (const [v, want] of cases<[unknown, string]>('reprJson')) expect(reprJson(v)).toBe(want);
    for (const [b, want] of cases<[number[], string]>('reprBytes')) {
      expect(reprBytes(Uint8Array.from(b))).toBe(want);
    }
    for (const [d, want] of cases<[Record<string, string>[], string]>('reprDictList')) {
      expect(reprDictList(d)).toBe(want);
    }
  });

  it('posixpath.normpath / join', () => {
    for (const [p, want] of cases<[string, string]>('normpath')) expect(normpath(p), p).toBe(want);
    for (const [a, b, want] of cases<[string, string, string]>('posixJoin'))
      expect(posixJoin(a, b)).toBe(want);
  });

  it('urllib.parse.urlsplit / urlunsplit', () => {
    for (const [url, parts, back] of cases<[string, string[], string]>('urlsplit')) {
      const p = urlsplit(url);
      expect([p.scheme, p.netloc ?? '', p.path, p.query ?? '', p.fragment ?? ''], url).toEqual(parts);
      expect(urlunsplit(p), url).toBe(back);
    }
  });

  it('urllib.parse.urlparse (params, hostname, allow_fragments) and unquote / unquote_plus', () => {
    for (const [url, [path, params, host], noFragmentPath] of cases<[string, string[], string]>('urlparse')) {
      const p = urlparse(url);
      expect([p.path, p.params, netlocHostname(p.netloc) ?? ''], url).toEqual([path, params, host]);
      expect(urlsplit(url, false).path, url).toBe(noFragmentPath);
    }
    for (const [q, plain, plus] of cases<[string, string, string]>('unquote')) {
      expect(unquote(q), q).toBe(plain);
      expect(unquotePlus(q), q).toBe(plus);
    }
  });

  it('shlex.split and ast.literal_eval', () => {
    for (const [s, want] of cases<[string, string[]]>('shlex'))
      expect(shlexSplit(s.replace(/`/g, '"'))).toEqual(want);
    for (const [s, want] of cases<[string, unknown]>('literalEval')) {
      const v = literalEval(s);
      expect(v && typeof v === 'object' && 'tuple' in v ? v.tuple : v, s).toEqual(want);
    }
  });

  it('len(str), int(str), float(str)', () => {
    for (const [s, want] of cases<[string, number]>('strLen')) expect(strLen(s)).toBe(want);
    for (const [s, want] of cases<[string, number]>('intOf')) expect(intOf(s)).toBe(want);
    for (const [s, want] of cases<[string, string]>('floatOf')) expect(floatRepr(floatOf(s)!)).toBe(want);
  });
});
