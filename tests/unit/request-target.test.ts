import { describe, expect, it } from 'vitest';
import {
  DIVERTED_ROUTING_URL,
  isOriginForm,
  pythonScopePath,
  routingUrl,
} from '../../src/http/request-target.js';
import { unquote } from '../../src/py/urlparse.js';

describe('unquote (src/py): urllib.parse.unquote of the pinned Python', () => {
  // Expected values printed by Python 3.11's urllib.parse.unquote.
  const cases: [string, string][] = [
    ['/a/b', '/a/b'],
    ['/%61pi/2.0', '/api/2.0'],
    ['/x%zz/%41', '/x%zz/A'],
    ['/%', '/%'],
    ['/%4', '/%4'],
    ['/%C3%A9', '/\u00e9'],
    ['/%FF%FE', '/\ufffd\ufffd'],
    ['/%e2%82', '/\ufffd'],
    ['/%e2%82%ac%', '/\u20ac%'],
    ['/a%2Fb%00c', '/a/b\u0000c'],
    ['/%25252e', '/%252e'],
    ['/%C3%A9%zz%C3', '/\u00e9%zz\ufffd'],
  ];
  for (const [input, expected] of cases) {
    it(JSON.stringify(input), () => expect(unquote(input)).toBe(expected));
  }

  it('takes the path before the first ? only (a # is part of the path)', () => {
    expect(pythonScopePath('/%61pi/x#f?q=%41')).toBe('/api/x#f');
  });
});

describe('routingUrl: what the router may read as is', () => {
  it('routes plain origin-form targets unchanged', () => {
    for (const t of ['/api/2.0/mlflow/runs/get', '/api/2.0/mlflow/runs/get?run_id=a#b%zz', '/health', '/']) {
      expect(routingUrl(t)).toBe(t);
    }
  });

  it('sends every other target to the catch-all', () => {
    for (const t of [
      '/api/2.0/mlflow/runs/%67et',
      '/api/2.0/mlflow/runs/get#x',
      '/api/2.0/mlflow/runs/get;x',
      '/api/2.0/mlflow/runs%2Fget',
      '/api/2.0/mlflow/runs/get%zz',
      '/api/2.0/mlflow/runs/..\\get',
      '/api/2.0/mlflow/runs/get:x',
      'http://h/api/2.0/mlflow/runs/get',
      '*',
    ]) {
      expect(routingUrl(t), t).toBe(DIVERTED_ROUTING_URL);
    }
  });

  it('standalone, routes a non-plain target as Python routes its decoded path', () => {
    const cases: [string, string][] = [
      ['/api/2.0/mlflow/runs/%67et?run_id=a', '/api/2.0/mlflow/runs/get?run_id=a'],
      ['/api/2.0/mlflow/logged-models/m-1/tags/it\'s', '/api/2.0/mlflow/logged-models/m-1/tags/it%27s'],
      ['/api/2.0/mlflow/logged-models/m-1/tags/a%20b', '/api/2.0/mlflow/logged-models/m-1/tags/a%20b'],
      ['/api/2.0/mlflow/runs%2Fget', '/api/2.0/mlflow/runs/get'],
      ['/api/2.0/mlflow/runs/get#x', '/api/2.0/mlflow/runs/get%23x'],
      ['/api/2.0/mlflow/x/%C3%A9', '/api/2.0/mlflow/x/%C3%A9'],
      ['/api/2.0/mlflow/x/%FF', '/api/2.0/mlflow/x/%EF%BF%BD'],
    ];
    for (const [target, routed] of cases) expect(routingUrl(target, true), target).toBe(routed);
    // werkzeug would merge the slashes (with a redirect): left to the catch-all
    expect(routingUrl('/api/2.0/mlflow/runs/%2Fget', true)).toBe(DIVERTED_ROUTING_URL);
    expect(routingUrl('http://h/api/2.0/mlflow/runs/get', true)).toBe(DIVERTED_ROUTING_URL);
  });

  it('knows origin-form', () => {
    expect(isOriginForm('/x')).toBe(true);
    expect(isOriginForm('*')).toBe(false);
    expect(isOriginForm('http://h/x')).toBe(false);
  });
});
