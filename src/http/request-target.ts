/**
 * The request-target as the front sees it, and the one rule that keeps the front and the Python
 * child from disagreeing about a path: the front never rewrites the target it forwards, and it
 * routes natively only targets whose path both routers read the same way.
 *
 * Python (uvicorn + h11, Starlette, Flask/Werkzeug) splits the target at the first `?`,
 * percent-decodes the path (`urllib.parse.unquote`) and routes on that, with no dot-segment
 * resolution; Werkzeug merges `//`. find-my-way (Fastify's router) also splits at `#` (and would
 * at `;` with the semicolon option), decodes differently and throws on a malformed escape, and
 * strips a scheme and host from an absolute-form target. A path made only of the characters
 * below means the same thing to both (no decoding, no delimiter, nothing to merge that
 * find-my-way would match), so only such a path is routed as is; any other target is routed to
 * the catch-all, i.e. diverted to the child with its bytes untouched.
 */

import { unquote } from '../py/urlparse.js';

/** Origin-form target whose path part holds only unreserved characters and `/`. */
const PLAIN_TARGET = /^\/[A-Za-z0-9._~/-]*(?:\?|$)/;

/**
 * Where Fastify routes a target that is not plain: no route is registered there, so the
 * catch-all takes it (and diverts it; `request.originalUrl` keeps the real target).
 */
export const DIVERTED_ROUTING_URL = '/__mlflow-ts__/diverted';

/**
 * The native mlflow-artifacts routes whose last part is `<path:artifact_path>`: their handlers read
 * the artifact path from the target as received (Python's unquote of what follows the route's
 * static part, services/artifacts), never from the router, so any spelling of that tail is theirs
 * as long as the static part before it is plain. The router is given a placeholder tail.
 */
const ARTIFACT_PATH_ROUTE =
  /^((?:\/[A-Za-z0-9._~-]+)*\/(?:api|ajax-api)\/2\.0\/mlflow-artifacts\/(?:artifacts|mpu\/create|mpu\/complete|mpu\/abort|presigned)\/)/;
const RAW_TAIL = '__raw_artifact_path__';

/**
 * The UI's static routes (`<prefix>/static-files/<path:path>`, Flask's `/build/<path:filename>`):
 * like the artifact routes, their handler reads the file path from the target as received
 * (src/http/ui/static-ui.ts), so every spelling of it gets werkzeug's answer.
 */
const STATIC_FILE_ROUTE = /^((?:\/[A-Za-z0-9._~-]+)*\/static-files\/|\/build\/)/;

/**
 * A non-plain target's path as the Python server routes it (percent-decoded), re-spelled so that
 * the router reads back exactly that: every byte outside the plain set percent-encoded, so
 * find-my-way's parameter decoding yields the string Python's `unquote` gives. Undefined when
 * Python would not route the decoded path as such (werkzeug merges `//` with a redirect), or
 * for a target that is not origin-form.
 */
export function pythonRoutedTarget(target: string): string | undefined {
  if (!isOriginForm(target)) return undefined;
  const q = target.indexOf('?');
  const path = unquote(q < 0 ? target : target.slice(0, q));
  if (path.includes('//')) return undefined;
  let out = '';
  for (const ch of path) {
    if (/[A-Za-z0-9._~/-]/.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out + (q < 0 ? '' : target.slice(q));
}

/**
 * Fastify's `rewriteUrl`: the URL the router matches (the request keeps its own in originalUrl).
 * `standalone`: no Python child to divert to, so a non-plain target is routed the way Python
 * would route it (pythonRoutedTarget) instead of answering 501 for a spelling.
 */
export function routingUrl(target: string, standalone = false): string {
  if (PLAIN_TARGET.test(target)) return target;
  const artifact = ARTIFACT_PATH_ROUTE.exec(target);
  if (artifact) {
    const q = target.indexOf('?');
    return artifact[1]! + RAW_TAIL + (q < 0 ? '' : target.slice(q));
  }
  const staticFile = STATIC_FILE_ROUTE.exec(target);
  if (staticFile) return staticFile[1]! + RAW_TAIL;
  if (standalone) return pythonRoutedTarget(target) ?? DIVERTED_ROUTING_URL;
  return DIVERTED_ROUTING_URL;
}

/** `*`, an absolute URI or an authority: uvicorn hands these to the app, whose router matches none. */
export function isOriginForm(target: string): boolean {
  return target.charCodeAt(0) === 0x2f;
}

/** The path as MLflow's middleware sees it (`scope["path"]`): before the first `?`, unquoted. */
export function pythonScopePath(target: string): string {
  const q = target.indexOf('?');
  return unquote(q < 0 ? target : target.slice(0, q));
}
