/**
 * The array literals unnest inputs are sent as (src/stores/dialects/postgres/params.ts) read back by
 * a real PostgreSQL as the values they were built from: quotes, backslashes, nulls, control
 * characters, non-ASCII text, JSON texts, the word NULL, int64 extremes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { pgArrayLiteral } from '../../src/stores/dialects/postgres/params.js';
import { pgAvailable } from '../helpers/store-backends.js';

const STRINGS: (string | null)[][] = [
  ['plain', '', 'NULL', 'null', ' spaced ', '{}', 'a,b'],
  ['{"trace_id": "AAE=", "attributes": {"k": "\\"quoted\\" \\\\ back"}}', null, 'x'],
  [null, 'a"b', 'c\\d', '\\', '"'],
  [null, null],
  ['line\nbreak "q"', 'tab\there', '\u0001ctl\\'],
  ['é ü 漢字 😀 "x"', '\u2028\u2029'],
];

describe.skipIf(!pgAvailable)('pgArrayLiteral read back by PostgreSQL', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: process.env.MLFLOW_TS_TEST_PG_URL });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
  });

  it.each(STRINGS.map((v, i) => [i, v] as const))('text[] #%i', async (_i, values) => {
    const { rows } = await client.query<{ a: (string | null)[] }>('SELECT $1::text[] AS a', [
      pgArrayLiteral(values),
    ]);
    expect(rows[0]!.a).toEqual(values);
  });

  it('int8[] and float8[]', async () => {
    const ints = ['1700000000000000001', '-9223372036854775808', '9223372036854775807'];
    const { rows } = await client.query<{ i: string[]; f: number[] }>(
      'SELECT $1::int8[]::text[] AS i, $2::float8[] AS f',
      [pgArrayLiteral(ints), pgArrayLiteral([0.1, 1e-7, -2.5e300])],
    );
    expect(rows[0]!.i).toEqual(ints);
    expect(rows[0]!.f).toEqual([0.1, 1e-7, -2.5e300]);
  });
});
