import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryRefusal } from '../../src/http/graphql/limits.js';

const LIMITS = { maxRootFields: 10, maxAliases: 10 };
const refusal = (q: string) => queryRefusal(parse(q), LIMITS);

describe('GraphQL query limits (check_query_safety)', () => {
  it('lets ordinary queries through', () => {
    expect(refusal('{ a { b { c } } d }')).toBeUndefined();
  });

  it('refuses more than 10 levels', () => {
    let q = 'x';
    for (let i = 0; i < 10; i++) q = `f${i} { ${q} }`;
    expect(refusal(`{ ${q} }`)).toBe('Query exceeds maximum depth of 10');
    let ok = 'x';
    for (let i = 0; i < 9; i++) ok = `f${i} { ${ok} }`;
    expect(refusal(`{ ${ok} }`)).toBeUndefined();
  });

  it('refuses more than 1000 selections', () => {
    const fields = Array.from({ length: 1001 }, (_, i) => `f${i}`).join(' ');
    expect(refusal(`{ a { ${fields} } }`)).toBe('Query exceeds maximum total selections of 1000');
  });

  it('counts root fields and aliases per level, fragments merged into the level they appear at', () => {
    const roots = Array.from({ length: 11 }, (_, i) => `f${i}`).join(' ');
    expect(refusal(`{ ${roots} }`)).toBe(
      'GraphQL queries should have at most 10 root fields, got 11 root fields. To increase the limit, set the MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS environment variable.',
    );
    const split =
      'fragment F on T { a1: x a2: x a3: x a4: x a5: x a6: x } { t { ...F b1: x b2: x b3: x b4: x b5: x } }';
    expect(refusal(split)).toContain('got 11 aliases');
    // the same aliases on two levels count once each
    expect(
      refusal('{ t { a1: x a2: x a3: x a4: x a5: x u { b1: x b2: x b3: x b4: x b5: x b6: x } } }'),
    ).toBeUndefined();
  });

  it('follows a fragment once per path (no cycle)', () => {
    expect(refusal('fragment A on T { ...A x } { t { ...A } }')).toBeUndefined();
  });
});
