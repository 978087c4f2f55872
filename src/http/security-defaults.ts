import { isIPv4, isIPv6 } from 'node:net';

/**
 * Pure parts of the security middleware: default allow-lists and the matching rules of the
 * pinned MLflow (fnmatch patterns, IP-shaped patterns only matching IP literals, localhost
 * origins always allowed). Kept free of Fastify so they are unit-testable.
 */

export interface CorsPolicy {
  allowAll: boolean;
  origins: readonly string[];
  credentials: boolean;
  methods: readonly string[];
  /** Block state-changing cross-origin API requests (off when origins are '*'). */
  block: boolean;
}

export interface SecurityOptions {
  disabled: boolean;
  allowedHosts: readonly string[];
  checkHost: boolean;
  cors: CorsPolicy;
  /** Header value, or undefined for none ('NONE'). */
  xFrameOptions: string | undefined;
  staticPrefix: string;
}

export const INVALID_HOST_MSG = 'Invalid Host header - possible DNS rebinding attack detected';
export const CORS_BLOCKED_MSG = 'Cross-origin request blocked';
const STATE_CHANGING = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
const LOCALHOST_VARIANTS = ['localhost', '127.0.0.1', '[::1]', '0.0.0.0'];
const CORS_LOCALHOST_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const PRIVATE_IPV6_PATTERNS = ['fc00:*', 'fd00:*'];
const IPV4_PREFIX_GLOB = /^(?:[0-9]+\.)+\*(?:\.(?:[0-9]+|\*))*(?::[0-9*]+)?$/;
export const LOCALHOST_ORIGIN_RE =
  /^(?:http:\/\/localhost(:[0-9]+)?|http:\/\/127\.0\.0\.1(:[0-9]+)?|http:\/\/\[::1\](:[0-9]+)?)$/;
export const TRACE_RENDERER_ASSET_PATH = '/static-files/lib/notebook-trace-renderer';

export function defaultAllowedHosts(): string[] {
  const wildcard = LOCALHOST_VARIANTS.map((h) =>
    h.startsWith('[') ? `${h.replace('[', '[[]')}:*` : `${h}:*`,
  );
  const private172: string[] = [];
  for (let i = 16; i < 32; i++) private172.push(`172.${i}.*`);
  return [...LOCALHOST_VARIANTS, ...wildcard, '192.168.*', '10.*', ...private172, ...PRIVATE_IPV6_PATTERNS];
}

const fnmatchCache = new Map<string, RegExp>();

/** Python's fnmatch (POSIX: case-sensitive): `*`, `?`, `[seq]`, `[!seq]`. */
export function fnmatch(name: string, pattern: string): boolean {
  let re = fnmatchCache.get(pattern);
  if (!re) {
    let src = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === '*') src += '.*';
      else if (c === '?') src += '.';
      else if (c === '[') {
        const end = pattern.indexOf(']', i + 2);
        if (end < 0) {
          src += '\\[';
        } else {
          let body = pattern.slice(i + 1, end);
          const negate = body.startsWith('!');
          if (negate) body = body.slice(1);
          body = body.replace(/\\/g, '\\\\').replace(/\^/g, '\\^');
          src += `[${negate ? '^' : ''}${body}]`;
          i = end;
        }
      } else src += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`, 's');
    fnmatchCache.set(pattern, re);
  }
  return re.test(name);
}

function isStrictIPv4(text: string): boolean {
  // Python's ipaddress rejects leading zeros; node's isIPv4 does too.
  return isIPv4(text);
}

function matchesHostPattern(host: string, pattern: string): boolean {
  if (!fnmatch(host, pattern)) return false;
  // IP-shaped patterns (the default `10.*`) only cover IP literals, never `10.evil.example`.
  if (IPV4_PREFIX_GLOB.test(pattern)) return isStrictIPv4(host.split(':')[0]!);
  if (PRIVATE_IPV6_PATTERNS.includes(pattern)) return isIPv6(host) && !host.includes('%');
  return true;
}

export function isAllowedHost(allowed: readonly string[], host: string | undefined): boolean {
  if (!host) return false;
  if (allowed.includes('*')) return true;
  return allowed.some((p) => (p.includes('*') ? matchesHostPattern(host, p) : host === p));
}

function isLocalhostOrigin(origin: string): boolean {
  try {
    const { hostname } = new URL(origin);
    return CORS_LOCALHOST_HOSTS.has(hostname);
  } catch {
    return false;
  }
}

export function shouldBlockCors(
  origin: string | undefined,
  method: string,
  allowed: readonly string[],
): boolean {
  if (!origin || !STATE_CHANGING.has(method)) return false;
  if (isLocalhostOrigin(origin)) return false;
  if (allowed.length > 0) {
    if (allowed.includes('*')) return false;
    return !allowed.some((a) => (a.includes('*') ? fnmatch(origin, a) : origin === a));
  }
  return true;
}

export function isApiPath(path: string, staticPrefix: string): boolean {
  return (
    (path.startsWith(`${staticPrefix}/api/`) ||
      path.startsWith(`${staticPrefix}/ajax-api/`) ||
      path.startsWith('/api/2.0/mlflow-artifacts/artifacts') ||
      path.startsWith('/ajax-api/2.0/mlflow-artifacts/artifacts')) &&
    path !== '/test' &&
    path !== '/api/test'
  );
}

export function isHealthPath(path: string, staticPrefix: string): boolean {
  return path === `${staticPrefix}/health` || path === `${staticPrefix}/version`;
}

function splitList(value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  return value.split(',').map((x) => x.trim());
}

/** Builds the effective policy from the flag values, as MLflow's init of its middleware does. */
export function resolveSecurityOptions(input: {
  disabled: boolean;
  allowedHosts: string | undefined;
  corsAllowedOrigins: string | undefined;
  xFrameOptions: string | undefined;
  staticPrefix: string;
}): SecurityOptions {
  const origins = splitList(input.corsAllowedOrigins) ?? [];
  const wildcard = origins.includes('*');
  const cors: CorsPolicy = wildcard
    ? {
        allowAll: true,
        origins,
        credentials: false,
        methods: ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY'],
        block: false,
      }
    : {
        allowAll: false,
        origins,
        credentials: true,
        methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'],
        block: true,
      };
  const hosts = splitList(input.allowedHosts) ?? defaultAllowedHosts();
  const xfo = input.xFrameOptions?.toUpperCase();
  return {
    disabled: input.disabled,
    allowedHosts: hosts,
    checkHost: !hosts.includes('*'),
    cors,
    xFrameOptions: xfo && xfo !== 'NONE' ? xfo : undefined,
    staticPrefix: input.staticPrefix,
  };
}
