/**
 * A response a native handler sends as is instead of a serialized proto message: artifact bytes
 * (a stream, with the headers MLflow sends them with), or the non-MLflow-JSON answers of the
 * pinned server's FastAPI routes (`{"detail": ...}`) and Flask decorators (plain text). A handler
 * returns one, or throws one to answer early; the HTTP layer writes it without a serializer.
 */
import type { Readable } from 'node:stream';

export class RawReply {
  constructor(
    readonly status: number,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: Readable | Buffer | string | undefined,
    /**
     * Made outside every middleware of the pinned server (Starlette's answer to an unhandled
     * exception): sent without the security middleware's headers, as the child's would be.
     */
    readonly outsideMiddleware = false,
  ) {}

  /** FastAPI's HTTPException answer: `{"detail": "..."}`. */
  static detail(status: number, detail: string): RawReply {
    return new RawReply(
      status,
      { 'content-type': 'application/json' },
      Buffer.from(JSON.stringify({ detail })),
    );
  }

  /** Flask's `Response(text, status)` (mimetype text/html, as Flask defaults it). */
  static flaskText(status: number, text: string): RawReply {
    return new RawReply(status, { 'content-type': 'text/html; charset=utf-8' }, Buffer.from(text));
  }
}

/**
 * Thrown by a native handler that finds it cannot serve this request (an artifact location of a
 * scheme mlflow-ts has no backend for): the HTTP layer hands the request to the Python server
 * (or answers 501 in standalone mode). Only for bodiless requests, whose body was not consumed.
 */
export class NotNative extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'NotNative';
  }
}
