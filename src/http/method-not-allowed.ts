/**
 * werkzeug's 405: a path that one of MLflow's proto routes matches, asked with a method none of
 * them takes (e.g. PUT on `runs/get`), is answered `405 Method Not Allowed` with an `Allow` header
 * by the pinned server's Flask router, before any handler runs. mlflow-ts answers it the same way
 * in standalone mode; with a Python child the child answers it.
 */
import type { FastifyReply } from 'fastify';
import { RPCS } from '../gen/routes.js';
import { FLASK_ROUTE_ALIASES, sendRaw } from './rpc-routes.js';
import { RawReply } from '../services/raw-reply.js';

const FLASK_405 =
  '<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n' +
  '<p>The method is not allowed for the requested URL.</p>\n';

interface Rule {
  re: RegExp;
  method: string;
}

/** The RPC routes as path patterns (a `:param` is one segment, `*` the rest of the path). */
function compile(staticPrefix: string): Rule[] {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return RPCS.flatMap((rpc) =>
    [...rpc.routes, ...(FLASK_ROUTE_ALIASES[rpc.key] ?? [])].map((route) => {
      const url = route.prefix === 'ajax-api' ? `${staticPrefix}${route.url}` : route.url;
      const pattern = url
        .split('/')
        .map((seg) => (seg === '*' ? '.+' : seg.startsWith(':') ? '[^/]+' : esc(seg)))
        .join('/');
      return { re: new RegExp(`^${pattern}$`), method: route.method };
    }),
  );
}

let cache: { prefix: string; rules: Rule[] } | undefined;

/** The methods MLflow's proto routes take at `path` (as Python decodes it); empty when none matches. */
export function routeMethods(path: string, staticPrefix: string): Set<string> {
  if (cache?.prefix !== staticPrefix) cache = { prefix: staticPrefix, rules: compile(staticPrefix) };
  const out = new Set<string>();
  for (const r of cache.rules) if (r.re.test(path)) out.add(r.method);
  if (out.has('GET')) out.add('HEAD');
  if (out.size > 0) out.add('OPTIONS');
  return out;
}

/** Sends werkzeug's 405 when `method` is not one the path's routes take; false when it is. */
export function sendMethodNotAllowed(
  reply: FastifyReply,
  method: string,
  path: string,
  staticPrefix: string,
): boolean {
  const allowed = routeMethods(path, staticPrefix);
  if (allowed.size === 0 || allowed.has(method)) return false;
  sendRaw(
    reply,
    new RawReply(405, { 'content-type': 'text/html; charset=utf-8', allow: [...allowed].join(', ') }, FLASK_405),
  );
  return true;
}
