/**
 * The UI's artifact routes that are not proto RPCs: GET /get-artifact (handlers.get_artifact_handler,
 * a Flask route: send_file of the artifact, MLflow JSON errors, werkzeug's 400 page without `path`)
 * and POST /ajax-api/2.0/mlflow/upload-artifact (handlers.upload_artifact_handler: a body of at most
 * 10 MB logged into the run's artifacts). A run whose artifacts live where mlflow-ts has no backend
 * is handed to the Python server.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MlflowError } from '../errors/mlflow-error.js';
import { flaskFileReply } from '../services/artifacts/file-reply.js';
import {
  flaskSafePath,
  loggedModelArtifactUri,
  runArtifactRoot,
  runArtifactUri,
  type RunArtifactRoot,
} from '../services/artifacts/run-artifacts.js';
import { NotNative, RawReply } from '../services/raw-reply.js';
import { exportedContent } from '../services/traces/span-message.js';
import { translateDbError } from '../services/db-errors.js';
import type { Stores } from '../stores/index.js';
import { PythonCrash } from '../py/values.js';
import { jsonDumps } from '../py/json.js';
import { reprStr } from '../py/repr.js';
import { urlsplit } from '../py/urlparse.js';
import { appendToUriPath } from '../stores/artifact-uri.js';
import { isNativeArtifactUri } from '../stores/artifacts/index.js';
import { ARTIFACT_LOCATION_TAG, SPANS_LOCATION_TAG } from '../stores/tracking/trace-infos.js';
import { parseModelVersion, validateModelName } from '../services/registry/validation.js';
import { sendMlflowError, sendRaw } from './rpc-routes.js';

export type RouteFallback = (request: FastifyRequest, reply: FastifyReply) => unknown;

function posixJoin(a: string, b: string): string {
  if (b.startsWith('/') || a === '') return b;
  return a.endsWith('/') ? a + b : `${a}/${b}`;
}

function queryArgs(request: FastifyRequest): URLSearchParams {
  const q = request.url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : request.url.slice(q + 1));
}

async function getArtifact(
  stores: Stores,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const args = queryArgs(request);
  const runId = args.get('run_id') || args.get('run_uuid') || undefined;
  // --artifacts-presigned-only: MLflow refuses proxied downloads (reject_proxied_artifact_download).
  if (stores.artifacts.presignedOnly) throw new NotNative('--artifacts-presigned-only');
  const rawPath = args.get('path');
  // request.args["path"]: a missing key is werkzeug's BadRequestKeyError.
  if (rawPath === null) return sendRaw(reply, RawReply.flask400());
  const path = flaskSafePath(rawPath);
  return sendArtifactOrUrl(stores, request, reply, await runArtifactUri(stores, runId), path, false);
}

/**
 * get_model_version_artifact_handler: a file of a model version's artifacts (the UI reads MLmodel
 * there), sent as /get-artifact sends it; with `presigned=true`, a presigned download URL instead.
 * Sources the registry resolves through a run or another model (`runs:`, `models:`) are left to
 * the Python server.
 */
async function getModelVersionArtifact(
  stores: Stores,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const args = queryArgs(request);
  const presigned = args.get('presigned') === 'true';
  if (!presigned && stores.artifacts.presignedOnly) throw new NotNative('--artifacts-presigned-only');
  const name = args.get('name') ?? undefined;
  const version = args.get('version');
  const rawPath = args.get('path');
  if (rawPath === null) return sendRaw(reply, RawReply.flask400());
  const path = flaskSafePath(rawPath);
  validateModelName(name);
  // _validate_model_version: int(None) is a TypeError, which MLflow reports as INTERNAL_ERROR.
  if (version === null) {
    throw new MlflowError(
      "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'",
      'INTERNAL_ERROR',
    );
  }
  let artifactUri: string;
  try {
    artifactUri = await stores.registry.getModelVersionDownloadUri(name, parseModelVersion(version));
  } catch (err) {
    throw translateDbError(err);
  }
  const scheme = urlsplit(artifactUri).scheme;
  if (scheme === 'models') throw new NotNative(`model version source ${artifactUri}`);
  if (scheme === 'runs' && !presigned)
    return sendRunsSourceArtifact(stores, request, reply, artifactUri, path);
  if (scheme === 'runs') artifactUri = await resolveRunsUri(stores, artifactUri, presigned);
  return sendArtifactOrUrl(stores, request, reply, artifactUri, path, presigned);
}

