/**
 * createModelVersion's source checks and lineage (server/handlers.py: _validate_source_run,
 * _validate_source_model, _validate_non_local_source_contains_relative_paths,
 * _resolve_registered_model_source_lineage) and the store's storage location.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MlflowError } from '../../errors/mlflow-error.js';
import type { Stores } from '../../stores/index.js';
import { modelVersionByAlias } from './lookups.js';
import { parseModelUri, parseRunsUri, type ParsedModelUri } from './model-uri.js';
import { netlocHostname, unquote, unquotePlus, urlparse, urlsplit } from '../../py/urlparse.js';
import { canonicalStage, parseModelVersion, validateModelName } from './validation.js';

const invalid = (msg: string): MlflowError => MlflowError.invalidParameter(msg);

export const invalidSource = (source: string, idName: 'run_id' | 'model_id'): MlflowError =>
  invalid(
    `Invalid model version source: '${source}'. The ${idName} request parameter must identify the ` +
      'resource that contains the source.',
  );

/** pathlib.Path(p).resolve() (not strict): absolute, normalized, symlinks of existing parts resolved. */
export function pyResolve(p: string): string {
  const abs = path.resolve(p === '' ? '.' : p);
  const tail: string[] = [];
  let head = abs;
  for (;;) {
    try {
      const real = fs.realpathSync(head);
      return tail.length ? path.join(real, ...tail.reverse()) : real;
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return abs;
      tail.push(path.basename(head));
      head = parent;
    }
  }
}

/** mlflow.utils.uri.is_local_uri (POSIX). */
export function isLocalUri(uri: string): boolean {
  if (uri === 'databricks') return false;
  const u = urlparse(uri);
  if (u.scheme === '') return true;
  const host = netlocHostname(u.netloc);
  const remote =
    host !== undefined && !(host === '.' || host.startsWith('localhost') || host.startsWith('127.0.0.1'));
  if (u.scheme === 'file') {
    if (remote) {
      throw new MlflowError(
        `${uri} is not a valid remote uri. For remote access on windows, please consider using a different ` +
          'scheme such as SMB (e.g. smb://<hostname>/<path>).',
      );
    }
    return true;
  }
  return false;
}

/** local_file_uri_to_path: a file: URI's path, percent-decoded (any other string decoded as is). */
function localFileUriToPath(uri: string): string {
  return unquote(uri.startsWith('file:') ? urlparse(uri).path : uri);
}

/** `dir in [p, *p.parents]` for resolved absolute paths. */
function within(p: string, dir: string): boolean {
  return p === dir || dir === '/' || p.startsWith(dir + '/');
}

function validateNoRelativePaths(original: string): void {
  const message =
    `Invalid model version source: '${original}'. If supplying a source as an http, https, local file path, ` +
    'ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path ' +
    'references present. Please provide an absolute path.';
  let source = original;
  for (let u = unquotePlus(source); u !== source; u = unquotePlus(source)) source = u;
  const sourcePath = urlparse(source).path.replace(/\/+$/, '').replace(/\/+/g, '/');
  if (sourcePath.includes('\0') || source.split('/').some((p) => p === '..')) throw invalid(message);
  if (pyResolve(sourcePath) !== sourcePath) throw invalid(message);
}

function uriParts(uri: string): { scheme: string; authority: string; parts: string[] } {
  const u = urlsplit(uri);
  const parts = u.path
    .split('/')
    .filter((p) => p !== '')
    .map((p) => {
      let v = p;
      for (let x = unquote(v); x !== v; x = unquote(v)) v = x;
      return v;
    });
  return { scheme: u.scheme.toLowerCase(), authority: (u.netloc ?? '').toLowerCase(), parts };
}

function isUriWithinRoot(source: string, root: string): boolean {
  const s = uriParts(source);
  const r = uriParts(root);
  return (
    s.scheme === r.scheme &&
    s.authority === r.authority &&
    r.parts.length > 0 &&
    r.parts.every((p, i) => s.parts[i] === p)
  );
}

