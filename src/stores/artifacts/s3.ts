/**
 * Artifacts in S3 (or an S3-compatible store) under `s3://bucket/prefix`, as MLflow's
 * S3ArtifactRepository lays them out: one object per file, directories as key prefixes. Through
 * the AWS SDK v3: downloads stream straight from GetObject, uploads stream through lib-storage's
 * Upload (native multipart for large bodies; an aborted body aborts the upload, so no object
 * appears), and the multipart-upload / presigned-download RPCs hand out SigV4-presigned URLs.
 */
import { createHash, createHmac } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { SignatureV4 } from '@smithy/signature-v4';
import { MlflowError } from '../../errors/mlflow-error.js';
import type { ErrorCodeName } from '../../errors/mlflow-error.js';
import { urlsplit } from '../../py/urlparse.js';
import { pyGuessType } from './mime.js';
import {
  ArtifactIsDirectory,
  type ArtifactFileInfo,
  type ArtifactReadable,
  type ArtifactRepository,
  type MultipartCredential,
  type MultipartPart,
  type MultipartSupport,
  type PresignedDownload,
  type PresignedUpload,
} from './repository.js';

export interface S3Options {
  /** MLFLOW_S3_ENDPOINT_URL: an S3-compatible endpoint (path-style addressing then). */
  endpointUrl?: string;
  /** AWS_REGION / AWS_DEFAULT_REGION (MLflow's boto3 default chain); us-east-1 when unset. */
  region?: string;
  /** MLFLOW_S3_UPLOAD_EXTRA_ARGS, parsed (boto3 ExtraArgs names: ServerSideEncryption, ACL, ...). */
  uploadExtraArgs?: Record<string, unknown>;
  /** Part size of streamed uploads (MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE; default 10 MiB). */
  partSize?: number;
}

/** botocore error codes -> MLflow's (s3_artifact_repo.BOTO_TO_MLFLOW_ERROR). */
const BOTO_TO_MLFLOW: Record<string, ErrorCodeName> = {
  AccessDenied: 'PERMISSION_DENIED',
  NoSuchBucket: 'RESOURCE_DOES_NOT_EXIST',
  NoSuchKey: 'RESOURCE_DOES_NOT_EXIST',
  InvalidAccessKeyId: 'UNAUTHENTICATED',
  '404': 'RESOURCE_DOES_NOT_EXIST',
  SignatureDoesNotMatch: 'UNAUTHENTICATED',
  '403': 'PERMISSION_DENIED',
};

/**
 * put_object parameters as the HTTP headers a presigned PUT must carry (s3_artifact_repo
 * _S3_PARAM_TO_HEADER); parameters not listed are left out of presigned uploads.
 */
const PARAM_TO_HEADER: Record<string, string> = {
  ACL: 'x-amz-acl',
  CacheControl: 'Cache-Control',
  ContentDisposition: 'Content-Disposition',
  ContentEncoding: 'Content-Encoding',
  ContentLanguage: 'Content-Language',
  ExpectedBucketOwner: 'x-amz-expected-bucket-owner',
  Expires: 'Expires',
  GrantFullControl: 'x-amz-grant-full-control',
  GrantRead: 'x-amz-grant-read',
  GrantReadACP: 'x-amz-grant-read-acp',
  GrantWriteACP: 'x-amz-grant-write-acp',
  ObjectLockLegalHoldStatus: 'x-amz-object-lock-legal-hold',
  ObjectLockMode: 'x-amz-object-lock-mode',
  ObjectLockRetainUntilDate: 'x-amz-object-lock-retain-until-date',
  RequestPayer: 'x-amz-request-payer',
  ChecksumAlgorithm: 'x-amz-sdk-checksum-algorithm',
  SSECustomerAlgorithm: 'x-amz-server-side-encryption-customer-algorithm',
  SSECustomerKey: 'x-amz-server-side-encryption-customer-key',
  SSECustomerKeyMD5: 'x-amz-server-side-encryption-customer-key-MD5',
  SSEKMSEncryptionContext: 'x-amz-server-side-encryption-context',
  SSEKMSKeyId: 'x-amz-server-side-encryption-aws-kms-key-id',
  ServerSideEncryption: 'x-amz-server-side-encryption',
  StorageClass: 'x-amz-storage-class',
  Tagging: 'x-amz-tagging',
  WebsiteRedirectLocation: 'x-amz-website-redirect-location',
};