/**
 * A file of a `runs:/` source through RunsArtifactRepository.download_artifacts: the run's
 * artifacts first, then (MLflow 3, where `log_model` stores the files with a logged model) the
 * artifacts of the run's logged model named by the path's first part; neither: MLflow's
 * "Failed to download artifacts from path ...".
 */
async function sendRunsSourceArtifact(
  stores: Stores,
  request: FastifyRequest,
  reply: FastifyReply,
  uri: string,
  path: string,
): Promise<FastifyReply> {
  const runRoot = await resolveRunsUri(stores, uri, false);
  const failed = () =>
    new MlflowError(
      `Failed to download artifacts from path ${reprStr(path)}, please ensure that the path is correct.`,
      'RESOURCE_DOES_NOT_EXIST',
    );
  const missing = (err: unknown) => err instanceof MlflowError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST';
  try {
    return await sendArtifactOrUrl(stores, request, reply, runRoot, path, false);
  } catch (err) {
    if (!missing(err)) throw err;
  }
  const [runId, sourcePath] = parseRunsUri(uri);
  const rel = sourcePath ? `${sourcePath}/${path}` : path;
  const slash = rel.indexOf('/');
  const [modelName, rest] = slash < 0 ? [rel, ''] : [rel.slice(0, slash), rel.slice(slash + 1)];
  if (!rel) throw failed();
  const location = await stores.tracking.runLoggedModelLocation(runId, modelName).catch((err: unknown) => {
    throw translateDbError(err);
  });
  if (location === undefined) throw failed();
  if (
    !isNativeArtifactUri(location) ||
    ['http', 'https', 'mlflow-artifacts'].includes(urlsplit(location).scheme)
  ) {
    throw new NotNative(`logged model artifacts at ${location}`);
  }
  try {
    return await sendArtifactOrUrl(stores, request, reply, location, rest, false);
  } catch (err) {
    if (missing(err)) throw failed();
    throw err;
  }
}

/** RunsArtifactRepository.parse_runs_uri: [run id, run-relative path or undefined]. */
function parseRunsUri(uri: string): [string, string | undefined] {
  const path = urlsplit(uri).path;
  const malformed = () =>
    MlflowError.invalidParameter(
      `Not a proper runs:/ URI: ${uri}. Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'`,
    );
  if (!path.startsWith('/') || path.length <= 1) throw malformed();
  const parts = path.slice(1).split('/');
  if (parts[0] === '') throw malformed();
  const rest = parts.slice(1).join('/');
  return [parts[0]!, rest === '' ? undefined : rest];
}

/**
 * A `runs:/<run_id>/<path>` model version source as the artifact location under the run's root.
 * With `presigned=true` MLflow resolves it in the handler (a host is refused, the path checked);
 * otherwise through RunsArtifactRepository, whose repository for a proxied run root would call the
 * tracking server over HTTP: that case (and a `runs://<profile>/...` source) stays with Python.
 */
async function resolveRunsUri(stores: Stores, uri: string, presigned: boolean): Promise<string> {
  const netloc = urlsplit(uri).netloc;
  const [runId, sourcePath] = parseRunsUri(uri);
  if (presigned) {
    if (netloc) throw MlflowError.invalidParameter('Run artifact sources cannot include a host.');
    flaskSafePath(sourcePath ?? '');
  } else if (netloc) {
    throw new NotNative(`model version source ${uri}`);
  }
  const runRoot = await runArtifactUri(stores, runId);
  const resolved = sourcePath ? appendToUriPath(runRoot, sourcePath) : runRoot;
  if (!presigned && urlsplit(resolved).scheme !== '' && !isNativeArtifactUri(resolved)) {
    throw new NotNative(`model version source ${uri}`);
  }
  if (!presigned && ['http', 'https', 'mlflow-artifacts'].includes(urlsplit(resolved).scheme)) {
    throw new NotNative(`model version source ${uri} (a proxied run root)`);
  }
  return resolved;
}

/**
 * A file under an artifact root, sent as /get-artifact sends it, or with `presigned` a presigned
 * download URL as Flask's JSON (PresignedDownloadUrlResponse.to_dict()).
 */
