/** Emits src/gen/services.ts: one interface per served service, one method per RPC. */
import { header, lit } from './header.js';
import type { Model } from './model.js';
import type { RpcModel } from './rpcs.js';

export function emitServices(model: Model, rpcs: readonly RpcModel[], version: string): string {
  const out: string[] = [
    header(version, 'One interface per served service; `Ctx` is whatever context the implementation takes.'),
    "import type * as M from './messages.js';",
    '',
  ];
  const services = [...new Set(rpcs.map((r) => r.service))];
  for (const s of services) {
    const full = rpcs.find((r) => r.service === s)!.serviceFullName;
    out.push(`/** ${full} */`);
    out.push(`export interface ${s}<Ctx = unknown> {`);
    for (const r of rpcs.filter((x) => x.service === s)) {
      out.push(
        `  ${r.rpc}(request: M.${model.tsName(r.requestType)}, ctx: Ctx): Promise<M.${model.tsName(r.responseType)}>;`,
      );
    }
    out.push('}', '');
  }
  out.push('/** RPC key -> request type. */');
  out.push('export interface RpcRequests {');
  for (const r of rpcs) out.push(`  ${lit(r.key)}: M.${model.tsName(r.requestType)};`);
  out.push('}', '');
  out.push('/** RPC key -> response type. */');
  out.push('export interface RpcResponses {');
  for (const r of rpcs) out.push(`  ${lit(r.key)}: M.${model.tsName(r.responseType)};`);
  out.push('}', '');
  out.push('export type RpcKey = keyof RpcRequests;', '');
  return out.join('\n');
}