const ARTIFACT_ROUTE = ['api', '2.0', 'mlflow-artifacts', 'artifacts'];

function isMlflowArtifactSource(source: string): boolean {
  const { scheme, parts } = uriParts(source);
  if (scheme === 'mlflow-artifacts') return true;
  if (scheme !== 'http' && scheme !== 'https') return false;
  for (let i = 0; i + ARTIFACT_ROUTE.length <= parts.length; i++) {
    if (ARTIFACT_ROUTE.every((p, j) => parts[i + j] === p)) return true;
  }
  return false;
}

/** _parse_model_version_source: an unparsable models:/ URI is a bad source (model_id). */
function parseSource(source: string): ParsedModelUri {
  try {
    return parseModelUri(source);
  } catch (e) {
    if (e instanceof MlflowError) throw invalidSource(source, 'model_id');
    throw e;
  }
}

async function sourceRunArtifactUri(stores: Stores, runId: string, source: string): Promise<string> {
  try {
    return (await stores.tracking.getRun(runId)).info.artifact_uri ?? '';
  } catch (e) {
    if (e instanceof MlflowError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST')
      throw invalidSource(source, 'run_id');
    throw e;
  }
}

async function sourceModelLocation(stores: Stores, modelId: string, source: string): Promise<string> {
  try {
    return (await stores.tracking.getLoggedModelSource(modelId)).artifact_location;
  } catch (e) {
    if (e instanceof MlflowError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST')
      throw invalidSource(source, 'model_id');
    throw e;
  }
}

async function validateLocalSource(
  source: string,
  id: string,
  idName: 'run_id' | 'model_id',
  rootOf: () => Promise<string>,
): Promise<void> {
  let shown = source;
  if (id) {
    const root = await rootOf();
    const resolved = pyResolve(localFileUriToPath(source));
    shown = resolved;
    if (isLocalUri(root) && within(resolved, pyResolve(localFileUriToPath(root)))) return;
  }
  const resource = idName === 'run_id' ? 'run_id' : 'model_id';
  throw invalid(
    `Invalid model version source: '${shown}'. To use a local path as a model version source, the ${resource} ` +
      `request parameter has to be specified and the local path has to be contained within the artifact ` +
      `directory of the run specified by the ${resource}.`,
  );
}

/** _validate_source_run. */
export async function validateSourceRun(stores: Stores, source: string, runId: string): Promise<void> {
  if (isLocalUri(source)) {
    return validateLocalSource(source, runId, 'run_id', () => sourceRunArtifactUri(stores, runId, source));
  }
  validateNoRelativePaths(source);
  const parsed = urlparse(source);
  if (parsed.scheme === 'runs') {
    if (parsed.netloc) throw invalidSource(source, 'run_id');
    const sourceRunId = parseRunsUri(source);
    if (runId && sourceRunId === runId) return;
    throw invalidSource(source, 'run_id');
  }
  if (parsed.scheme === 'models') {
    if (parsed.netloc) throw invalidSource(source, 'model_id');
    if (parseSource(source).modelId !== undefined) throw invalidSource(source, 'model_id');
  }
  if (isMlflowArtifactSource(source)) {
    if (runId && isUriWithinRoot(source, await sourceRunArtifactUri(stores, runId, source))) return;
    throw invalidSource(source, 'run_id');
  }
}

/** _validate_source_model. */
export async function validateSourceModel(stores: Stores, source: string, modelId: string): Promise<void> {
  if (isLocalUri(source)) {
    return validateLocalSource(source, modelId, 'model_id', () =>
      sourceModelLocation(stores, modelId, source),
    );
  }
  validateNoRelativePaths(source);
  const parsed = urlparse(source);
  if (parsed.scheme === 'models') {
    if (parsed.netloc) throw invalidSource(source, 'model_id');
    const sourceModelId = parseSource(source).modelId;
    if (sourceModelId !== undefined) {
      if (modelId && sourceModelId === modelId) return;
      throw invalidSource(source, 'model_id');
    }
  }
  if (parsed.scheme === 'runs') throw invalidSource(source, 'model_id');
  if (isMlflowArtifactSource(source)) {
    if (modelId && isUriWithinRoot(source, await sourceModelLocation(stores, modelId, source))) return;
    throw invalidSource(source, 'model_id');
  }
}

export interface Lineage {
  source: string;
  runId: string | null;
  modelId: string | null;
}

/**
 * _resolve_registered_model_source_lineage: a models:/name/... source is pinned to the version it
 * names (models:/name/N), whose run (and model) the new version inherits unless the request gives
 * them, in which case they must match.
 */
export async function resolveSourceLineage(
  stores: Stores,
  source: string,
  runId: string | undefined,
  modelId: string | undefined,
): Promise<Lineage> {
  const given: Lineage = { source, runId: runId ?? '', modelId: modelId ?? '' };
  const parsedSource = urlparse(source);
  if (parsedSource.scheme !== 'models') return given;
  if (parsedSource.netloc) {
    throw invalid(
      `Invalid model version source: '${source}'. Registered model sources must use the active model registry.`,
    );
  }
  const parsed = parseSource(source);
  if (parsed.modelId !== undefined) return given;
  const store = stores.registry;
  validateModelName(parsed.name);
  if (await store.isPrompt(parsed.name)) {
    throw invalid(
      `Invalid model version source: '${source}'. Prompt versions cannot be used as model version sources.`,
    );
  }
  const name = parsed.name;
  let version: string;
  if (parsed.version !== undefined) version = parsed.version;
  else if (parsed.alias !== undefined)
    version = (await modelVersionByAlias(store, name, parsed.alias)).version!;
  else {
    const stage = parsed.stage;
    const latest = await store.getLatestVersions(name, () =>
      stage === undefined ? undefined : new Set([canonicalStage(stage)]),
    );
    if (!latest.length) {
      throw new MlflowError(
        `No versions of model with name '${name}'${stage === undefined ? '' : ` and stage '${stage}'`} found`,
      );
    }
    version = String(Math.max(...latest.map((v) => Number(v.version))));
  }
  validateModelName(name);
  const mv = await store.getModelVersion(name, parseModelVersion(version));
  if (
    (runId !== undefined && runId !== (mv.run_id ?? '')) ||
    (modelId !== undefined && modelId !== (mv.model_id ?? ''))
  ) {
    throw invalid(
      `Invalid model version source: '${source}'. The run_id and model_id request parameters must match the ` +
        'referenced model version.',
    );
  }
  return {
    source: `models:/${name}/${mv.version}`,
    runId: runId !== undefined ? runId : (mv.run_id ?? null),
    modelId: modelId !== undefined ? modelId : null,
  };
}

/**
 * The store's storage location for a source (create_model_version): a models:/name/N source is
 * stored where that version's artifacts are; a models:/<model_id> source where the logged model's
 * are (its source run becoming the run when none is given).
 */
export async function storageLocation(
  stores: Stores,
  l: Lineage,
): Promise<{ storageLocation: string; runId: string | null }> {
  let runId = l.runId;
  let location = l.source;
  if (urlparse(l.source).scheme === 'models') {
    try {
      const parsed = parseModelUri(l.source);
      if (parsed.modelId !== undefined) {
        const model = await stores.tracking.getLoggedModelSource(parsed.modelId);
        location = model.artifact_location;
        runId = runId || model.source_run_id;
      } else {
        validateModelName(parsed.name);
        location = await stores.registry.getModelVersionDownloadUri(
          parsed.name,
          parseModelVersion(parsed.version),
        );
      }
    } catch (e) {
      throw new MlflowError(
        `Unable to fetch model from model URI source artifact location '${l.source}'.Error: ${(e as Error).message}`,
      );
    }
  }
  if (!runId && l.modelId) runId = (await stores.tracking.getLoggedModelSource(l.modelId)).source_run_id;
  return { storageLocation: location, runId };
}
