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

  /** werkzeug's 400 page (a missing `request.args[...]` key). */
  static flask400(): RawReply {
    return RawReply.flaskText(400, FLASK_400);
  }

  /** werkzeug's 404 page (no route matched, or a missing static file). */
  static flask404(): RawReply {
    return RawReply.flaskText(404, FLASK_404);
  }

  /** Flask's 500 page (an exception its handler does not catch). */
  static flask500(): RawReply {
    return RawReply.flaskText(500, FLASK_500);
  }
}

/** werkzeug's error pages, byte for byte. */
export const FLASK_400 =
  '<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n' +
  '<p>The browser (or proxy) sent a request that this server could not understand.</p>\n';
export const FLASK_404 =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
  '<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n';
export const FLASK_500 =
  '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n' +
  '<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n';

/**
 * Thrown by a native handler that finds it cannot serve this request (an artifact location of a
 * scheme mlflow-ts has no backend for): the HTTP layer hands the request to the Python server
 * (or answers 501 in standalone mode). The request's body, read already, is sent on as it came
 * (the proxy replays the bytes the route read); nothing may have been written before.
 */
export class NotNative extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'NotNative';
  }
}
