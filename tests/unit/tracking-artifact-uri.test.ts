/**
 * Artifact locations are built as mlflow.utils.uri.append_to_uri_path / resolve_uri_if_local build
 * them (Python run live on the same inputs), and backend URIs are read as SQLAlchemy reads them.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendToUriPath, resolveUriIfLocal } from '../../src/stores/artifact-uri.js';
import { parseBackendUri } from '../../src/stores/uri.js';

const appendCases: [string, string[]][] = [
  ['mlflow-artifacts:/', ['5']],
  ['mlflow-artifacts:/3', ['abc', 'artifacts']],
  ['mlflow-artifacts:', ['1']],
  ['file:///tmp/x', ['5']],
  ['file:/tmp/x', ['5']],
  ['/abs/mlruns', ['0']],
  ['/abs/mlruns/', ['2', '/lead']],
  ['rel/mlruns', ['7']],
  ['s3://bucket/path?x=1', ['r', 'artifacts']],
  ['s3://bucket', ['1']],
  ['gs://b/p/', ['1']],
  ['hdfs://host:8020/p', ['1']],
  ['http://host/p#frag', ['1']],
  ['file:rel', ['1']],
];
const resolveCases = [
  './mlruns',
  'mlruns',
  '../up/x',
  '/abs',
  'file:./x',
  'file:///abs',
  's3://b/p',
  'mlflow-artifacts:/',
];

describe('artifact URIs match mlflow.utils.uri', () => {
  const python = process.env.MLFLOW_TS_PYTHON ?? resolve(process.cwd(), '.venv/bin/python');
  const script = `
import json, sys
from mlflow.utils.uri import append_to_uri_path, resolve_uri_if_local
cases = json.load(sys.stdin)
print(json.dumps({
  "append": [append_to_uri_path(u, *p) for u, p in cases["append"]],
  "resolve": [resolve_uri_if_local(u) for u in cases["resolve"]],
}))`;
  const res = spawnSync(python, ['-c', script], {
    input: JSON.stringify({ append: appendCases, resolve: resolveCases }),
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(res.stderr);
  const expected = JSON.parse(res.stdout) as { append: string[]; resolve: string[] };

  it.each(appendCases.map((c, i) => [c[0], c[1].join(','), i] as const))(
    'append_to_uri_path(%s, %s)',
    (uri, _p, i) => {
      expect(appendToUriPath(uri, ...appendCases[i]![1])).toBe(expected.append[i]);
    },
  );
  it.each(resolveCases.map((c, i) => [c, i] as const))('resolve_uri_if_local(%s)', (uri, i) => {
    expect(resolveUriIfLocal(uri)).toBe(expected.resolve[i]);
  });
  it('refuses traversal in a query string', () => {
    expect(() => appendToUriPath('s3://b/p?x=..%2F', '1')).toThrow('Invalid query string');
  });
});

describe('backend store URIs', () => {
  it('reads SQLite and PostgreSQL forms', () => {
    expect(parseBackendUri('sqlite:////abs/path.db')).toEqual({ dialect: 'sqlite', path: '/abs/path.db' });
    expect(parseBackendUri('sqlite:///rel.db')).toEqual({ dialect: 'sqlite', path: resolve('rel.db') });
    expect(parseBackendUri('sqlite:///:memory:')).toEqual({ dialect: 'sqlite', path: ':memory:' });
    expect(parseBackendUri('sqlite://')).toEqual({ dialect: 'sqlite', path: ':memory:' });
    expect(parseBackendUri('postgresql://u:p@h:5432/db')).toEqual({
      dialect: 'postgresql',
      connectionString: 'postgresql://u:p@h:5432/db',
    });
    expect(parseBackendUri('postgresql+psycopg2://u@h/db?sslmode=disable')).toEqual({
      dialect: 'postgresql',
      connectionString: 'postgresql://u@h/db?sslmode=disable',
    });
    expect(() => parseBackendUri('oracle://x')).toThrow(/Invalid database engine: 'oracle'/);
  });
});
