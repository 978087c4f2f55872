/**
 * The artifact backends mlflow-ts serves natively, chosen by URI scheme as MLflow's
 * get_artifact_repository does: local paths and `file:` URIs (local.ts), `s3://` (s3.ts, its AWS
 * SDK loaded on first use). Every other scheme (GCS, Azure, HDFS, ...) is left to the Python
 * server: `repositoryFor` answers undefined.
 */
import type { Readable } from 'node:stream';
import { urlsplit } from '../../py/urlparse.js';
import { LocalArtifactRepository } from './local.js';
import type {
  ArtifactFileInfo,
  ArtifactReadable,
  ArtifactRepository,
  MultipartSupport,
  PresignedUpload,
} from './repository.js';
import type { S3Options } from './s3.js';

export type { ArtifactRepository } from './repository.js';

export interface ArtifactStoreOptions {
  /** --serve-artifacts (MLflow's default) / --no-serve-artifacts. */
  serveArtifacts: boolean;
  /** --artifacts-destination (default ./mlartifacts): the root the mlflow-artifacts service serves. */
  artifactsDestination: string;
  /** --artifacts-presigned-only: proxied transfers are refused (left to the Python server). */
  artifactsPresignedOnly?: boolean;
  /** S3 client settings (MLFLOW_S3_ENDPOINT_URL, region, MLFLOW_S3_UPLOAD_EXTRA_ARGS, ...). */
  s3?: S3Options;
  /** MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS (MLflow's default: 300). */
  presignedDownloadTtl?: number;
}

export interface ArtifactStores {
  readonly serveArtifacts: boolean;
  /** --artifacts-presigned-only: proxied downloads are refused (by the Python server). */
  readonly presignedOnly: boolean;
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
  const scheme = urlsplit(uri).scheme;
  return scheme === '' || scheme === 'file' || scheme === 's3';
}

/**
 * An S3 repository whose SDK (several MB of modules) is imported on first use, so servers that
 * never touch S3 do not load it.
 */
class LazyS3Repository implements ArtifactRepository {
  readonly multipart: MultipartSupport;
  private repo: Promise<ArtifactRepository> | undefined;

  constructor(
    readonly uri: string,
    private readonly client: () => Promise<unknown>,
    private readonly opts: S3Options,
  ) {
    this.multipart = {
      createMultipartUpload: async (...a) => (await this.get()).multipart!.createMultipartUpload(...a),
      completeMultipartUpload: async (...a) => (await this.get()).multipart!.completeMultipartUpload(...a),
      abortMultipartUpload: async (...a) => (await this.get()).multipart!.abortMultipartUpload(...a),
      presignedDownloadUrl: async (...a) => (await this.get()).multipart!.presignedDownloadUrl(...a),
    };
  }

  private get(): Promise<ArtifactRepository> {
    this.repo ??= (async () => {
      const { S3ArtifactRepository } = await import('./s3.js');
      return new S3ArtifactRepository(this.uri, (await this.client()) as never, this.opts);
    })();
    return this.repo;
  }

  async presignedUpload(path: string, expirationSeconds: number): Promise<PresignedUpload> {
    return (await this.get()).presignedUpload!(path, expirationSeconds);
  }
  async list(path: string | undefined): Promise<ArtifactFileInfo[]> {
    return (await this.get()).list(path);
  }
  async open(path: string, displayName: string): Promise<ArtifactReadable> {
    return (await this.get()).open(path, displayName);
  }
  async write(fileName: string, artifactPath: string | undefined, body: Readable): Promise<void> {
    return (await this.get()).write(fileName, artifactPath, body);
  }
  async delete(path: string | undefined): Promise<void> {
    return (await this.get()).delete(path);
  }
}

export function openArtifactStores(opts: ArtifactStoreOptions): ArtifactStores {
  const cache = new Map<string, ArtifactRepository>();
  const s3opts = opts.s3 ?? {};
  let s3client: Promise<{ destroy(): void }> | undefined;
  const getS3Client = (): Promise<{ destroy(): void }> =>
    (s3client ??= import('./s3.js').then((m) => m.createS3Client(s3opts)));
  const repositoryFor = (uri: string): ArtifactRepository | undefined => {
    if (!isNativeArtifactUri(uri)) return undefined;
    let repo = cache.get(uri);
    if (!repo) {
      repo =
        urlsplit(uri).scheme === 's3'
          ? new LazyS3Repository(uri, getS3Client, s3opts)
          : new LocalArtifactRepository(uri);
      if (cache.size > 1000) cache.clear();
      cache.set(uri, repo);
    }
    return repo;
  };
  const destination = repositoryFor(opts.artifactsDestination);
  return {
    serveArtifacts: opts.serveArtifacts,
    presignedOnly: opts.artifactsPresignedOnly === true,
    serviceNative: !opts.serveArtifacts || (destination !== undefined && !opts.artifactsPresignedOnly),
    destination,
    repositoryFor,
    presignedDownloadTtl: opts.presignedDownloadTtl ?? 300,
    close: async () => {
      if (s3client) (await s3client).destroy();
    },
  };
}
