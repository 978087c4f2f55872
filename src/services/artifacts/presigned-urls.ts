/**
 * MlflowService.createPresignedUploadUrl / createPresignedDownloadUrl (handlers.py
 * _create_presigned_upload_url / _create_presigned_download_url): a URL to move one artifact of a
 * run (or, for uploads, of a logged model) straight to or from its cloud storage. Only direct
 * storage roots qualify: proxied roots (`mlflow-artifacts:`, http) are refused, and a repository
 * without presigned transfers (the local filesystem) answers NOT_IMPLEMENTED. Roots of schemes
 * mlflow-ts has no backend for are handed to the Python server.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { MlflowService } from '../../gen/services.js';
import { urlsplit } from '../../py/urlparse.js';
import type { ArtifactRepository } from '../../stores/artifacts/index.js';
import type { Stores } from '../../stores/index.js';
import { NotNative } from '../raw-reply.js';
import type { DomainContext } from '../types.js';
import { flaskSafePath, loggedModelArtifactUri, runArtifactUri } from './run-artifacts.js';

const PROXIED_SCHEMES = new Set(['http', 'https', 'mlflow-artifacts']);
/** Cloud providers cap presigned URL lifetimes at 7 days. */
const MAX_DOWNLOAD_EXPIRATION = 604_800;

function directRepository(
  stores: Stores,
  artifactUri: string,
  what: 'upload' | 'download',
): ArtifactRepository {
  const scheme = urlsplit(artifactUri).scheme;
  if (PROXIED_SCHEMES.has(scheme)) {
    throw new MlflowError(
      what === 'upload'
        ? 'Presigned upload is not supported for proxied artifact storage ' +
            `(artifact URI scheme: ${scheme}). This endpoint requires a direct cloud storage artifact URI.`
        : 'Presigned download is not supported for runs with proxied artifact storage ' +
            `(artifact URI scheme: ${scheme}). This endpoint requires a run with a direct cloud storage artifact URI.`,
      'INVALID_PARAMETER_VALUE',
    );
  }
  const repo = stores.artifacts.repositoryFor(artifactUri);
  if (!repo) throw new NotNative(`artifact location ${artifactUri}`);
  return repo;
}

export const presignedUrlHandlers = {
  async createPresignedUploadUrl(request, ctx) {
    const runId = request.run_id ?? '';
    const modelId = request.model_id ?? '';
    if (Boolean(runId) === Boolean(modelId)) {
      throw new MlflowError(
        'Exactly one of run_id and model_id must be provided.',
        'INVALID_PARAMETER_VALUE',
      );
    }
    const path = flaskSafePath(request.path ?? '');
    const expiration = request.expiration ?? 900;
    const artifactUri = runId
      ? await runArtifactUri(ctx.stores, runId)
      : await loggedModelArtifactUri(ctx.stores, modelId);
    const repo = directRepository(ctx.stores, artifactUri, 'upload');
    if (!repo.presignedUpload) {
      throw new MlflowError(
        'Presigned upload is not supported for the current artifact repository',
        'NOT_IMPLEMENTED',
      );
    }
    return repo.presignedUpload(path, expiration);
  },

  async createPresignedDownloadUrl(request, ctx) {
    const path = flaskSafePath(request.path ?? '');
    const expiration = request.expiration ?? ctx.stores.artifacts.presignedDownloadTtl;
    if (!(expiration >= 1 && expiration <= MAX_DOWNLOAD_EXPIRATION)) {
      throw new MlflowError(
        `expiration must be between 1 and 604800 seconds (got ${expiration}).`,
        'INVALID_PARAMETER_VALUE',
      );
    }
    const artifactUri = await runArtifactUri(ctx.stores, request.run_id);
    const repo = directRepository(ctx.stores, artifactUri, 'download');
    if (!repo.multipart) {
      throw new MlflowError(
        'Presigned download is not supported for the current artifact repository',
        'NOT_IMPLEMENTED',
      );
    }
    const presigned = await repo.multipart.presignedDownloadUrl(path, expiration);
    return {
      presigned_url: presigned.url,
      headers: presigned.headers,
      ...(presigned.file_size !== undefined ? { file_size: presigned.file_size } : {}),
    };
  },
} satisfies Partial<MlflowService<DomainContext>>;
