/**
 * What an artifact backend (local filesystem, S3) offers the services: MLflow's ArtifactRepository
 * operations, streamed. Paths are relative to the repository's root, `/`-separated, already checked
 * by the caller with validatePathIsSafe where MLflow checks them.
 */
import type { Readable } from 'node:stream';
import { MlflowError } from '../../errors/mlflow-error.js';

/** open() of a directory (MLflow: "Artifact path refers to a directory, not a file: '<name>'"). */
export class ArtifactIsDirectory extends MlflowError {
  constructor(displayName: string) {
    super(`Artifact path refers to a directory, not a file: '${displayName}'`, 'INVALID_PARAMETER_VALUE');
  }
}

/** mlflow.entities.FileInfo: a path relative to the repository root; no size for directories. */
export interface ArtifactFileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** An artifact opened for reading. */
export interface ArtifactReadable {
  size: number;
  mtimeMs: number;
  /** Seeds the ETag as werkzeug's send_file does (the local file path, or the object key). */
  etagSeed: string;
  /**
   * The file's bytes (bytes [start, end) when a range is given), streamed from the backend, never
   * buffered whole. Call once; or `close()` when the bytes are not wanted after all.
   */
  stream(range?: [number, number]): Readable;
  close(): void;
}

export interface MultipartCredential {
  url: string;
  part_number: number;
  headers: Record<string, string>;
}

export interface MultipartPart {
  part_number: number;
  etag: string;
  url?: string;
}

export interface PresignedDownload {
  url: string;
  headers: Record<string, string>;
  file_size?: number;
}

/** CreatePresignedUploadUrl.Response: the URL and the headers the PUT must carry. */
export interface PresignedUpload {
  presigned_url: string;
  headers: Record<string, string>;
}

/** Direct-to-storage transfers (MLflow's MultipartUploadMixin / MultipartDownloadMixin). */
export interface MultipartSupport {
  createMultipartUpload(
    fileName: string,
    numParts: number,
    artifactPath: string | undefined,
  ): Promise<{ upload_id: string; credentials: MultipartCredential[] }>;
  completeMultipartUpload(
    fileName: string,
    uploadId: string,
    parts: MultipartPart[],
    artifactPath: string | undefined,
  ): Promise<void>;
  abortMultipartUpload(fileName: string, uploadId: string, artifactPath: string | undefined): Promise<void>;
  presignedDownloadUrl(path: string, expirationSeconds: number): Promise<PresignedDownload>;
}

export interface ArtifactRepository {
  /** The root URI the repository was opened on. */
  readonly uri: string;
  /** Present when the backend supports multipart upload and presigned downloads (S3). */
  readonly multipart?: MultipartSupport;
  /** Present when the backend hands out presigned uploads (MLflow's PresignedUploadMixin: S3). */
  presignedUpload?(path: string, expirationSeconds: number): Promise<PresignedUpload>;
  /** Direct children of `path` (the root when undefined), sorted by path; [] when not a directory. */
  list(path: string | undefined): Promise<ArtifactFileInfo[]>;
  /**
   * Opens one file. Fails with RESOURCE_DOES_NOT_EXIST ("No such artifact: '<path>'") when absent
   * and ArtifactIsDirectory when the path is a directory (its message names `displayName`).
   */
  open(path: string, displayName: string): Promise<ArtifactReadable>;
  /**
   * Writes `body` to `<artifactPath>/<fileName>`. Nothing appears under the final name unless the
   * whole body arrived.
   */
  write(fileName: string, artifactPath: string | undefined, body: Readable): Promise<void>;
  /** Deletes a file or a directory tree (the whole root when undefined); absent paths are fine. */
  delete(path: string | undefined): Promise<void>;
}
