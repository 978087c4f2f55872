import { describe, expect, it } from 'vitest';
import {
  defaultAllowedHosts,
  fnmatch,
  isAllowedHost,
  isApiPath,
  isHealthPath,
  shouldBlockCors,
} from '../../src/http/security-defaults.js';

describe('security middleware rules of the pinned MLflow', () => {
  const hosts = defaultAllowedHosts();

  it('accepts localhost and private IP literals by default', () => {
    for (const h of [
      'localhost',
      'localhost:5000',
      '127.0.0.1:5000',
      '[::1]:5000',
      '0.0.0.0',
      '10.1.2.3:80',
      '192.168.0.7',
      '172.20.1.1:5000',
    ]) {
      expect(isAllowedHost(hosts, h), h).toBe(true);
    }
  });

  it('rejects other hosts, and names that only look like private IPs', () => {
    for (const h of [
      'evil.com',
      'evil.com:5000',
      '10.evil.example',
      '192.168.evil.example',
      '172.15.0.1',
      '',
      undefined,
    ]) {
      expect(isAllowedHost(hosts, h), String(h)).toBe(false);
    }
  });

  it('matches configured patterns with fnmatch, exact otherwise; * allows all', () => {
    expect(isAllowedHost(['mlflow.example.com'], 'mlflow.example.com')).toBe(true);
    expect(isAllowedHost(['mlflow.example.com'], 'mlflow.example.com:443')).toBe(false);
    expect(isAllowedHost(['app-*.internal.com'], 'app-1.internal.com')).toBe(true);
    expect(isAllowedHost(['*'], 'anything')).toBe(true);
    expect(fnmatch('[x', '[[]x')).toBe(true);
  });

  it('blocks state-changing cross-origin requests unless localhost or allowed', () => {
    expect(shouldBlockCors('https://evil.com', 'POST', [])).toBe(true);
    expect(shouldBlockCors('https://evil.com', 'GET', [])).toBe(false);
    expect(shouldBlockCors(undefined, 'POST', [])).toBe(false);
    expect(shouldBlockCors('http://localhost:3000', 'DELETE', [])).toBe(false);
    expect(shouldBlockCors('https://a.company.com', 'PUT', ['https://*.company.com'])).toBe(false);
    expect(shouldBlockCors('https://evil.com', 'PATCH', ['https://a.company.com'])).toBe(true);
  });

  it('knows API and health paths, with the static prefix', () => {
    expect(isApiPath('/api/2.0/mlflow/runs/get', '')).toBe(true);
    expect(isApiPath('/ajax-api/2.0/mlflow/runs/get', '')).toBe(true);
    expect(isApiPath('/api/2.0/mlflow/runs/get', '/p')).toBe(false);
    expect(isApiPath('/p/api/2.0/mlflow/runs/get', '/p')).toBe(true);
    expect(isApiPath('/api/2.0/mlflow-artifacts/artifacts/x', '/p')).toBe(true);
    expect(isApiPath('/api/test', '')).toBe(false);
    expect(isHealthPath('/health', '')).toBe(true);
    expect(isHealthPath('/health', '/p')).toBe(false);
    expect(isHealthPath('/p/version', '/p')).toBe(true);
  });
});