async function sendArtifactOrUrl(
  stores: Stores,
  request: FastifyRequest,
  reply: FastifyReply,
  artifactUri: string,
  path: string,
  presigned: boolean,
): Promise<FastifyReply> {
  const root = runArtifactRoot(stores, artifactUri);
  const artifactPath = root.proxied ? posixJoin(root.base, path) : path;
  if (presigned) {
    if (!root.repo.multipart) {
      throw new MlflowError(
        'Presigned download is not supported for the current artifact repository',
        'NOT_IMPLEMENTED',
      );
    }
    const url = await root.repo.multipart.presignedDownloadUrl(
      artifactPath,
      stores.artifacts.presignedDownloadTtl,
    );
    const body = jsonDumps({
      url: url.url,
      headers: url.headers,
      ...(url.file_size !== undefined ? { file_size: url.file_size } : {}),
    });
    return sendRaw(
      reply,
      new RawReply(200, { 'content-type': 'application/json' }, Buffer.from(`${body}\n`)),
    );
  }
  const file = await root.repo.open(artifactPath, artifactPath);
  return sendRaw(reply, flaskFileReply(file, artifactPath, request.headers));
}

/**
 * get_logged_model_artifact_handler (GET ajax-api/2.0/mlflow/logged-models/<id>/artifacts/files):
 * a file of a logged model's artifacts, or its presigned URL.
 */
async function getLoggedModelArtifact(
  stores: Stores,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const args = queryArgs(request);
  const presigned = args.get('presigned') === 'true';
  if (!presigned && stores.artifacts.presignedOnly) throw new NotNative('--artifacts-presigned-only');
  const filePath = args.get('artifact_file_path');
  if (!filePath) {
    throw new MlflowError('Request must include the "artifact_file_path" query parameter.', 'BAD_REQUEST');
  }
  flaskSafePath(filePath);
  const modelId = (request.params as { model_id: string }).model_id;
  const artifactUri = await loggedModelArtifactUri(stores, modelId);
  return sendArtifactOrUrl(stores, request, reply, artifactUri, filePath, presigned);
}

/** tracing.utils.artifact_utils.TRACE_DATA_FILE_NAME */
const TRACE_DATA_FILE = 'traces.json';

