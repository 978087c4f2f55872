import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The pinned server's answer to a request its HTTP parser (uvicorn on h11) refuses, byte for byte
 * (no Date, no Server), after which it closes the connection. The front gives the same answer to
 * whatever Node's parser (llhttp) refuses and to what h11 refuses that llhttp lets through.
 */
export const INVALID_REQUEST_RESPONSE =
  'HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n' +
  'Invalid HTTP request received.';

/**
 * h11's request checks that llhttp does not make: an HTTP/1.1 request needs exactly one Host
 * (Node keeps the first of several, and with `requireHostHeader` off accepts none), and
 * Transfer-Encoding may only be a single `chunked` (llhttp also takes e.g. `gzip, chunked`).
 * Both parsers already agree on the request line (the target is 0x21-0x7E only), header names,
 * conflicting Content-Lengths and Content-Length with Transfer-Encoding.
 */
export function h11Refuses(req: IncomingMessage): boolean {
  const raw = req.rawHeaders;
  let hosts = 0;
  let encodings = 0;
  let encoding = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') hosts++;
    else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      encodings++;
      encoding = raw[i + 1]!;
    }
  }
  if (hosts > 1 || (hosts === 0 && req.httpVersion === '1.1')) return true;
  return encodings > 1 || (encodings === 1 && encoding.toLowerCase() !== 'chunked');
}

/** Answers like uvicorn and closes (the rest of the request, if any, is never read). */
export function refuseInvalidRequest(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writable) socket.end(INVALID_REQUEST_RESPONSE);
  else socket.destroy();
}

/**
 * Fastify's `clientErrorHandler`: Node's parser refused the bytes (a malformed request line or
 * header, a request head over 16 KiB, which h11 also refuses, ...). Timeouts are not parse errors:
 * uvicorn has none, and they keep Node's plain 408.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (err.code?.startsWith('HPE_')) return refuseInvalidRequest(socket);
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' && socket.writable) {
    socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    return;
  }
  socket.destroy();
}
