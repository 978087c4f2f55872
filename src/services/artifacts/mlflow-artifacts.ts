/**
 * MlflowArtifactsService natively: the proxied artifact routes of `mlflow server --serve-artifacts`
 * over the --artifacts-destination repository. Download and upload follow the pinned release's
 * FastAPI routes (server/artifact_router.py: streamed, `{"detail"}` errors, an empty 200 for an
 * upload); list, delete, multipart and presigned follow its Flask handlers (handlers.py).
 */
import type { MlflowArtifactsService } from '../../gen/services.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { unquote } from '../../py/urlparse.js';
import { PythonCrash } from '../../py/values.js';
import type { ArtifactRepository } from '../../stores/artifacts/index.js';
import { ArtifactIsDirectory } from '../../stores/artifacts/repository.js';
import {
  ntBasename,
  PathDecodeError,
  pyDecodeUrl,
  validatePathIsSafe,
  posixSplit,
} from '../../stores/artifacts/paths.js';
import type { DomainContext } from '../types.js';
import { RawReply } from '../raw-reply.js';
import type { RequestContext } from '../types.js';
import { fileReply } from './file-reply.js';

const SERVING_DISABLED_DETAIL =
  'Artifact serving is disabled. Run `mlflow server` with `--serve-artifacts` to enable.';
const SKILL_IMMUTABLE = 'Skill upload content is immutable; register a new version instead';

/** Starlette's answer to an unhandled exception in a FastAPI route. */
const STARLETTE_500 = new RawReply(
  500,
  { 'content-type': 'text/plain; charset=utf-8' },
  'Internal Server Error',
  true,
);

/**
 * The `artifact_path` route parameter (`<path:artifact_path>`) as the Python servers see it: the
 * raw path after the route's static part, percent-decoded (urllib's unquote), a `#` and what
 * follows it included (the router would stop at it).
 */
function artifactPathParam(ctx: RequestContext): string {
  const route = ctx.routeUrl;
  const raw = ctx.rawUrl;
  if (route?.endsWith('*') && raw !== undefined) {
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const base = route.slice(0, -1);
    if (path.startsWith(base)) {
      const decoded = unquote(path.slice(base.length));
      // Starlette's and werkzeug's `path` converters (`.*`) do not match a newline: no route of
      // the pinned server matches, and Flask answers its 404 page.
      if (decoded.includes('\n')) throw RawReply.flask404();
      return decoded;
    }
  }
  return ctx.pathParams?.['*'] ?? '';
}

/**
 * Runs a FastAPI route's repository call: MLflow errors answer as MLflow JSON, anything else
 * (an OSError in Python) as Starlette's plain 500.
 */
async function asFastApiRoute<T>(ctx: RequestContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MlflowError || err instanceof RawReply) throw err;
    ctx.log.error({ err }, 'artifact transfer failed');
    throw STARLETTE_500;
  }
}

/** A Flask handler's storage call: an unexpected error (a botocore ClientError) is a bare 500. */
async function asFlaskRoute<T>(ctx: RequestContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MlflowError || err instanceof RawReply) throw err;
    ctx.log.warn({ err }, 'artifact storage call failed');
    throw new PythonCrash(err instanceof Error ? err.message : String(err));
  }
}

/** validate_path_is_safe where a ValueError crashes the route (`style` says whose 500 it is). */
function safePath(path: string, style: 'fastapi' | 'flask'): string {
  try {
    return validatePathIsSafe(path);
  } catch (err) {
    if (!(err instanceof PathDecodeError)) throw err;
    if (style === 'fastapi') throw STARLETTE_500;
    throw new PythonCrash(err.message);
  }
}

/** skill_registry.artifact_paths.is_skill_upload_namespace: paths under the server-owned `skills/` tree. */
export function isSkillUploadNamespace(artifactPath: string): boolean {
  let decoded: string;
  try {
    decoded = pyDecodeUrl(artifactPath);
  } catch {
    return false;
  }
  let segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length >= 2 && segments[0]!.toLowerCase() === 'workspaces') segments = segments.slice(2);
  return segments.length > 0 && segments[0]!.toLowerCase() === 'skills';
}

function rejectSkillMutation(path: string): void {
  if (isSkillUploadNamespace(path)) throw new MlflowError(SKILL_IMMUTABLE, 'PERMISSION_DENIED');
}

/** The repository of --artifacts-destination (the domain is native only when there is one). */
function destination(ctx: DomainContext): ArtifactRepository {
  const repo = ctx.stores.artifacts.destination;
  if (!repo) throw new MlflowError('The artifacts destination is not served natively', 'NOT_IMPLEMENTED');
  return repo;
}

/** Flask's rule text for a route URL (`request.url_rule` in MLflow's 503 message). */
function flaskRule(routeUrl: string): string {
  return routeUrl.endsWith('/*') ? routeUrl.slice(0, -1) + '<path:artifact_path>' : routeUrl;
}

/**
 * What the Flask handlers check before reading the request: `_disable_unless_serve_artifacts`
 * (a plain-text 503), then `validate_path_is_safe(artifact_path)` and, for writes, the skill
 * namespace. Run by the HTTP layer before the request is decoded.
 */
export function artifactsPrecheck(rpc: string, ctx: DomainContext): void {
  if (rpc === 'downloadArtifact' || rpc === 'uploadArtifact') return;
  if (!ctx.stores.artifacts.serveArtifacts) {
    throw RawReply.flaskText(
      503,
      `Endpoint: ${flaskRule(ctx.routeUrl ?? '')} disabled due to the mlflow server running with ` +
        '`--no-serve-artifacts`. To enable artifacts server functionality, run `mlflow server` with `--serve-artifacts`',
    );
  }
  if (rpc === 'listArtifacts') return;
  const path = safePath(artifactPathParam(ctx), 'flask');
  if (rpc !== 'getPresignedDownloadUrl') rejectSkillMutation(path);
}

