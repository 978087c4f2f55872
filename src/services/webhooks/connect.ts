/**
 * Outbound connections for webhook delivery with MLflow's connect-time SSRF check
 * (mlflow/webhooks/ssrf.py): the peer address of the connected TCP socket must be public, checked
 * after connect() and before any byte (or TLS handshake) is sent, so a hostname that resolved to a
 * public address when the URL was validated cannot be re-pointed at a private one in between.
 * MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS turns the check off.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { reprStr } from '../../py/repr.js';
import { isPublicIp, pyIpStr } from './ip.js';

/** A refused peer: never retried (MLflow's SSRFProtectionError is no urllib3 error). */
export class SsrfProtectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SSRFProtectionError';
  }
  get pyRepr(): string {
    return `SSRFProtectionError(${reprStr(this.message)})`;
  }
}

/** A failed connection attempt (urllib3's NewConnectionError / ConnectTimeoutError / NameResolutionError). */
export class ConnectFailure extends Error {
  constructor(
    readonly kind: 'new-connection' | 'connect-timeout' | 'name-resolution',
    message: string,
  ) {
    super(message);
    this.name = 'ConnectFailure';
  }
}

/** Linux errno numbers and texts as Python prints an OSError. */
const ERRNO: Readonly<Record<string, string>> = {
  ECONNREFUSED: '[Errno 111] Connection refused',
  EHOSTUNREACH: '[Errno 113] No route to host',
  ENETUNREACH: '[Errno 101] Network is unreachable',
  ECONNRESET: '[Errno 104] Connection reset by peer',
  ETIMEDOUT: '[Errno 110] Connection timed out',
  EADDRNOTAVAIL: '[Errno 99] Cannot assign requested address',
};
const GAI: Readonly<Record<string, string>> = {
  ENOTFOUND: '[Errno -2] Name or service not known',
  EAI_AGAIN: '[Errno -3] Temporary failure in name resolution',
  ENODATA: '[Errno -5] No address associated with hostname',
};

export function errnoText(err: unknown): string {
  const code = (err as { code?: string }).code ?? '';
  return ERRNO[code] ?? GAI[code] ?? (err as Error).message;
}

export interface ConnectTarget {
  https: boolean;
  hostname: string;
  port: number;
  allowPrivateIps: boolean;
  timeoutMs: number;
}

/** Opens a connection to the target, checks its peer, then (https) starts TLS on it. */
export function connectChecked(t: ConnectTarget): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const host = t.hostname.replace(/^\[|\]$/g, '');
    const sock = netConnect({ host, port: t.port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new ConnectFailure('connect-timeout', `timed out. (connect timeout=${t.timeoutMs / 1000})`));
    }, t.timeoutMs);
    sock.once('error', (err) => {
      clearTimeout(timer);
      const code = (err as { code?: string }).code ?? '';
      reject(new ConnectFailure(code in GAI ? 'name-resolution' : 'new-connection', errnoText(err)));
    });
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      if (!t.allowPrivateIps) {
        const peer = sock.remoteAddress;
        const ok = peer === undefined ? undefined : isPublicIp(peer);
        if (ok !== true) {
          sock.destroy();
          reject(
            new SsrfProtectionError(
              peer === undefined
                ? 'Could not determine webhook connection peer address'
                : ok === undefined
                  ? `Webhook connection resolved to an invalid IP address: ${reprStr(peer)}`
                  : `Webhook connection blocked: ${pyIpStr(peer)} is not a public IP address. ` +
                    'This may indicate a DNS rebinding attempt.',
            ),
          );
          return;
        }
      }
      if (!t.https) {
        resolve(sock);
        return;
      }
      const tlsSock = tlsConnect({
        socket: sock,
        ...(isIP(host) ? {} : { servername: host }),
        ALPNProtocols: ['http/1.1'],
      });
      resolve(tlsSock);
    });
  });
}
