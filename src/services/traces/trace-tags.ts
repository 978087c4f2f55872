/**
 * Trace tag and link RPCs of MlflowService: setTraceTag / setTraceTagV3, deleteTraceTag /
 * deleteTraceTagV3 (the v2 and v3 routes differ only in the path parameter's name) and
 * linkTracesToRun, linkPromptsToTrace.
 */
import type { MlflowService } from '../../gen/services.js';
import type { Stores } from '../../stores/index.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { checkTagMutation, checkTraceLinkCount, validateTraceTag } from './validation.js';
import { NotNative } from '../raw-reply.js';

/**
 * str(int(version)) for the plain decimal forms; Python's int() also reads underscores and other
 * scripts' digits, and raises (a 500) on anything else: those go to the Python server.
 */
function promptVersionNumber(version: string): string {
  const m = /^[ \t\n\r\f\v]*([+-]?)(\d+)[ \t\n\r\f\v]*$/.exec(version);
  if (!m) throw new NotNative(`prompt version ${JSON.stringify(version)}`);
  const n = BigInt(m[2]!);
  return (m[1] === '-' && n !== 0n ? '-' : '') + n.toString();
}

async function setTag(stores: Stores, traceId: string, key: string, value: string): Promise<void> {
  checkTagMutation(key, 'set');
  const tag = validateTraceTag(stores, key, value);
  await stores.tracking.setTraceTag(traceId, tag.key, tag.value);
}

async function deleteTag(stores: Stores, traceId: string, key: string): Promise<void> {
  checkTagMutation(key, 'deleted');
  await stores.tracking.deleteTraceTag(traceId, key);
}

export const traceTagHandlers = {
  async setTraceTag(req, { stores }) {
    await setTag(stores, req.request_id ?? '', req.key ?? '', req.value ?? '');
    return {};
  },

  async setTraceTagV3(req, { stores }) {
    await setTag(stores, req.trace_id ?? '', req.key ?? '', req.value ?? '');
    return {};
  },

  async deleteTraceTag(req, { stores }) {
    await deleteTag(stores, req.request_id ?? '', req.key ?? '');
    return {};
  },

  async deleteTraceTagV3(req, { stores }) {
    await deleteTag(stores, req.trace_id ?? '', req.key ?? '');
    return {};
  },

  async linkTracesToRun(req, { stores }) {
    const traceIds = req.trace_ids ?? [];
    checkTraceLinkCount(traceIds.length);
    await stores.tracking.linkTracesToRun(traceIds, req.run_id ?? '');
    return {};
  },

  /** _link_prompts_to_trace: PromptVersion(name, int(version)) refs, linked as `name/version`. */
  async linkPromptsToTrace(req, { stores }) {
    const ids = (req.prompt_versions ?? []).map(
      (pv) => `${pv.name ?? ''}/${promptVersionNumber(pv.version ?? '')}`,
    );
    // A repeated ref fails the table's primary key inside MLflow's insert, and an id past the
    // column's 36 characters fails on PostgreSQL and MySQL: the Python server answers those.
    if (new Set(ids).size !== ids.length) throw new NotNative('a prompt version listed twice');
    if (ids.some((id) => [...id].length > 36)) throw new NotNative('a prompt version id past 36 characters');
    await stores.tracking.linkPromptsToTrace(req.trace_id ?? '', ids);
    return {};
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
