/**
 * getTrace and batchGetTraces (handlers._get_trace, _batch_get_traces): a trace with its spans
 * (SqlAlchemyStore.get_trace / batch_get_traces). Spans in the database are read and written as
 * OTLP messages (span-message.ts). A trace whose spans are its `traces.json` artifact gets
 * MLflow's 500 "Trace data not stored in tracking store" (clients then read the artifact); spans
 * in an archive, or rows an archival is clearing, go to the Python server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { MlflowService } from '../../gen/services.js';
import type { Span } from '../../gen/messages.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { parseExperimentId } from '../../stores/tracking/experiments.js';
import { SPANS_LOCATION_TAG, type TraceInfoEntity } from '../../stores/tracking/trace-infos.js';
import { NotNative } from '../raw-reply.js';
import { rawHasField } from '../raw-field.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { traceInfoV3 } from './trace-info-message.js';
import { spanMessage } from './span-message.js';
import { spanJson } from './span-json.js';
import type { PreSerialized } from '../pre-serialized.js';

const TRACKING_STORE = 'TRACKING_STORE';
const ARCHIVE_REPO = 'ARCHIVE_REPO';
const SIZE_STATS_KEY = 'mlflow.trace.sizeStats';

/** The checks of _get_spans_with_trace_info that come before any span is read. */
function assertSpansInDatabase(info: TraceInfoEntity): void {
  const location = info.tags.get(SPANS_LOCATION_TAG);
  if (location === ARCHIVE_REPO) throw new NotNative('spans stored in an archive');
  if (location !== TRACKING_STORE) {
    throw new MlflowError('Trace data not stored in tracking store', 'INTERNAL_ERROR');
  }
}

/** Whether the trace's size stats promise more spans than were read (not fully exported yet). */
function incomplete(info: TraceInfoEntity, count: number): boolean {
  const stats = info.metadata.get(SIZE_STATS_KEY);
  if (!stats) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stats);
  } catch {
    throw new NotNative('size stats that are not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new NotNative('size stats that are not an object');
  }
  const expected = (parsed as Record<string, unknown>)['num_spans'] ?? 0;
  if (typeof expected !== 'number') throw new NotNative('a span count that is not a number');
  return count < expected;
}

/** The spans of traces whose location is the database, or NotNative for cleared rows. */
async function spanContents(ctx: DomainContext, traceIds: string[]): Promise<Map<string, string[]>> {
  const { spans, cleared } = await ctx.stores.tracking.getTraceSpanContents(traceIds);
  // An archival finished between the reads: MLflow re-reads the trace and may go to the archive.
  if (cleared.size > 0) throw new NotNative('span rows cleared by an archival');
  return spans;
}

/** A span of the common stored shape is written as JSON directly (span-json.ts). */
const span = (content: string): Span | PreSerialized => spanJson(content) ?? spanMessage(content);

function traceMessage(
  info: TraceInfoEntity,
  contents: string[],
): { trace_info: unknown; spans: (Span | PreSerialized)[] } {
  return { trace_info: traceInfoV3(info), spans: contents.map(span) };
}

/** get_trace's waits before it tells a client the trace is not fully exported yet. */
const RETRY_WAITS_MS = [1000, 2000];

export const traceSpanHandlers = {
  async getTrace(req, ctx) {
    const traceId = req.trace_id ?? '';
    const allowPartial = req.allow_partial === true;
    for (let attempt = 0; ; attempt++) {
      let info: TraceInfoEntity;
      try {
        info = await ctx.stores.tracking.getTraceInfo(traceId);
      } catch (err) {
        if (err instanceof MlflowError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') {
          throw MlflowError.notFound(`Trace with ID ${traceId} is not found.`);
        }
        throw err;
      }
      assertSpansInDatabase(info);
      const contents = (await spanContents(ctx, [traceId])).get(traceId) ?? [];
      if (allowPartial || (contents.length > 0 && !incomplete(info, contents.length))) {
        return { trace: traceMessage(info, contents) } as never;
      }
      const wait = RETRY_WAITS_MS[attempt];
      if (wait === undefined) {
        throw MlflowError.notFound(
          `Trace with ID ${traceId} is not fully exported yet, please try again later.`,
        );
      }
      await sleep(wait);
    }
  },

  async batchGetTraces(req, ctx) {
    const scoped = rawHasField(ctx, 'experiment_ids', 'experimentIds');
    const experimentIds = scoped ? (req.experiment_ids ?? []).map(parseExperimentId) : undefined;
    const infos = await ctx.stores.tracking.batchGetTraceInfos(req.trace_ids ?? [], experimentIds);
    if (infos.some((i) => i.tags.get(SPANS_LOCATION_TAG) === ARCHIVE_REPO)) {
      throw new NotNative('spans stored in an archive');
    }
    for (const info of infos) assertSpansInDatabase(info);
    const contents = await spanContents(
      ctx,
      infos.map((i) => i.traceId),
    );
    const traces = [];
    for (const info of infos) {
      const spans = contents.get(info.traceId) ?? [];
      // Only complete traces: search_traces builds on this.
      if (spans.length > 0 && !incomplete(info, spans.length)) traces.push(traceMessage(info, spans));
    }
    return { traces } as never;
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