/** A canonical UUID (str(uuid.UUID(path)) == path: lower-case, dashed). */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * get_trace_artifact_handler with `path`: one attachment of a trace (`attachments/<uuid>` under
 * the trace's artifact location, uploaded by the client beside its spans). MLflow checks the path
 * (validate_path_is_safe, then _validate_attachment_path), reads the trace's info, and sends the
 * file from a local repository, or downloads it from a remote one (any failure there but an
 * MlflowException: a 500 naming the attachment).
 */
async function getTraceAttachment(
  stores: Stores,
  requestId: string,
  rawPath: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const path = flaskSafePath(rawPath);
  if (!CANONICAL_UUID.test(path)) {
    throw new MlflowError(
      `Invalid attachment path: '${path}'. Attachment path must be a valid UUID.`,
      'INVALID_PARAMETER_VALUE',
      { sqlstate: 'KAM04', error_class: 'ATTRIBUTE_NOT_FOUND' },
    );
  }
  let info;
  try {
    info = await stores.tracking.getTraceInfo(requestId);
  } catch (err) {
    throw translateDbError(err);
  }
  const artifactUri = info.tags.get(ARTIFACT_LOCATION_TAG);
  if (!artifactUri) throw new NotNative('a trace without an artifact location');
  const root = runArtifactRoot(stores, artifactUri);
  const relative = `attachments/${path}`;
  const local = root.repo.multipart === undefined;
  let file;
  try {
    file = await root.repo.open(root.proxied ? posixJoin(root.base, relative) : relative, path);
  } catch (err) {
    if (local && err instanceof MlflowError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') {
      // LocalArtifactRepository names the file relative to the trace's own artifact root.
      throw MlflowError.notFound(`No such artifact: '${relative}'`);
    }
    if (local) throw err;
    throw new MlflowError(
      `Failed to download attachment '${path}' for trace '${requestId}'.`,
      'INTERNAL_ERROR',
    );
  }
  return sendRaw(reply, flaskFileReply(file, path, request.headers));
}

/**
 * get_trace_artifact_handler (GET ajax-api/{2,3}.0/mlflow/get-trace-artifact): a trace's spans as
 * the UI reads them. Served natively when they are the trace's `traces.json` artifact (a trace
 * whose spans were not ingested through OTLP, e.g. one created by standalone mlflow-ts); spans in
 * the database are sent from there; spans in an archive go to the Python server; `path` names an
 * attachment (getTraceAttachment).
 */
async function getTraceArtifact(
  stores: Stores,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const args = queryArgs(request);
  const requestId = args.get('request_id');
  if (!requestId) {
    throw new MlflowError('Request must include the "request_id" query parameter.', 'BAD_REQUEST');
  }
  const attachment = args.get('path');
  if (attachment) return getTraceAttachment(stores, requestId, attachment, request, reply);
  let info;
  try {
    info = await stores.tracking.getTraceInfo(requestId);
  } catch (err) {
    // MLflow asks store.get_trace first, whose message differs from get_trace_info's.
    if (err instanceof MlflowError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') {
      throw MlflowError.notFound(`Trace with ID ${requestId} is not found.`);
    }
    throw translateDbError(err);
  }
  const location = info.tags.get(SPANS_LOCATION_TAG);
  if (location === 'TRACKING_STORE') return sendStoredSpans(stores, requestId, request, reply);
  if (location !== undefined) throw new NotNative('spans stored in an archive');
  const artifactUri = info.tags.get(ARTIFACT_LOCATION_TAG);
  if (!artifactUri) throw new NotNative('a trace without an artifact location');
  const root = runArtifactRoot(stores, artifactUri);
  const artifactPath = root.proxied ? posixJoin(root.base, TRACE_DATA_FILE) : TRACE_DATA_FILE;
  let file;
  try {
    file = await root.repo.open(artifactPath, TRACE_DATA_FILE);
  } catch {
    throw new NotNative('no traces.json artifact');
  }
  return sendRaw(reply, flaskFileReply(file, TRACE_DATA_FILE, request.headers));
}

/**
 * A trace's spans stored in the database, as get_trace_artifact_handler sends them: each row's
 * stored JSON as is (TraceData.to_json_bytes), root spans first, partial traces included.
 */
async function sendStoredSpans(
  stores: Stores,
  traceId: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  // Flask serves a range of the in-memory file: left to the Python server.
  if (request.headers.range !== undefined) throw new NotNative('a range of stored spans');
  const { spans, cleared } = await stores.tracking.getTraceSpanContents([traceId]);
  if (cleared.size > 0) throw new NotNative('span rows cleared by an archival');
  const contents = spans.get(traceId) ?? [];
  // A span whose type MLflow translates on read is re-dumped (exportedContent).
  const body = Buffer.from(`{"spans":[${contents.map(exportedContent).join(',')}]}`);
  return sendRaw(
    reply,
    new RawReply(
      200,
      {
        'content-disposition': `attachment; filename=${TRACE_DATA_FILE}`,
        'content-type': 'text/plain',
        'content-length': String(body.length),
        'cache-control': 'no-cache',
        'accept-ranges': 'bytes',
        'x-content-type-options': 'nosniff',
      },
      body,
    ),
  );
}

/** upload_artifact_handler's size limit. */
const MAX_UPLOAD = 10 * 1024 * 1024;

function tooLarge(): MlflowError {
  return MlflowError.invalidParameter('Artifact size is too large. Max size is 10MB.');
}

async function readLimited(request: FastifyRequest): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > MAX_UPLOAD) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads and discards the request body, up to `cap` bytes. */
async function drain(request: FastifyRequest, cap: number): Promise<void> {
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > cap) break;
  }
}

/** posixpath.split */
function posixSplit(p: string): [string, string] {
  const i = p.lastIndexOf('/') + 1;
  let head = p.slice(0, i);
  if (head && head !== '/'.repeat(head.length)) head = head.replace(/\/+$/, '');
  return [head, p.slice(i)];
}

