/**
 * The native routes' body reader: the per-request limit (413), the shared budget of large bodies
 * held at once (503, so many large requests together cannot exhaust the heap), and refusals that
 * are answered only once the body has been read (the client, still sending, gets the answer).
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BodyBudget, BodyTooLarge } from '../../src/http/body-budget.js';
import { MlflowError } from '../../src/errors/mlflow-error.js';

const MiB = 1024 * 1024;

interface Outcome {
  err: Error | null;
  body?: Buffer;
}

/** Starts reading a body through the parser; returns the request object, the stream and the outcome. */
function read(budget: BodyBudget, headers: Record<string, string> = {}) {
  const request = { headers } as never;
  const payload = new PassThrough();
  let settled = false;
  const outcome = new Promise<Outcome>((resolve) =>
    budget.parser()(request, payload, (err, body) => {
      settled = true;
      resolve({ err, body: body as Buffer | undefined });
    }),
  );
  return { request: request as object, payload, outcome, settled: () => settled };
}

describe('BodyBudget', () => {
  it('hands over a body within the limit, whole', async () => {
    const b = new BodyBudget(4 * MiB, 60_000, 8 * MiB);
    const r = read(b);
    r.payload.write(Buffer.from('{"a":'));
    r.payload.end(Buffer.from('1}'));
    const { err, body } = await r.outcome;
    expect(err).toBeNull();
    expect(body!.toString()).toBe('{"a":1}');
    b.release(r.request);
    expect(b.reserved).toBe(0);
  });

  it('refuses a body over the limit with 413, only once it has been read', async () => {
    const b = new BodyBudget(2 * MiB, 60_000, 8 * MiB);
    const r = read(b);
    r.payload.write(Buffer.alloc(3 * MiB));
    await new Promise((res) => setImmediate(res));
    expect(r.settled()).toBe(false);
    r.payload.end(Buffer.alloc(10));
    const { err } = await r.outcome;
    expect(err).toBeInstanceOf(BodyTooLarge);
    expect((err as MlflowError).httpStatus).toBe(413);
    expect(b.reserved).toBe(0);
  });

  it('refuses a declared length over the limit without keeping any of it', async () => {
    const b = new BodyBudget(2 * MiB, 60_000, 8 * MiB);
    const r = read(b, { 'content-length': String(100 * MiB) });
    expect(b.reserved).toBe(0);
    r.payload.end(Buffer.alloc(MiB));
    expect((await r.outcome).err).toBeInstanceOf(BodyTooLarge);
  });

  it('answers 503 to a large body that would exceed the budget, and serves again once released', async () => {
    // Bodies past 1 MiB count what goes beyond it: 4 MiB each here, two do not fit in 6.
    const b = new BodyBudget(6 * MiB, 60_000, 6 * MiB);
    const first = read(b, { 'content-length': String(5 * MiB) });
    const second = read(b, { 'content-length': String(5 * MiB) });
    // Small bodies are never counted: normal traffic goes on while large ones fill the budget.
    const small = read(b, { 'content-length': '2' });
    small.payload.end(Buffer.from('{}'));
    expect((await small.outcome).err).toBeNull();
    first.payload.end(Buffer.alloc(5 * MiB));
    second.payload.end(Buffer.alloc(5 * MiB));
    expect((await first.outcome).err).toBeNull();
    const refused = (await second.outcome).err as MlflowError;
    expect(refused.errorCode).toBe('TEMPORARILY_UNAVAILABLE');
    expect(refused.httpStatus).toBe(503);
    expect(b.reserved).toBe(4 * MiB);
    b.release(first.request);
    expect(b.reserved).toBe(0);
    const third = read(b, { 'content-length': String(5 * MiB) });
    third.payload.end(Buffer.alloc(5 * MiB));
    expect((await third.outcome).err).toBeNull();
    b.release(third.request);
  });

  it('counts a body without a declared length as it arrives', async () => {
    const b = new BodyBudget(16 * MiB, 60_000, 4 * MiB);
    const r = read(b);
    for (let i = 0; i < 8; i++) r.payload.write(Buffer.alloc(MiB));
    r.payload.end();
    const err = (await r.outcome).err as MlflowError;
    expect(err.errorCode).toBe('TEMPORARILY_UNAVAILABLE');
    expect(b.reserved).toBe(0);
  });

  it('refuses a body shorter than its declared length', async () => {
    const b = new BodyBudget(MiB, 60_000, 8 * MiB);
    const r = read(b, { 'content-length': '10' });
    r.payload.end(Buffer.from('{}'));
    const { err } = await r.outcome;
    expect((err as { statusCode?: number }).statusCode).toBe(400);
  });
});
