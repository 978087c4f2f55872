/**
 * GET ajax-api/3.0/mlflow/assistant/config and /providers (mlflow/server/assistant/api.py
 * get_config, get_providers), which every UI page calls, as the pinned server answers them when
 * nothing is set up for the assistant: no config file under ~/.mlflow/assistant, neither the
 * Claude Code nor the Codex CLI on PATH, no sandbox or remote-assistant setting, no AI gateway
 * endpoint, a caller on this host. Then the Ollama provider (always "available" to MLflow) is the
 * auto-selected one. Any other setup is the Python server's (NotNative).
 */

/** get_config: no providers or projects; a local caller may edit server settings. */
export const ASSISTANT_CONFIG_BODY =
  '{"providers":{},"projects":{},"remote_access_allowed":false,"can_edit_server_settings":true}';

/** list_providers() in MLflow's order, as ProviderInfo with nothing configured. */
const PROVIDERS = [
  {
    name: 'claude_code',
    display_name: 'Claude Code',
    description: 'AI-powered assistant using Claude Code CLI',
    available: false,
    allows_remote_access: false,
    client_tool_delivery: 'structured',
  },
  {
    name: 'codex',
    display_name: 'Codex',
    description: 'AI-powered assistant using the Codex CLI',
    available: false,
    allows_remote_access: false,
    client_tool_delivery: 'structured',
  },
  {
    name: 'mlflow_gateway',
    display_name: 'MLflow AI Gateway',
    description: 'AI-powered assistant backed by an MLflow AI Gateway endpoint configured on this server.',
    available: false,
    allows_remote_access: true,
    client_tool_delivery: 'tool',
  },
  {
    name: 'ollama',
    display_name: 'Ollama',
    description: 'AI-powered assistant using a locally running Ollama server.',
    available: true,
    allows_remote_access: false,
    client_tool_delivery: 'tool',
  },
];

/** _GATEWAY_VENDOR_MODELS, as _gateway_vendor_options lists them. */
const GATEWAY_VENDOR_OPTIONS = {
  openai: ['gpt-5.5'],
  anthropic: ['claude-sonnet-5'],
  gemini: ['gemini-3-pro'],
};

/** get_providers: FastAPI's compact JSON of ProvidersResponse (pydantic field order). */
export function assistantProvidersBody(): string {
  return JSON.stringify({
    providers: PROVIDERS.map((p) => ({
      name: p.name,
      display_name: p.display_name,
      description: p.description,
      available: p.available,
      selected: false,
      requires_api_key: false,
      has_api_key: false,
      allows_remote_access: p.allows_remote_access,
      client_tool_delivery: p.client_tool_delivery,
      model_options: [],
    })),
    // _resolve_assistant_provider: the first available provider other than the gateway.
    resolved: {
      name: 'ollama',
      model: null,
      auto_selected: true,
      requires_api_key: false,
      has_api_key: false,
      client_tool_delivery: 'tool',
      model_provider: null,
      model_options: [],
      provider_model: null,
    },
    gateway_vendor_options: GATEWAY_VENDOR_OPTIONS,
  });
}

/**
 * assistant/api.py _is_localhost: a loopback client address and none of the headers a reverse
 * proxy adds.
 */
const FORWARDED = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  'via',
];

export function isLocalCaller(
  address: string | undefined,
  headers: Readonly<Record<string, unknown>>,
): boolean {
  if (FORWARDED.some((h) => headers[h] !== undefined)) return false;
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}
