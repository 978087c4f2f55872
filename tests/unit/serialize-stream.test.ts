/**
 * serializeChunks writes exactly what the compiled whole-message serializer writes, whatever the
 * page and chunk boundaries, with fields before and after the streamed one and empty lists omitted.
 */
import { describe, expect, it } from 'vitest';
import { serializeChunks } from '../../src/http/serialize-stream.js';
import { serializeMessage } from '../../src/http/serialize.js';
import { streamed } from '../../src/services/streamed.js';

async function text(type: string, message: Record<string, unknown>, chunkChars?: number): Promise<string> {
  let out = '';
  for await (const c of serializeChunks(type, message, chunkChars)) out += c.toString('utf8');
  return out;
}

function pagesOf<T>(items: T[], size: number) {
  return streamed(async function* () {
    for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
    if (items.length === 0) yield [];
  });
}

const metrics = [
  { key: 'm', value: NaN, timestamp: 1, step: 0 },
  { key: 'm', value: Infinity, timestamp: 1, step: 1 },
  { key: 'm', value: -Infinity, timestamp: 2, step: 1 },
  { key: 'm', value: -0, timestamp: 3, step: -4 },
  { key: 'm', value: 1e-7, timestamp: 4, step: 2 ** 40 },
  { key: 'm', value: 1.5e300, timestamp: 5, step: 5 },
  { key: 'm"\u00e9\n', value: 2, timestamp: 0, step: 0 },
];

describe('serializeChunks', () => {
  it.each([1, 7, 64, 1 << 20])('matches the whole serializer (chunks of %i chars)', async (chunk) => {
    const type = 'mlflow.GetMetricHistory.Response';
    for (const size of [1, 2, 5, 100]) {
      const whole = serializeMessage(type, { metrics, next_page_token: 'tok' });
      expect(await text(type, { metrics: pagesOf(metrics, size), next_page_token: 'tok' }, chunk)).toBe(
        whole,
      );
      expect(await text(type, { metrics: pagesOf(metrics, size) }, chunk)).toBe(
        serializeMessage(type, { metrics }),
      );
    }
  });

  it('omits an empty streamed list like an empty array', async () => {
    const type = 'mlflow.GetMetricHistory.Response';
    expect(await text(type, { metrics: pagesOf([], 3) })).toBe('{}');
    expect(await text(type, { metrics: pagesOf([], 3), next_page_token: 't' })).toBe(
      serializeMessage(type, { next_page_token: 't' }),
    );
  });

  it('streams repeated scalar fields and keeps the fields around them', async () => {
    const type = 'mlflow.SearchExperiments';
    const msg = { max_results: 5, order_by: ['a', 'b"\n', 'c'], filter: 'f' };
    const whole = serializeMessage(type, msg);
    expect(await text(type, { ...msg, order_by: pagesOf(msg.order_by, 1) }, 3)).toBe(whole);
  });

  it('passes a page error through', async () => {
    const failing = streamed(async function* () {
      yield [metrics[0]!];
      throw new Error('boom');
    });
    await expect(text('mlflow.GetMetricHistory.Response', { metrics: failing })).rejects.toThrow('boom');
  });
});
