/**
 * Artifact reads through a run (MLflow's list_artifacts_impl, get_artifact_handler): a run whose
 * artifact_uri is proxied (`mlflow-artifacts:`, or an http(s) URL of this service) while the server
 * serves artifacts is read from the --artifacts-destination repository; any other run from the
 * repository of its artifact_uri (local path, `file:`), or, for schemes without a native backend,
 * by the Python server (NotNative).
 */
import type { MlflowService } from '../../gen/services.js';
import { PythonCrash } from '../../py/values.js';
import { urlsplit } from '../../py/urlparse.js';
import type { ArtifactRepository } from '../../stores/artifacts/index.js';
import { PathDecodeError, validatePathIsSafe } from '../../stores/artifacts/paths.js';
import type { Stores } from '../../stores/index.js';
import type { DomainContext } from '../types.js';
import { NotNative } from '../raw-reply.js';
import { translateDbError } from '../db-errors.js';

const PROXIED_SCHEMES = new Set(['http', 'https', 'mlflow-artifacts']);
const HTTP_ROUTE_ANCHOR = '/api/2.0/mlflow-artifacts/artifacts/';

/** posixpath.join of two parts. */
function posixJoin(a: string, b: string): string {
  if (b.startsWith('/') || a === '') return b;
  return a.endsWith('/') ? a + b : `${a}/${b}`;
}

/** Where a run's artifacts are read: a repository and the run root's path inside it. */
export interface RunArtifactRoot {
  repo: ArtifactRepository;
  /** The run root inside `repo` ('' when the repository is the run root itself). */
  base: string;
  proxied: boolean;
}

/** _get_proxied_run_artifact_destination_path (without the relative part). */
function proxiedDestinationPath(artifactUri: string): string {
  const p = urlsplit(artifactUri);
  if (p.scheme === 'mlflow-artifacts') return p.path.replace(/^\/+/, '');
  const i = p.path.indexOf(HTTP_ROUTE_ANCHOR);
  // MLflow asserts the anchor is there: an AssertionError, a bare 500.
  if (i < 0) throw new PythonCrash('AssertionError');
  return p.path.slice(i + HTTP_ROUTE_ANCHOR.length).replace(/^\/+/, '');
}

export function runArtifactRoot(stores: Stores, artifactUri: string): RunArtifactRoot {
  const artifacts = stores.artifacts;
  if (PROXIED_SCHEMES.has(urlsplit(artifactUri).scheme) && artifacts.serveArtifacts) {
    const repo = artifacts.destination;
    if (!repo) throw new NotNative(`artifacts destination of ${artifactUri}`);
    return { repo, base: proxiedDestinationPath(artifactUri), proxied: true };
  }
  const repo = artifacts.repositoryFor(artifactUri);
  if (!repo) throw new NotNative(`artifact location ${artifactUri}`);
  return { repo, base: '', proxied: false };
}

/** The run's artifact_uri (MLflow: tracking_store.get_run(run_id); a missing id reads as None). */
export async function runArtifactUri(stores: Stores, runId: string | undefined): Promise<string> {
  try {
    const run = await stores.tracking.getRun(runId || 'None');
    return run.info?.artifact_uri ?? '';
  } catch (err) {
    throw translateDbError(err);
  }
}

/** validate_path_is_safe in a Flask handler (a ValueError is a bare 500). */
export function flaskSafePath(path: string): string {
  try {
    return validatePathIsSafe(path);
  } catch (err) {
    if (err instanceof PathDecodeError) throw new PythonCrash(err.message);
    throw err;
  }
}

/**
 * The entries of `path` (the root when undefined) under an artifact root URI, named relative to
 * that root (list_artifacts_impl / _list_logged_model_artifacts_impl).
 */
export async function listUnderRoot(
  stores: Stores,
  artifactUri: string,
  path: string | undefined,
): Promise<{ path: string; is_dir: boolean; file_size?: number }[]> {
  const root = runArtifactRoot(stores, artifactUri);
  const listed = await root.repo.list(root.proxied ? posixJoin(root.base, path ?? '') : path);
  return listed.map((f) => {
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    const rel = root.proxied ? (path ? posixJoin(path, name) : name) : f.path;
    // A size of 0 is not serialized (message_to_json drops default values).
    return { path: rel, is_dir: f.is_dir, ...(f.file_size ? { file_size: f.file_size } : {}) };
  });
}

/** get_logged_model(model_id).artifact_location (a deleted model is not found). */
export async function loggedModelArtifactUri(stores: Stores, modelId: string): Promise<string> {
  try {
    return (await stores.tracking.getLoggedModelSource(modelId)).artifact_location;
  } catch (err) {
    throw translateDbError(err);
  }
}

export const runArtifactsHandlers = {
  async listArtifacts(request, ctx) {
    const path = request.path !== undefined ? flaskSafePath(request.path) : undefined;
    const artifactUri = await runArtifactUri(ctx.stores, request.run_id || request.run_uuid);
    return { root_uri: artifactUri, files: await listUnderRoot(ctx.stores, artifactUri, path) };
  },

  async listLoggedModelArtifacts(request, ctx) {
    const path =
      request.artifact_directory_path !== undefined
        ? flaskSafePath(request.artifact_directory_path)
        : undefined;
    const artifactUri = await loggedModelArtifactUri(ctx.stores, request.model_id ?? '');
    return { files: await listUnderRoot(ctx.stores, artifactUri, path), root_uri: artifactUri };
  },
} satisfies Partial<MlflowService<DomainContext>>;
