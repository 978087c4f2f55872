import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Set on requests that announced `Expect: 100-continue` (Node then leaves the 100 to us). */
const EXPECTS_CONTINUE = Symbol('mlflow-ts.expectsContinue');
type MarkedRequest = IncomingMessage & { [EXPECTS_CONTINUE]?: boolean };

/** Whether the client waits for a 100 Continue we have not sent yet (see below). */
export function expectsContinue(req: IncomingMessage): boolean {
  return (req as MarkedRequest)[EXPECTS_CONTINUE] === true;
}

/**
 * Requests Node would answer itself, or not hand to the app at all, are handed to the app like any
 * other, as uvicorn does:
 * - `Expect: 100-continue`: Node would send the 100 before anything is checked; the app sends it
 *   once the security middleware has let the request through (uvicorn sends it when the app first
 *   reads the body), so a refused upload is refused without inviting its body.
 * - any other expectation: h11 ignores it; Node would answer 417.
 * - CONNECT (authority-form target): Node hands over the socket; it is answered like any request
 *   (the security middleware, then Starlette's 404), then the connection is closed.
 */
export function handAllRequestsToApp(server: Server): void {
  server.on('checkContinue', (req: MarkedRequest, res: ServerResponse) => {
    req[EXPECTS_CONTINUE] = true;
    server.emit('request', req, res);
  });
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) =>
    server.emit('request', req, res),
  );
  server.on('connect', (req: IncomingMessage, duplex: Duplex) => {
    const socket = duplex as Socket;
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.once('finish', () => {
      res.detachSocket(socket);
      socket.end();
    });
    server.emit('request', req, res);
  });
}