/** Python's str() of a JSON value (MLFLOW_S3_UPLOAD_EXTRA_ARGS values put in headers). */
function pyStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null) return 'None';
  return String(v);
}

/** Extra args that also go on each part request of a multipart upload (SSE-C, requester pays). */
const MULTIPART_REQUEST_ARGS = new Set([
  'SSECustomerAlgorithm',
  'SSECustomerKey',
  'SSECustomerKeyMD5',
  'RequestPayer',
  'ExpectedBucketOwner',
]);

function toBytes(d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof d === 'string') return d;
  if (d instanceof ArrayBuffer) return new Uint8Array(d);
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** node:crypto SHA-256 (an HMAC with a secret) in the shape the SigV4 signer wants. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

function isNotFound(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404)
  );
}

/**
 * A botocore ClientError as MLflow reports it: its code through BOTO_TO_MLFLOW_ERROR (a HEAD
 * response has no error body, so the code is the HTTP status and the message its reason phrase).
 */
function mlflowS3Error(err: unknown, prefix = ''): unknown {
  if (!(err instanceof S3ServiceException)) return err;
  const status = err.$metadata.httpStatusCode;
  const headLike = err.message === 'UnknownError' || err.name === 'NotFound' || err.name === 'Forbidden';
  const code = (headLike ? BOTO_TO_MLFLOW[String(status)] : BOTO_TO_MLFLOW[err.name]) ?? 'INTERNAL_ERROR';
  const message = headLike && status !== undefined ? (STATUS_CODES[status] ?? err.message) : err.message;
  return new MlflowError(`${prefix}${message}`, code);
}

export class S3ArtifactRepository implements ArtifactRepository {
  readonly uri: string;
  readonly bucket: string;
  /** The key prefix of the root, without a leading slash. */
  readonly root: string;
  readonly multipart: MultipartSupport;
  private readonly client: S3Client;
  private readonly opts: S3Options;

  constructor(uri: string, client: S3Client, opts: S3Options) {
    const p = urlsplit(uri);
    this.uri = uri;
    this.bucket = p.netloc ?? '';
    this.root = p.path.replace(/^\//, '');
    this.client = client;
    this.opts = opts;
    this.multipart = {
      createMultipartUpload: (f, n, a) => this.createMultipartUpload(f, n, a),
      completeMultipartUpload: (f, u, parts, a) => this.completeMultipartUpload(f, u, parts, a),
      abortMultipartUpload: (f, u, a) => this.abortMultipartUpload(f, u, a),
      presignedDownloadUrl: (path, exp) => this.presignedDownloadUrl(path, exp),
    };
  }

  /** posixpath.join(root, path): no normalization (a `//` stays, as in MLflow's keys). */
  private key(path: string | undefined): string {
    if (!path) return this.root;
    if (path.startsWith('/') || !this.root) return path;
    return this.root.endsWith('/') ? this.root + path : `${this.root}/${path}`;
  }

  /** The upload's extra args: guessed ContentType / ContentEncoding, then MLFLOW_S3_UPLOAD_EXTRA_ARGS. */
  private uploadArgs(fileName: string): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    const [type, encoding] = pyGuessType(fileName);
    if (type) args.ContentType = type;
    if (encoding) args.ContentEncoding = encoding;
    return { ...args, ...(this.opts.uploadExtraArgs ?? {}) };
  }

