/**
 * GET {api,ajax-api}/3.0/mlflow/server-info (handlers.build_server_info_payload): how this server
 * is set up, read by the UI and clients before they authenticate. Served natively when no Python
 * child runs, so its flags describe mlflow-ts alone: no AI gateway and no scheduled issue
 * detection (both live in the Python server), SQL stores, the artifact settings given.
 */

/** The settings the payload is made of (src/cli/server-config.ts reads them). */
export interface ServerInfoSettings {
  /** No tracking store (--artifacts-only). */
  artifactsOnly: boolean;
  /** --serve-artifacts */
  serveArtifacts: boolean;
  /** --artifacts-presigned-only (MLFLOW_ARTIFACTS_PRESIGNED_ONLY) */
  artifactsPresignedOnly: boolean;
  /** The --artifacts-destination backend hands out multipart / presigned transfers (S3). */
  destinationSupportsMultipart: boolean;
  /** MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD / _DOWNLOAD */
  proxyMultipartUpload: boolean;
  proxyMultipartDownload: boolean;
  /** MLFLOW_S3_UPLOAD_EXTRA_ARGS names SSECustomerKey (presigned transfers would disclose it). */
  sseCustomerKey: boolean;
  /** MLFLOW_SKILL_CONTENT_MAX_DECOMPRESSED_SIZE, undefined when it is not a positive integer. */
  skillContentMaxSize: number | undefined;
  /** MLFLOW_SERVER_INFO_TRACKING_AUTH */
  trackingAuth: string;
}

/** archive.MAX_ARCHIVE_ENTRIES */
const SKILL_CONTENT_MAX_FILES = 10_000;

/** The payload, keys in MLflow's order (FastAPI's JSONResponse keeps it). */
export function serverInfoPayload(s: ServerInfoSettings): Record<string, unknown> {
  const presigned = !s.sseCustomerKey;
  const proxied = s.serveArtifacts;
  return {
    store_type: s.artifactsOnly ? null : 'SqlStore',
    workspaces_enabled: false,
    trace_archival_enabled: false,
    multipart_uploads_enabled: proxied && presigned && s.proxyMultipartUpload && s.destinationSupportsMultipart,
    multipart_downloads_enabled: proxied && presigned && s.proxyMultipartDownload && s.destinationSupportsMultipart,
    artifact_serving_enabled: proxied,
    ...(s.skillContentMaxSize !== undefined
      ? { skill_content_max_size: s.skillContentMaxSize, skill_content_max_files: SKILL_CONTENT_MAX_FILES }
      : {}),
    presigned_upload_run_id_supported: presigned,
    presigned_upload_model_id_supported: presigned,
    model_artifact_presigned_downloads_supported: presigned,
    features_enabled: { gateway: false, scheduled_issue_detection: false },
    tracking_auth: s.trackingAuth,
    artifacts_presigned_only: s.artifactsPresignedOnly,
  };
}
