/**
 * Streamed repeated fields. A native handler may put a `StreamedList` where a wire-shaped response
 * has a repeated field; the HTTP layer then writes that field item by item as the pages arrive
 * (same bytes as the whole list would serialize to), so a long result is never held in memory.
 * Fetching starts only when the HTTP layer pulls the first page; every later page is pulled only
 * when the client has taken the previous output (backpressure).
 */
export class StreamedList<T> implements AsyncIterable<readonly T[]> {
  constructor(private readonly pages: () => AsyncIterator<readonly T[]>) {}

  [Symbol.asyncIterator](): AsyncIterator<readonly T[]> {
    return this.pages();
  }

  /** The same pages with every error (first page or later) passed through `map` before it is thrown. */
  mapErrors(map: (err: unknown) => unknown): StreamedList<T> {
    const pages = (): AsyncIterator<readonly T[]> => this[Symbol.asyncIterator]();
    return new StreamedList<T>(async function* () {
      try {
        yield* { [Symbol.asyncIterator]: pages };
      } catch (err) {
        throw map(err);
      }
    });
  }
}

/** A streamed field over an async iterable of pages (e.g. a store's keyset-paged walk). */
export function streamed<T>(pages: () => AsyncIterable<readonly T[]>): StreamedList<T> {
  return new StreamedList<T>(() => pages()[Symbol.asyncIterator]());
}

/** Whether a handler's response has any streamed top-level field. */
export function hasStreamedFields(response: unknown): boolean {
  if (typeof response !== 'object' || response === null) return false;
  for (const k in response) {
    if ((response as Record<string, unknown>)[k] instanceof StreamedList) return true;
  }
  return false;
}

/** A copy of `response` whose streamed fields report errors through `map` (see withDbErrors). */
export function mapStreamedErrors<R>(response: R, map: (err: unknown) => unknown): R {
  if (!hasStreamedFields(response)) return response;
  const out: Record<string, unknown> = { ...(response as Record<string, unknown>) };
  for (const k in out) {
    const v = out[k];
    if (v instanceof StreamedList) out[k] = v.mapErrors(map);
  }
  return out as R;
}

/**
 * The response with every streamed field read whole into an array (an empty one omitted, as the
 * serializer omits it): for callers that are not the HTTP layer, e.g. tests calling handlers.
 */
export async function materializeStreamed<R>(response: R): Promise<R> {
  if (!hasStreamedFields(response)) return response;
  const out: Record<string, unknown> = { ...(response as Record<string, unknown>) };
  for (const k of Object.keys(out)) {
    const v = out[k];
    if (!(v instanceof StreamedList)) continue;
    const items: unknown[] = [];
    for await (const page of v as StreamedList<unknown>) for (const x of page) items.push(x);
    if (items.length > 0) out[k] = items;
    else delete out[k];
  }
  return out as R;
}