/**
 * handlers._get_multipart_upload_file_name: the base name of the client's file path (either
 * separator), validated, and not empty, `.` or `..`.
 */
function multipartFileName(path: string): string {
  let name = ntBasename(path);
  if (name) name = ntBasename(safePath(name, 'flask'));
  if (name === '' || name === '.' || name === '..')
    throw new MlflowError('Invalid path', 'INVALID_PARAMETER_VALUE');
  return name;
}

function multipartTarget(
  ctx: DomainContext,
  requestPath: string | undefined,
): [ArtifactRepository, string, string] {
  const artifactPath = safePath(artifactPathParam(ctx), 'flask');
  const name = multipartFileName(requestPath ?? '');
  rejectSkillMutation(artifactPath ? `${artifactPath.replace(/\/$/, '')}/${name}` : name);
  const repo = destination(ctx);
  if (!repo.multipart) {
    throw new MlflowError(
      'Multipart upload is not supported for the current artifact repository',
      'NOT_IMPLEMENTED',
    );
  }
  return [repo, name, artifactPath];
}

/** The MlflowArtifactsService domain module (see services/domains.ts). */
export const mlflowArtifactsHandlers = {
  async downloadArtifact(_request, ctx) {
    if (!ctx.stores.artifacts.serveArtifacts) throw RawReply.detail(503, SERVING_DISABLED_DETAIL);
    const path = safePath(artifactPathParam(ctx), 'fastapi');
    try {
      const file = await asFastApiRoute(ctx, () => destination(ctx).open(path, path));
      return fileReply(file, path, ctx.headers) as never;
    } catch (err) {
      // The FastAPI route raises this one as an HTTPException.
      if (err instanceof ArtifactIsDirectory) throw RawReply.detail(400, err.message);
      throw err;
    }
  },

  async uploadArtifact(_request, ctx) {
    if (!ctx.stores.artifacts.serveArtifacts) throw RawReply.detail(503, SERVING_DISABLED_DETAIL);
    const path = safePath(artifactPathParam(ctx), 'fastapi');
    if (isSkillUploadNamespace(path)) throw RawReply.detail(403, SKILL_IMMUTABLE);
    const [head, tail] = posixSplit(path);
    if (!tail) throw RawReply.detail(400, "Artifact path must include a filename (cannot end with '/').");
    if (!ctx.body) throw new Error('uploadArtifact needs the raw request body');
    await asFastApiRoute(ctx, () => destination(ctx).write(tail, head || undefined, ctx.body!()));
    return new RawReply(200, {}, undefined) as never;
  },

  async listArtifacts(request, ctx) {
    const path = request.path !== undefined ? safePath(request.path, 'flask') : undefined;
    const infos = await destination(ctx).list(path);
    // mlflow.artifacts.FileInfo is proto3: a size of 0 is not serialized.
    return {
      files: infos.map((f) => ({
        path: f.path.slice(f.path.lastIndexOf('/') + 1),
        is_dir: f.is_dir,
        ...(f.file_size ? { file_size: f.file_size } : {}),
      })),
    };
  },

  async deleteArtifact(_request, ctx) {
    const path = safePath(artifactPathParam(ctx), 'flask');
    await destination(ctx).delete(path);
    return {};
  },

  async createMultipartUpload(request, ctx) {
    const [repo, name, artifactPath] = multipartTarget(ctx, request.path);
    return asFlaskRoute(ctx, () =>
      repo.multipart!.createMultipartUpload(name, request.num_parts ?? 0, artifactPath || undefined),
    );
  },

  async completeMultipartUpload(request, ctx) {
    const [repo, name, artifactPath] = multipartTarget(ctx, request.path);
    const parts = (request.parts ?? []).map((p) => ({
      part_number: p.part_number ?? 0,
      etag: p.etag ?? '',
      url: p.url,
    }));
    await asFlaskRoute(ctx, () =>
      repo.multipart!.completeMultipartUpload(
        name,
        request.upload_id ?? '',
        parts,
        artifactPath || undefined,
      ),
    );
    return {};
  },

  async abortMultipartUpload(request, ctx) {
    const [repo, name, artifactPath] = multipartTarget(ctx, request.path);
    await asFlaskRoute(ctx, () =>
      repo.multipart!.abortMultipartUpload(name, request.upload_id ?? '', artifactPath || undefined),
    );
    return {};
  },

  async getPresignedDownloadUrl(_request, ctx) {
    const path = safePath(artifactPathParam(ctx), 'flask');
    const repo = destination(ctx);
    if (!repo.multipart) {
      throw new MlflowError(
        'Multipart download is not supported for the current artifact repository',
        'NOT_IMPLEMENTED',
      );
    }
    const presigned = await repo.multipart.presignedDownloadUrl(
      path,
      ctx.stores.artifacts.presignedDownloadTtl,
    );
    // MLflow answers json.dumps(PresignedDownloadUrlResponse.to_dict()), not a proto message.
    return new RawReply(
      200,
      { 'content-type': 'application/json' },
      Buffer.from(JSON.stringify(presigned)),
    ) as never;
  },
} satisfies Partial<MlflowArtifactsService<DomainContext>>;

/** RPCs whose handler reads the request body itself (ctx.body()): nothing is decoded first. */
export const RAW_BODY_RPCS: ReadonlySet<string> = new Set(['uploadArtifact']);
