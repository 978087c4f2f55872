import { parseBackendUri } from '../stores/uri.js';
import type { ServerConfig } from './server-config.js';

/**
 * Why nothing may be served natively in this configuration, or undefined when native serving is
 * on. In each case the Python server implements behaviour our native layer does not (auth,
 * workspace scoping, other store types), so it must answer everything. (`--artifacts-only` has a
 * native layer of its own: http/artifacts-only.ts.)
 */
export function nativeOffReason(config: ServerConfig): string | undefined {
  if (config.appName) return `--app-name ${config.appName} guards every route`;
  if (config.enableWorkspaces) return 'workspaces are enabled';
  // --artifacts-only opens no store: its URIs do not matter.
  if (config.artifactsOnly) return undefined;
  try {
    parseBackendUri(config.backendStoreUri);
  } catch {
    return `the backend store '${config.backendStoreUri}' is not one mlflow-ts serves natively (sqlite, postgresql, mysql)`;
  }
  try {
    parseBackendUri(config.registryStoreUri);
  } catch {
    return `the registry store '${config.registryStoreUri}' is not one mlflow-ts serves natively (sqlite, postgresql, mysql)`;
  }
  return undefined;
}
