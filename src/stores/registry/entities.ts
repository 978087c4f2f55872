/**
 * Wire-shaped registry entities built from rows, as RegisteredModel.to_proto / ModelVersion.to_proto
 * write them (entities/model_registry/*.py): which fields are set when, versions as strings.
 */
import type { Selectable } from 'kysely';
import type { ModelVersion, RegisteredModel } from '../../gen/messages.js';
import type { ModelVersionsTable, RegisteredModelsTable } from '../tables.js';

export type RegisteredModelRow = Selectable<RegisteredModelsTable>;
export type ModelVersionRow = Selectable<ModelVersionsTable>;
export interface TagRow {
  key: string;
  value: string | null;
}

/** Tags as the entity's dict holds them (last value of a key wins, first position kept). */
function tagList(tags: readonly TagRow[]): { key: string; value?: string }[] {
  const byKey = new Map<string, string | null>();
  for (const t of tags) byKey.set(t.key, t.value);
  return [...byKey].map(([key, value]) => (value === null ? { key } : { key, value }));
}

export function modelVersionEntity(
  row: ModelVersionRow,
  tags: readonly TagRow[],
  aliases: readonly string[],
): ModelVersion {
  const mv: ModelVersion = { name: row.name, version: String(row.version) };
  if (row.creation_time !== null) mv.creation_timestamp = row.creation_time;
  if (row.last_updated_time !== null) mv.last_updated_timestamp = row.last_updated_time;
  if (row.description !== null) mv.description = row.description;
  if (row.user_id !== null) mv.user_id = row.user_id;
  if (row.current_stage !== null) mv.current_stage = row.current_stage;
  if (row.source !== null) mv.source = row.source;
  if (row.run_id !== null) mv.run_id = row.run_id;
  if (row.run_link !== null) mv.run_link = row.run_link;
  if (row.status !== null) mv.status = row.status as ModelVersion['status'];
  if (row.status_message) mv.status_message = row.status_message;
  const t = tagList(tags);
  if (t.length) mv.tags = t;
  if (aliases.length) mv.aliases = [...aliases];
  return mv;
}

export function registeredModelEntity(
  row: RegisteredModelRow,
  latestVersions: readonly ModelVersion[],
  tags: readonly TagRow[],
  aliases: readonly { alias: string; version: number }[],
): RegisteredModel {
  const rm: RegisteredModel = { name: row.name };
  if (row.creation_time !== null) rm.creation_timestamp = row.creation_time;
  if (row.last_updated_time) rm.last_updated_timestamp = row.last_updated_time;
  if (row.description) rm.description = row.description;
  if (latestVersions.length) rm.latest_versions = [...latestVersions];
  const t = tagList(tags);
  if (t.length) rm.tags = t;
  // The entity keeps aliases in a dict: one entry per alias name.
  const byAlias = new Map<string, number>();
  for (const a of aliases) byAlias.set(a.alias, a.version);
  if (byAlias.size)
    rm.aliases = [...byAlias].map(([alias, version]) => ({ alias, version: String(version) }));
  return rm;
}

/** Whether tags mark a prompt (`_is_prompt`: the is_prompt tag, case-insensitively "true"). */
export function isPromptTags(tags: readonly TagRow[], key: string): boolean {
  let v: string | null | undefined;
  for (const t of tags) if (t.key === key) v = t.value;
  return (v ?? 'false').toLowerCase() === 'true';
}
