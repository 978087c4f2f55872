/**
 * The artifact backends mlflow-ts serves natively, chosen by URI scheme as MLflow's
 * get_artifact_repository does: local paths and `file:` URIs (local.ts). Every other scheme
 * (GCS, Azure, HDFS, ...) is left to the Python server: `repositoryFor` answers undefined.
 */
import { parseUri } from '../artifact-uri.js';
import { LocalArtifactRepository } from './local.js';
import type { ArtifactRepository } from './repository.js';

export type { ArtifactRepository } from './repository.js';

export interface ArtifactStoreOptions {
  /** --serve-artifacts (MLflow's default) / --no-serve-artifacts. */
  serveArtifacts: boolean;
  /** --artifacts-destination (default ./mlartifacts): the root the mlflow-artifacts service serves. */
  artifactsDestination: string;
  /** --artifacts-presigned-only: proxied transfers are refused (left to the Python server). */
  artifactsPresignedOnly?: boolean;
  /** MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS (MLflow's default: 300). */
  presignedDownloadTtl?: number;
}

export interface ArtifactStores {
  readonly serveArtifacts: boolean;
  /**
   * Whether the mlflow-artifacts service can be served natively: artifact serving off (every
   * route answers MLflow's 503 natively), or on with a destination of a native scheme.
   */
  readonly serviceNative: boolean;
  /** The --artifacts-destination repository; undefined when its scheme is not native. */
  readonly destination: ArtifactRepository | undefined;
  /** A repository for an artifact URI (a run's artifact_uri, ...), or undefined for other schemes. */
  repositoryFor(uri: string): ArtifactRepository | undefined;
  /** Lifetime of presigned download URLs, in seconds. */
  readonly presignedDownloadTtl: number;
  close(): Promise<void>;
}

/** Whether URIs of this form are served natively. */
export function isNativeArtifactUri(uri: string): boolean {
  const scheme = parseUri(uri).scheme;
  return scheme === '' || scheme === 'file';
}

export function openArtifactStores(opts: ArtifactStoreOptions): ArtifactStores {
  const cache = new Map<string, ArtifactRepository>();
  const repositoryFor = (uri: string): ArtifactRepository | undefined => {
    if (!isNativeArtifactUri(uri)) return undefined;
    let repo = cache.get(uri);
    if (!repo) {
      repo = new LocalArtifactRepository(uri);
      if (cache.size > 1000) cache.clear();
      cache.set(uri, repo);
    }
    return repo;
  };
  const destination = repositoryFor(opts.artifactsDestination);
  return {
    serveArtifacts: opts.serveArtifacts,
    serviceNative: !opts.serveArtifacts || (destination !== undefined && !opts.artifactsPresignedOnly),
    destination,
    repositoryFor,
    presignedDownloadTtl: opts.presignedDownloadTtl ?? 300,
    close: async () => undefined,
  };
}
