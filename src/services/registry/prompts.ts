/**
 * Prompts live in the registry as registered models / versions tagged `mlflow.prompt.is_prompt`
 * (mlflow/prompt/constants.py); what the handlers treat specially about them.
 */
export const IS_PROMPT_TAG_KEY = 'mlflow.prompt.is_prompt';
export const PROMPT_TYPE_TAG_KEY = '_mlflow_prompt_type';
export const PROMPT_TEXT_TAG_KEY = 'mlflow.prompt.text';
/** The only sources a prompt version may have (_PROMPT_SOURCE_PLACEHOLDERS). */
export const PROMPT_SOURCE_PLACEHOLDERS: ReadonlySet<string> = new Set(['dummy-source', 'prompt-template']);

/** `_is_prompt_request`: tags collapse by key (last value wins); only a true value marks a prompt. */
export function isPromptRequest(tags: readonly { key?: string; value?: string }[] | undefined): boolean {
  let v: string | undefined;
  for (const t of tags ?? []) if ((t.key ?? '') === IS_PROMPT_TAG_KEY) v = t.value ?? '';
  return (v ?? 'false').toLowerCase() === 'true';
}

/** Request tags as a dict (last value wins), without the given keys. */
export function tagDict(
  tags: readonly { key?: string; value?: string }[] | undefined,
  without: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) {
    out[t.key ?? ''] = t.value ?? '';
  }
  for (const k of without) delete out[k];
  return out;
}
