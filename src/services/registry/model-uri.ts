/** models:/ and runs:/ URIs as MLflow parses them (store/artifact/utils/models.py, runs_artifact_repo.py). */
import { MlflowError } from '../../errors/mlflow-error.js';
import { urlparse } from '../../py/urlparse.js';

export interface ParsedModelUri {
  modelId?: string;
  name?: string;
  version?: string;
  stage?: string;
  alias?: string;
}

function improper(uri: string): MlflowError {
  return new MlflowError(
    `Not a proper models:/ URI: ${uri}. Models URIs must be of the form 'models:/name/suffix' or ` +
      "'models:/name@alias' where suffix is a version, stage, or the string 'latest' and where alias is a " +
      'registered model alias. Only one of suffix or alias can be defined at a time.',
  );
}

/** _parse_model_uri (scheme "models"); failures are MlflowExceptions without a code (500). */
export function parseModelUri(uri: string): ParsedModelUri {
  const parsed = urlparse(uri, false);
  if (parsed.scheme !== 'models') throw improper(uri);
  const path = parsed.path;
  if (!path.startsWith('/') || path.length <= 1) throw improper(uri);
  const parts = path.replace(/^\/+/, '').split('/');
  if (parts.length > 2 || parts[0]!.trim() === '') throw improper(uri);
  if (parts.length === 2) {
    const [name, suffix] = parts as [string, string];
    if (suffix.trim() === '') throw improper(uri);
    if (/^\p{Nd}+$/u.test(suffix)) return { name, version: suffix };
    if (suffix.toLowerCase() === 'latest') return { name };
    return { name, stage: suffix };
  }
  if (path.includes('@')) {
    const at = parts[0]!.lastIndexOf('@');
    const alias = at < 0 ? '' : parts[0]!.slice(at + 1);
    if (at < 0 || alias.trim() === '') throw improper(uri);
    return { name: parts[0]!.slice(0, at), alias };
  }
  return { modelId: parts[0]! };
}

/** RunsArtifactRepository.parse_runs_uri: the run id of a runs:/ URI. */
export function parseRunsUri(uri: string): string {
  const improperRuns = () =>
    new MlflowError(
      `Not a proper runs:/ URI: ${uri}. Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'`,
    );
  const parsed = urlparse(uri);
  if (parsed.scheme !== 'runs') throw improperRuns();
  const path = parsed.path;
  if (!path.startsWith('/') || path.length <= 1) throw improperRuns();
  const runId = path.slice(1).split('/')[0]!;
  if (runId === '') throw improperRuns();
  return runId;
}