  async list(path: string | undefined): Promise<ArtifactFileInfo[]> {
    const dest = this.key(path).replace(/\/+$/, '');
    const prefix = dest ? `${dest}/` : '';
    const infos: ArtifactFileInfo[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        );
      } catch (err) {
        throw mlflowS3Error(err, `Failed to list artifacts in ${this.uri}: `);
      }
      for (const cp of page.CommonPrefixes ?? []) {
        infos.push({ path: posix.relative(this.root || '.', cp.Prefix!).replace(/\/$/, ''), is_dir: true });
      }
      for (const obj of page.Contents ?? []) {
        const size = Number(obj.Size ?? 0);
        if (size === 0 && obj.Key!.endsWith('/')) continue; // a directory marker
        infos.push({ path: posix.relative(this.root || '.', obj.Key!), is_dir: false, file_size: size });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async open(path: string, displayName: string): Promise<ArtifactReadable> {
    const key = this.key(path);
    let head;
    try {
      head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      if (!isNotFound(err)) throw mlflowS3Error(err);
      // A prefix with objects under it is a directory (MLflow would download it whole to a
      // temporary directory and then fail to send it: refused as on a local destination).
      if ((await this.list(path)).length > 0) throw new ArtifactIsDirectory(displayName);
      // ArtifactRepository.download_artifacts' report of the failed HeadObject.
      throw new MlflowError(
        `The following failures occurred while downloading one or more artifacts from ${this.uri}:\n` +
          `##### File ${path} #####\nAn error occurred (404) when calling the HeadObject operation: Not Found`,
      );
    }
    const size = Number(head.ContentLength ?? 0);
    return {
      size,
      mtimeMs: head.LastModified?.getTime() ?? Date.now(),
      etagSeed: key,
      stream: (range) => this.streamObject(key, range),
      close: () => undefined,
    };
  }

  /** GetObject's body, piped through a PassThrough so the request starts when streaming does. */
  private streamObject(key: string, range: [number, number] | undefined): Readable {
    const out = new PassThrough();
    this.client
      .send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range[0]}-${range[1] - 1}` : undefined,
        }),
      )
      .then((res) => {
        const body = res.Body as Readable;
        body.on('error', (err) => out.destroy(err));
        out.on('close', () => body.destroy());
        body.pipe(out);
      })
      .catch((err: unknown) => out.destroy(err as Error));
    return out;
  }

  async write(fileName: string, artifactPath: string | undefined, body: Readable): Promise<void> {
    const key = this.keyIn(this.key(artifactPath), posix.basename(fileName));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ...this.uploadArgs(fileName) },
      partSize: Math.max(this.opts.partSize ?? 10 * 1024 * 1024, 5 * 1024 * 1024),
      queueSize: 4,
      leavePartsOnError: false,
    });
    // A body that fails (the client went away) aborts the upload: no object, no parts left.
    body.once('error', () => void upload.abort().catch(() => undefined));
    body.once('aborted', () => void upload.abort().catch(() => undefined));
    try {
      await upload.done();
    } catch (err) {
      throw mlflowS3Error(err);
    }
  }

  async delete(path: string | undefined): Promise<void> {
    const dest = this.key(path).replace(/\/+$/, '');
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: dest, ContinuationToken: token }),
      );
      // Only the object itself and keys under dest/ (not dest-other).
      const keys = (page.Contents ?? [])
        .map((o) => o.Key!)
        .filter((k) => k === dest || k.startsWith(dest ? `${dest}/` : ''));
      if (keys.length) {
        await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })) },
          }),
        );
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  // -- multipart upload and presigned download (MultipartUploadMixin / MultipartDownloadMixin) -----

  private multipartKey(fileName: string, artifactPath: string | undefined): string {
    return this.keyIn(this.key(artifactPath), posix.basename(fileName));
  }

  /** posixpath.join of a key prefix and a name. */
  private keyIn(prefix: string, name: string): string {
    return !prefix ? name : prefix.endsWith('/') ? prefix + name : `${prefix}/${name}`;
  }

  private checkPresignable(args: Record<string, unknown>): void {
    if ('SSECustomerKey' in args || 'ChecksumAlgorithm' in args) {
      throw new MlflowError('Presigned artifact transfers are unavailable.', 'NOT_IMPLEMENTED');
    }
  }

  private async createMultipartUpload(
    fileName: string,
    numParts: number,
    artifactPath: string | undefined,
  ): Promise<{ upload_id: string; credentials: MultipartCredential[] }> {
    const key = this.multipartKey(fileName, artifactPath);
    const args = this.uploadArgs(fileName);
    this.checkPresignable(args);
    const created = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ...args }),
    );
    const uploadId = created.UploadId!;
    const credentials: MultipartCredential[] = [];
    for (let i = 1; i <= numParts; i++) {
      credentials.push({
        url: await this.presign('PUT', key, { partNumber: String(i), uploadId }, 3600),
        part_number: i,
        headers: {},
      });
    }
    return { upload_id: uploadId, credentials };
  }

  private async completeMultipartUpload(
    fileName: string,
    uploadId: string,
    parts: MultipartPart[],
    artifactPath: string | undefined,
  ): Promise<void> {
    const extra = Object.fromEntries(
      Object.entries(this.uploadArgs(fileName)).filter(([k]) => MULTIPART_REQUEST_ARGS.has(k)),
    );
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.multipartKey(fileName, artifactPath),
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.part_number, ETag: p.etag })) },
        ...extra,
      }),
    );
  }

  private async abortMultipartUpload(
    fileName: string,
    uploadId: string,
    artifactPath: string | undefined,
  ): Promise<void> {
    await this.client.send(
      new AbortMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.multipartKey(fileName, artifactPath),
        UploadId: uploadId,
      }),
    );
  }

  /**
   * create_presigned_upload_url: a presigned PUT of the object, with the guessed Content-Type and
   * MLFLOW_S3_UPLOAD_EXTRA_ARGS as signed headers the client must send back as given.
   */
  async presignedUpload(path: string, expirationSeconds: number): Promise<PresignedUpload> {
    const extra = this.opts.uploadExtraArgs;
    if (extra && 'SSECustomerKey' in extra) {
      throw new MlflowError('Presigned artifact transfers are unavailable.', 'NOT_IMPLEMENTED');
    }
    const contentType = pyGuessType(path)[0] ?? 'application/octet-stream';
    const headers: Record<string, string> = { 'Content-Type': contentType };
    for (const [param, value] of Object.entries(extra ?? {})) {
      const header = PARAM_TO_HEADER[param];
      if (header) headers[header] = pyStr(value);
    }
    const url = await this.presign('PUT', this.key(path), {}, expirationSeconds, headers);
    return { presigned_url: url, headers };
  }

  private async presignedDownloadUrl(path: string, expirationSeconds: number): Promise<PresignedDownload> {
    const key = this.key(path);
    this.checkPresignable(this.opts.uploadExtraArgs ?? {});
    let head;
    try {
      head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      throw mlflowS3Error(err);
    }
    const url = await this.presign(
      'GET',
      key,
      {
        'response-content-disposition': attachmentDisposition(posix.basename(key)),
        'response-content-encoding': 'identity',
      },
      expirationSeconds,
    );
    return { url, headers: {}, file_size: Number(head.ContentLength ?? 0) };
  }

  /** A SigV4 query-presigned URL for one object request. */
  private async presign(
    method: string,
    key: string,
    query: Record<string, string>,
    expiresIn: number,
    signedHeaders: Record<string, string> = {},
  ): Promise<string> {
    const endpoint = await this.client.config.endpoint?.();
    const region = await this.client.config.region();
    const pathStyle = this.client.config.forcePathStyle === true;
    const encodedKey = key.split('/').map(encodeURIComponent).join('/');
    const hostname = endpoint
      ? pathStyle
        ? endpoint.hostname
        : `${this.bucket}.${endpoint.hostname}`
      : `${this.bucket}.s3.${region}.amazonaws.com`;
    const protocol = endpoint?.protocol ?? 'https:';
    const port = endpoint?.port;
    const basePath = endpoint?.path && endpoint.path !== '/' ? endpoint.path.replace(/\/$/, '') : '';
    const path = `${basePath}${pathStyle ? `/${this.bucket}` : ''}/${encodedKey}`;
    const signer = new SignatureV4({
      credentials: this.client.config.credentials,
      region,
      service: 's3',
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    const signed = await signer.presign(
      {
        method,
        protocol,
        hostname,
        port,
        path,
        query,
        headers: {
          host: port ? `${hostname}:${port}` : hostname,
          ...Object.fromEntries(Object.entries(signedHeaders).map(([k, v]) => [k.toLowerCase(), v])),
        },
      },
      {
        expiresIn,
        // The client sends these as headers (botocore signs them so for a presigned PUT).
        unhoistableHeaders: new Set(Object.keys(signedHeaders).map((k) => k.toLowerCase())),
      },
    );
    const qs = Object.entries(signed.query ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    return `${protocol}//${hostname}${port ? `:${port}` : ''}${path}?${qs}`;
  }
}

/** s3_artifact_repo._attachment_content_disposition */
function attachmentDisposition(filename: string): string {
  if (!/^[\x20-\x7e]*$/.test(filename)) {
    return `attachment; filename*=UTF-8''${encodeURIComponent(filename).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`;
  }
  return `attachment; filename="${filename.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** One client per configuration; the SDK reads AWS_* credentials itself (its default chain). */
export function createS3Client(opts: S3Options): S3Client {
  return new S3Client({
    region: opts.region ?? 'us-east-1',
    endpoint: opts.endpointUrl,
    forcePathStyle: opts.endpointUrl !== undefined,
    // MLflow's boto3 sends no checksum headers S3-compatible stores may not know.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