async function uploadArtifact(
  stores: Stores,
  request: FastifyRequest,
  reply: FastifyReply,
  fallback: RouteFallback | undefined,
): Promise<FastifyReply> {
  const args = queryArgs(request);
  const runId = args.get('run_id') || args.get('run_uuid');
  // Where the run's artifacts live decides first whether this request is ours; its errors are
  // raised where MLflow raises them (after the request checks).
  const located: Promise<{ root: RunArtifactRoot; run: Awaited<ReturnType<Stores['tracking']['getRun']>> }> =
    (async () => {
      const run = await stores.tracking.getRun(runId || 'None');
      return { root: runArtifactRoot(stores, run.info?.artifact_uri ?? ''), run };
    })();
  located.catch(() => undefined);
  if (runId && fallback) {
    const early = await located.then(
      () => undefined,
      (err: unknown) => err,
    );
    if (early instanceof NotNative) {
      await fallback(request, reply);
      return reply;
    }
  }
  if (!runId) throw MlflowError.invalidParameter('Request must specify run_id or run_uuid.');
  const rawPath = args.get('path');
  if (!rawPath) throw MlflowError.invalidParameter('Request must specify path.');
  const path = flaskSafePath(rawPath);
  if (Number(request.headers['content-length'] ?? 0) > MAX_UPLOAD) {
    // Read the body away first (as the Python server does) so the client sees the answer
    // instead of a connection closed under its upload; past 64 MiB it is cut off.
    await drain(request, 64 * 1024 * 1024);
    throw tooLarge();
  }
  // Flask's request.data is empty for form bodies (werkzeug parses them into request.form).
  const mimetype = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const form = mimetype === 'application/x-www-form-urlencoded' || mimetype === 'multipart/form-data';
  const data = form ? Buffer.alloc(0) : await readLimited(request);
  if (data.length === 0) throw MlflowError.invalidParameter('Request must specify data.');
  const { root, run } = await located.catch((err: unknown) => {
    throw translateDbError(err);
  });
  const [dirname, basename] = posixSplit(path);
  // MLflow writes the body to <tmp>/<dirname>/<basename>: with no base name that is a directory.
  if (!basename) throw new PythonCrash('IsADirectoryError');
  const target = root.proxied
    ? [
        run.info?.experiment_id ?? '',
        run.info?.run_id ?? '',
        'artifacts',
        ...(dirname ? [dirname] : []),
      ].join('/')
    : dirname;
  await root.repo.write(basename, target || undefined, Readable.from([data]));
  return reply.code(200).header('content-type', 'application/json').send(Buffer.alloc(0));
}

export function registerArtifactRoutes(
  app: FastifyInstance,
  stores: Stores,
  opts: { staticPrefix: string; fallback: RouteFallback | undefined },
): void {
  void app.register(async (scope) => {
    // The upload's body is read by the handler (bounded), whatever its content type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    scope.post(`${opts.staticPrefix}/ajax-api/2.0/mlflow/upload-artifact`, async (request, reply) =>
      answer(request, reply, () => uploadArtifact(stores, request, reply, opts.fallback)),
    );
  });
  app.get(`${opts.staticPrefix}/get-artifact`, async (request, reply) =>
    answer(request, reply, () => getArtifact(stores, request, reply)),
  );
  app.get(`${opts.staticPrefix}/model-versions/get-artifact`, async (request, reply) =>
    answer(request, reply, () => getModelVersionArtifact(stores, request, reply)),
  );
  for (const version of ['2.0', '3.0']) {
    app.get(`${opts.staticPrefix}/ajax-api/${version}/mlflow/get-trace-artifact`, async (request, reply) =>
      answer(request, reply, () => getTraceArtifact(stores, request, reply)),
    );
  }
  app.get(
    `${opts.staticPrefix}/ajax-api/2.0/mlflow/logged-models/:model_id/artifacts/files`,
    async (request, reply) => answer(request, reply, () => getLoggedModelArtifact(stores, request, reply)),
  );

  async function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    fn: () => Promise<FastifyReply>,
  ): Promise<FastifyReply> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof MlflowError) return sendMlflowError(reply, err);
      if (err instanceof RawReply) return sendRaw(reply, err);
      if (err instanceof NotNative && opts.fallback) {
        await opts.fallback(request, reply);
        return reply;
      }
      if (!(err instanceof PythonCrash))
        request.log.error({ err, url: request.url }, 'artifact route failed');
      return sendRaw(reply, RawReply.flask500());
    }
  }
}
