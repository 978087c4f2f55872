/** Emits src/gen/routes.ts: the RPC table. */
import { header, key, lit } from './header.js';
import type { RpcModel } from './rpcs.js';

function params(p: Record<string, string>): string {
  const entries = Object.entries(p);
  if (!entries.length) return '{}';
  return `{ ${entries.map(([k, v]) => `${key(k)}: ${lit(v)}`).join(', ')} }`;
}

export function emitRoutes(rpcs: readonly RpcModel[], version: string): string {
  const out: string[] = [
    header(version, 'Every RPC of the services the pinned server registers, with its endpoints and routes.'),
    "export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';",
    '',
    'export interface RpcEndpoint {',
    '  method: HttpMethod;',
    '  /** As written in the proto: `{name}` path params, `<path:name>` for artifact paths. */',
    '  path: string;',
    '  /** `since.major`: the route prefix is `/api/{since}.0`. */',
    '  since: number;',
    '  sinceMinor: number;',
    '}',
    '',
    'export interface RpcRoute {',
    '  method: HttpMethod;',
    '  /** Fastify syntax: `:name` params, `*` for `<path:...>`. */',
    '  url: string;',
    "  prefix: 'api' | 'ajax-api';",
    '  /** Fastify param name -> the request field it fills. */',
    '  params: Readonly<Record<string, string>>;',
    '}',
    '',
    'export interface RpcInfo {',
    '  service: string;',
    '  rpc: string;',
    '  key: string;',
    '  requestType: string;',
    '  responseType: string;',
    '  /** False for RPCs the pinned server routes but has no handler for (it answers 404, empty body). */',
    '  handledByMlflow: boolean;',
    "  /** Whether the pinned server answers 503 for it in `--artifacts-only` mode. */",
    '  disabledIfArtifactsOnly: boolean;',
    '  endpoints: readonly RpcEndpoint[];',
    '  routes: readonly RpcRoute[];',
    '}',
    '',
    'export const MLFLOW_VERSION = ' + lit(version) + ';',
    '',
    'export const RPCS: readonly RpcInfo[] = [',
  ];
  for (const r of rpcs) {
    out.push('  {');
    out.push(`    service: ${lit(r.service)},`);
    out.push(`    rpc: ${lit(r.rpc)},`);
    out.push(`    key: ${lit(r.key)},`);
    out.push(`    requestType: ${lit(r.requestType)},`);
    out.push(`    responseType: ${lit(r.responseType)},`);
    out.push(`    handledByMlflow: ${r.handledByMlflow},`);
    out.push(`    disabledIfArtifactsOnly: ${r.disabledIfArtifactsOnly},`);
    out.push('    endpoints: [');
    for (const e of r.endpoints)
      out.push(
        `      { method: ${lit(e.method)}, path: ${lit(e.path)}, since: ${e.since}, sinceMinor: ${e.sinceMinor} },`,
      );
    out.push('    ],');
    out.push('    routes: [');
    for (const rt of r.routes)
      out.push(
        `      { method: ${lit(rt.method)}, url: ${lit(rt.url)}, prefix: ${lit(rt.prefix)}, params: ${params(rt.params)} },`,
      );
    out.push('    ],');
    out.push('  },');
  }
  out.push('];', '');
  out.push(
    'export const RPCS_BY_KEY: ReadonlyMap<string, RpcInfo> = new Map(RPCS.map((r) => [r.key, r]));',
    '',
  );
  return out.join('\n');
}
