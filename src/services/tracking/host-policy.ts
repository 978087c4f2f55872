/**
 * mlflow.store.artifact.host_policy: an experiment's artifact location may not name a host the
 * server would then connect to (GHSA-mr9f-g8qf-4w4j), unless it is the host of the server's own
 * default artifact root / artifacts destination, or its scheme is allowed by
 * MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { urlScheme, urlsplit } from '../../py/urlparse.js';

const HOST_ADDRESSED_SCHEMES = new Set([
  'ftp',
  'sftp',
  'hdfs',
  'viewfs',
  'http',
  'https',
  'mlflow-artifacts',
  'r2',
  'b2',
  'abfss',
]);
const SCHEME_FAMILIES: Record<string, string> = { viewfs: 'hdfs', https: 'http', 'mlflow-artifacts': 'http' };
const DEFAULT_PORTS: Record<string, (number | null)[]> = {
  ftp: [21],
  sftp: [22],
  http: [80],
  https: [443],
  'mlflow-artifacts': [80, 443],
  r2: [443],
  b2: [443],
  abfss: [443],
};

export interface ArtifactHostPolicy {
  /** Targets of the server's default artifact root and artifacts destination. */
  trusted: Set<string>;
  /** MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES, lower-cased. */
  allowedSchemes: Set<string>;
}

function schemeOf(uri: string): string {
  const scheme = urlScheme(uri);
  return scheme.length === 1 ? '' : scheme; // a Windows drive letter is a local path
}

/** host_addressed_uri_targets: "family\0host\0port" keys, or undefined when no host is selected. */
export function hostAddressedTargets(uri: string): Set<string> | undefined {
  const scheme = schemeOf(uri);
  if (!HOST_ADDRESSED_SCHEMES.has(scheme)) return undefined;
  const netloc = urlsplit(uri).netloc ?? '';
  if (scheme === 'mlflow-artifacts' && !netloc) return undefined; // resolves against this server
  const malformed = new Set([`malformed\0${netloc}\0`]);
  if (netloc.includes('\\') || /\s/.test(netloc)) return malformed;
  const hostPort = netloc.slice(netloc.lastIndexOf('@') + 1);
  let host = hostPort;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    host = hostPort.slice(1, close < 0 ? undefined : close);
    const after = close < 0 ? '' : hostPort.slice(close + 1);
    if (after.startsWith(':')) portText = after.slice(1);
  } else {
    const colon = hostPort.indexOf(':');
    if (colon >= 0) {
      host = hostPort.slice(0, colon);
      portText = hostPort.slice(colon + 1);
    }
  }
  let port: number | null = null;
  if (portText !== undefined && portText !== '') {
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) return malformed;
    port = Number(portText);
  }
  const family = SCHEME_FAMILIES[scheme] ?? scheme;
  const ports = port !== null ? [port] : (DEFAULT_PORTS[scheme] ?? [null]);
  return new Set(ports.map((p) => `${family}\0${host.toLowerCase()}\0${p ?? ''}`));
}

export function makeArtifactHostPolicy(
  serverUris: (string | undefined)[],
  allowedSchemes: string[] = [],
): ArtifactHostPolicy {
  const trusted = new Set<string>();
  for (const uri of serverUris) for (const t of (uri && hostAddressedTargets(uri)) || []) trusted.add(t);
  return {
    trusted,
    allowedSchemes: new Set(allowedSchemes.map((s) => s.trim().toLowerCase()).filter(Boolean)),
  };
}

/** handlers._validate_artifact_uri_scheme */
export function validateArtifactUriHost(uri: string, field: string, policy: ArtifactHostPolicy): void {
  const targets = hostAddressedTargets(uri);
  if (!targets) return;
  const scheme = schemeOf(uri);
  if (policy.allowedSchemes.has(scheme)) return;
  for (const t of targets) if (policy.trusted.has(t)) return;
  throw MlflowError.invalidParameter(
    `'${field}' cannot use the '${scheme}' scheme: the '${scheme}' scheme addresses a host other than the ` +
      "tracking server's configured artifact storage, so the server would connect to the host named in the URI. " +
      'Set the MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES environment variable on the server to allow it.',
  );
}
