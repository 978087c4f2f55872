/**
 * `mlflow-ts endpoints [--json | --markdown] [--native | --proxied] [--static-prefix P]`: every RPC of the
 * pinned MLflow with its method, routes and whether mlflow-ts serves it natively or proxies it
 * to the Python child. Pure: returns the text to print.
 */
import { MLFLOW_VERSION, RPCS, type RpcInfo } from '../../gen/routes.js';
import { NATIVE_EXTRA_ROUTES } from '../../http/native-extra-routes.js';
import { UsageError } from '../usage-error.js';

export interface EndpointsOptions {
  json: boolean;
  /** A Markdown coverage table per service (the README's table is made with it). */
  markdown: boolean;
  only: 'native' | 'proxied' | undefined;
  staticPrefix: string;
}

export function parseEndpointsArgs(args: readonly string[]): EndpointsOptions {
  const o: EndpointsOptions = { json: false, markdown: false, only: undefined, staticPrefix: '' };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') o.json = true;
    else if (a === '--markdown') o.markdown = true;
    else if (a === '--native') o.only = 'native';
    else if (a === '--proxied') o.only = 'proxied';
    else if (a === '--static-prefix' || a.startsWith('--static-prefix=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (v === undefined) throw new UsageError("Option '--static-prefix' requires an argument.");
      o.staticPrefix = v.replace(/\/+$/, '');
    } else throw new UsageError(`No such option: ${a}`);
  }
  return o;
}

function routesOf(rpc: RpcInfo, staticPrefix: string): { method: string; url: string }[] {
  return rpc.routes.map((r) => ({
    method: r.method,
    url: r.prefix === 'ajax-api' ? `${staticPrefix}${r.url}` : r.url,
  }));
}

/**
 * The RPC keys served natively, from src/services/native.ts (static: no database is opened).
 * Loaded on use so these commands also work in a checkout without the native layer.
 */
export async function loadNativeRpcKeys(): Promise<readonly string[]> {
  try {
    const mod = (await import('../../services/native.js')) as { NATIVE_RPC_KEYS?: readonly string[] };
    return mod.NATIVE_RPC_KEYS ?? [];
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return [];
    throw err;
  }
}

/**
 * `mlflow-ts endpoints`: prints the listing to stdout and returns it. `nativeKeys` defaults to
 * src/services/native.ts's NATIVE_RPC_KEYS (main.ts calls it with argv only).
 */
export async function endpointsCommand(
  args: readonly string[],
  nativeKeys?: readonly string[],
): Promise<string> {
  const text = formatEndpoints(args, nativeKeys ?? (await loadNativeRpcKeys()));
  process.stdout.write(text);
  return text;
}

/** The listing as text (or JSON with --json); pure. */
export function formatEndpoints(args: readonly string[], nativeKeys: readonly string[]): string {
  const o = parseEndpointsArgs(args);
  const native = new Set(nativeKeys);
  const rows = RPCS.filter((r) => !o.only || (o.only === 'native') === native.has(r.key));
  if (o.json) {
    const out = rows.map((r) => ({
      key: r.key,
      service: r.service,
      rpc: r.rpc,
      serving: native.has(r.key) ? 'native' : 'proxied',
      handledByMlflow: r.handledByMlflow,
      requestType: r.requestType,
      responseType: r.responseType,
      endpoints: r.endpoints,
      routes: routesOf(r, o.staticPrefix),
    }));
    return (
      JSON.stringify(
        { mlflowVersion: MLFLOW_VERSION, rpcs: out, nativeExtraRoutes: NATIVE_EXTRA_ROUTES },
        null,
        2,
      ) + '\n'
    );
  }
  if (o.markdown) return formatMarkdown(rows, native);
  const lines: string[] = [];
  const nNative = RPCS.filter((r) => native.has(r.key)).length;
  lines.push(
    `MLflow ${MLFLOW_VERSION}: ${RPCS.length} RPCs, ${nNative} native, ${RPCS.length - nNative} proxied to the Python server`,
  );
  const width = Math.max(...rows.map((r) => r.key.length));
  for (const r of rows) {
    const serving = native.has(r.key) ? 'native ' : 'proxied';
    const note = r.handledByMlflow ? '' : '  (no MLflow handler: 404)';
    const methods = [...new Set(r.endpoints.map((e) => e.method))].join(',');
    lines.push(`${serving}  ${r.key.padEnd(width)}  ${methods}${note}`);
    for (const rt of routesOf(r, o.staticPrefix)) lines.push(`           ${rt.method.padEnd(6)} ${rt.url}`);
  }
  if (o.only !== 'proxied') {
    lines.push('', 'Native routes outside the RPC table:');
    for (const e of NATIVE_EXTRA_ROUTES) lines.push(`native   ${e.method.padEnd(6)} ${e.url}  (${e.what})`);
  }
  return lines.join('\n') + '\n';
}

/** Per service: counts, then every native RPC with its routes; proxied RPCs by name only. */
function formatMarkdown(rows: readonly RpcInfo[], native: ReadonlySet<string>): string {
  const services = [...new Set(rows.map((r) => r.service))];
  const out: string[] = [`| Service | RPCs | native | proxied to the Python child |`, `|---|---:|---:|---:|`];
  for (const s of services) {
    const of = rows.filter((r) => r.service === s);
    const n = of.filter((r) => native.has(r.key)).length;
    out.push(`| ${s} | ${of.length} | ${n} | ${of.length - n} |`);
  }
  out.push('', '| Native RPC | Routes (each also under `/ajax-api/`) |', '|---|---|');
  for (const r of rows.filter((x) => native.has(x.key))) {
    const api = r.routes.filter((rt) => rt.prefix === 'api').map((rt) => `\`${rt.method} ${rt.url}\``);
    out.push(`| ${r.key} | ${api.join('<br>')} |`);
  }
  out.push('', '| Native route outside the RPC table | What |', '|---|---|');
  for (const e of NATIVE_EXTRA_ROUTES) out.push(`| \`${e.method} ${e.url}\` | ${e.what} |`);
  return out.join('\n') + '\n';
}
