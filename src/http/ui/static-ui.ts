/**
 * The MLflow UI's static files, served as the pinned server's Flask app serves them
 * (server/__init__.py): `<prefix>/` is index.html (send_from_directory: inline, no-cache, an
 * ETag), `<prefix>/static-files/<path>` any file of the build with `max_age=2419200`, and Flask's
 * own static route `/build/<path>` (the app's static_folder is js/build, so its URL path is
 * /build, never prefixed). Missing files answer werkzeug's 404 page.
 */
import { open, realpath, stat } from 'node:fs/promises';
import { posix, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RawReply } from '../../services/raw-reply.js';
import { pythonScopePath } from '../request-target.js';
import { sendRaw } from '../rpc-routes.js';
import { werkzeugFileReply, type StaticFile } from './werkzeug-file.js';

/** Where the UI's files come from (src/cli/ui-dir.ts finds them). */
export interface UiSource {
  /** The build directory (the one holding index.html), or undefined when none was found. */
  dir: string | undefined;
  /** How it was found, or why none was (shown on the help page and in the start-up log). */
  origin: string;
}

/** send_from_directory's max_age for /static-files (four weeks). */
const STATIC_MAX_AGE = 2_419_200;

function notFound(reply: FastifyReply): FastifyReply {
  return sendRaw(reply, RawReply.flask404());
}

/**
 * werkzeug.security.safe_join(directory, path) for one path: the normalized relative path, or
 * undefined where werkzeug refuses it (absolute, `..` escapes, a backslash).
 */
export function werkzeugSafeJoin(path: string): string | undefined {
  const normalized = path === '' ? '' : posix.normalize(path);
  if (
    normalized.includes('\\') ||
    normalized.startsWith('/') ||
    normalized === '..' ||
    normalized.startsWith('../')
  ) {
    return undefined;
  }
  return normalized;
}

/**
 * A regular file of the build, or undefined (werkzeug's isfile check). Unlike werkzeug, a
 * symlink that resolves outside the build directory is refused too.
 */
async function openBuildFile(root: string, realRoot: string, rel: string): Promise<StaticFile | undefined> {
  const joined = werkzeugSafeJoin(rel);
  if (joined === undefined || joined === '' || joined === '.') return undefined;
  const path = `${root}/${joined}`;
  try {
    const real = await realpath(path);
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return undefined;
    const st = await stat(real, { bigint: true });
    if (!st.isFile()) return undefined;
    const handle = await open(real, 'r');
    return { path, handle, size: Number(st.size), mtimeMs: Number(st.mtimeMs), mtimeNs: st.mtimeNs };
  } catch {
    return undefined;
  }
}

/** urllib.parse.quote(path, safe="!$&'()*+,/:;=@") (werkzeug's redirect path). */
function quotePath(path: string): string {
  let out = '';
  for (const byte of Buffer.from(path, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /^[A-Za-z0-9_.\-~!$&'()*+,/:;=@]$/.test(ch)
      ? ch
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** werkzeug's RequestRedirect (308) to the same path with its slashes merged. */
function mergedSlashesRedirect(request: FastifyRequest, mergedPath: string): RawReply {
  const q = request.originalUrl.indexOf('?');
  const query = q < 0 ? '' : request.originalUrl.slice(q + 1);
  const location = `http://${request.headers.host ?? ''}${quotePath(mergedPath)}${query ? `?${query}` : ''}`;
  const html = escapeHtml(location);
  const body =
    '<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n' +
    `<p>You should be redirected automatically to the target URL: <a href="${html}">${html}</a>. If not, click the link.\n`;
  return new RawReply(308, { 'content-type': 'text/html; charset=utf-8', location }, Buffer.from(body));
}

/** The page `GET <prefix>/` answers when no UI build is available. */
export function noUiPage(origin: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>MLflow UI not available</title></head>
<body style="font-family: sans-serif; max-width: 48rem; margin: 3rem auto; line-height: 1.5">
<h1>The MLflow UI is not available on this server</h1>
<p>mlflow-ts serves the MLflow API here, but it found no build of the MLflow UI to serve
(${escapeHtml(origin)}).</p>
<p>The UI is the <code>mlflow/server/js/build</code> directory of the pinned MLflow wheel. Any one of these makes it available:</p>
<ul>
<li>start with <code>--static-dir DIR</code> (or <code>MLFLOW_TS_UI_DIR=DIR</code>), DIR being such a build directory;</li>
<li>install the pinned MLflow into a Python that mlflow-ts finds (<code>--python</code>, <code>python3</code> on PATH or <code>./.venv</code>);</li>
<li>start without <code>--no-ui-download</code> once with access to PyPI: mlflow-ts downloads the pinned wheel,
checks its hash and keeps the UI in its cache.</li>
</ul>
<p>The REST API answers under <code>/api/2.0/mlflow/</code> and <code>/ajax-api/2.0/mlflow/</code> either way.</p>
</body>
</html>
`;
}

/** markupsafe.escape */
function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!,
  );
}

/** Registers `<prefix>/`, `<prefix>/static-files/*` and `/build/*` (GET and HEAD). */
export async function registerStaticUi(
  app: FastifyInstance,
  opts: { staticPrefix: string; ui: UiSource },
): Promise<void> {
  const { staticPrefix, ui } = opts;
  const dir = ui.dir;
  const realRoot = dir === undefined ? undefined : await realpath(dir).catch(() => undefined);

  const serve = async (
    request: FastifyRequest,
    reply: FastifyReply,
    rel: string,
    maxAge: number | undefined,
  ): Promise<FastifyReply> => {
    if (dir === undefined || realRoot === undefined) return notFound(reply);
    const file = await openBuildFile(dir, realRoot, rel);
    if (!file) return notFound(reply);
    return sendRaw(reply, werkzeugFileReply(file, request.headers, { maxAge }));
  };

  app.get(`${staticPrefix}/`, async (request, reply) => {
    if (dir === undefined) {
      return sendRaw(
        reply,
        new RawReply(200, { 'content-type': 'text/html; charset=utf-8' }, Buffer.from(noUiPage(ui.origin))),
      );
    }
    return serve(request, reply, 'index.html', undefined);
  });
  // The file path is read from the target as received (request-target.ts routes every spelling
  // of it here), unquoted as the ASGI server unquotes scope["path"].
  const route =
    (base: string, maxAge: number | undefined) => async (request: FastifyRequest, reply: FastifyReply) => {
      const path = pythonScopePath(request.originalUrl);
      const rel = path.slice(base.length);
      // werkzeug's `path` converter cannot start with a slash: the router matches the path with
      // its slashes merged instead and redirects there.
      if (rel.startsWith('/')) {
        const merged = path.replace(/\/{2,}/g, '/');
        if (merged.length <= base.length) return notFound(reply);
        return sendRaw(reply, mergedSlashesRedirect(request, merged));
      }
      return serve(request, reply, rel, maxAge);
    };
  app.get(`${staticPrefix}/static-files/*`, route(`${staticPrefix}/static-files/`, STATIC_MAX_AGE));
  app.get('/build/*', route('/build/', undefined));
}
