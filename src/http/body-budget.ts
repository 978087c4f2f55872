/**
 * Request bodies of native routes: the per-request size limit (`--max-body-size`) and a budget of
 * body bytes held in memory at once across requests. A body is read whole, then decoded (text,
 * JSON, the request message) at a few times its size; the budget keeps the sum of large bodies
 * being handled well below the heap limit, so that many large requests at once are refused with
 * a 503 (MLflow clients retry it) instead of exhausting the heap and taking the process down.
 * Bodies up to SMALL_BODY bytes are never counted: normal traffic is always read.
 */
import { getHeapStatistics } from 'node:v8';
import type { FastifyRequest } from 'fastify';
import { MlflowError } from '../errors/mlflow-error.js';
import { relieveHeapSoon } from './heap-relief.js';

/** Default `--max-body-size`: above every body a valid native request needs (see docs/server.md). */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Default `--body-timeout`. */
export const DEFAULT_BODY_TIMEOUT_MS = 120_000;
const SMALL_BODY = 1024 * 1024;
/** Bodies from this size on leave enough garbage behind to be worth a collection once handled. */
const LARGE_BODY = 8 * 1024 * 1024;
/** Decoding costs a few times the body; the budget is this share of the heap limit. */
const HEAP_SHARE = 8;

/** 413: MLflow has no body limit of its own, so there is no MLflow code with this status. */
export class BodyTooLarge extends MlflowError {
  constructor(limit: number) {
    super(
      `Request body exceeds the server's limit of ${limit} bytes (mlflow-ts --max-body-size).`,
      'BAD_REQUEST',
    );
  }
  override get httpStatus(): number {
    return 413;
  }
}

/** 408: the body did not arrive in time; the connection is closed after the answer. */
export class BodyTimeout extends MlflowError {
  readonly closeConnection = true;
  constructor(ms: number) {
    super(
      `Request body not received within ${Math.round(ms / 1000)} s (mlflow-ts --body-timeout).`,
      'BAD_REQUEST',
    );
  }
  override get httpStatus(): number {
    return 408;
  }
}

export class BodyBudget {
  private inFlight = 0;
  private readonly held = new WeakMap<object, number>();

  constructor(
    readonly limit: number,
    /** The whole body must arrive within this many ms (slow-body clients hold a socket otherwise). */
    readonly timeoutMs: number,
    /** Bytes of large bodies held at once (default: a share of the heap limit, at least one body). */
    readonly budget = Math.max(limit, Math.floor(getHeapStatistics().heap_size_limit / HEAP_SHARE)),
  ) {}

  /** Bytes currently reserved (for tests and logs). */
  get reserved(): number {
    return this.inFlight;
  }

  /** Releases what `request`'s body held; call once its handling is over. */
  release(request: object): void {
    const n = this.held.get(request);
    if (n === undefined) return;
    this.held.delete(request);
    this.inFlight -= n;
    if (n + SMALL_BODY >= LARGE_BODY) relieveHeapSoon(() => this.inFlight === 0);
  }

  /**
   * A Fastify content-type parser (any type, raw bytes): reads the body while counting it against
   * the limit and the budget, and hands the handler a Buffer. A body refused for its size (413) or
   * for the budget (503) is read to its end and dropped before the answer is sent, so the client,
   * which is still sending, gets the answer instead of a reset connection; the body timeout still
   * bounds that (408, and the connection is closed).
   */
  parser(): (request: FastifyRequest, payload: NodeJS.ReadableStream, done: ParserDone) => void {
    return (request, payload, done) => {
      const declared = Number(request.headers['content-length']);
      const chunks: Buffer[] = [];
      let received = 0;
      let reserved = 0;
      let refusal: Error | undefined;
      let finished = false;
      const finish = (err: Error | null, body?: Buffer): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        payload.removeListener('data', onData);
        payload.removeListener('end', onEnd);
        payload.removeListener('error', onError);
        if (err) {
          this.inFlight -= reserved;
          reserved = 0;
          chunks.length = 0;
          // Whatever still comes is dropped (Fastify closes the connection after an error answer).
          payload.on('error', () => undefined);
          payload.resume();
        } else if (reserved > 0) {
          this.held.set(request, reserved);
        }
        done(err, body);
      };
      /** Stops keeping the body; the refusal is answered once the body has been read. */
      const refuse = (err: Error): void => {
        refusal = err;
        this.inFlight -= reserved;
        reserved = 0;
        chunks.length = 0;
      };
      // Reserve what goes beyond SMALL_BODY: up front when the length is declared, else as it comes.
      const reserveUpTo = (total: number): boolean => {
        const want = Math.max(0, total - SMALL_BODY) - reserved;
        if (want <= 0) return true;
        if (this.inFlight + want > this.budget) return false;
        this.inFlight += want;
        reserved += want;
        return true;
      };
      const busy = (): MlflowError =>
        new MlflowError(
          'The server is handling too many large requests at once. Retry shortly.',
          'TEMPORARILY_UNAVAILABLE',
        );
      const onData = (chunk: Buffer | string): void => {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        received += buf.length;
        if (refusal) return;
        if (received > this.limit) return refuse(new BodyTooLarge(this.limit));
        if (!reserveUpTo(received)) return refuse(busy());
        chunks.push(buf);
      };
      const onEnd = (): void => {
        if (refusal) return finish(refusal);
        if (Number.isFinite(declared) && received !== declared) {
          return finish(
            Object.assign(new Error('Request body size did not match Content-Length'), { statusCode: 400 }),
          );
        }
        finish(null, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
      };
      const onError = (err: Error): void => finish(Object.assign(err, { statusCode: 400 }));
      const timer = setTimeout(() => finish(new BodyTimeout(this.timeoutMs)), this.timeoutMs);
      if (declared > this.limit) refuse(new BodyTooLarge(this.limit));
      else if (Number.isFinite(declared) && !reserveUpTo(declared)) refuse(busy());
      payload.on('data', onData);
      payload.once('end', onEnd);
      payload.once('error', onError);
      payload.resume();
    };
  }
}

type ParserDone = (err: Error | null, body?: unknown) => void;
