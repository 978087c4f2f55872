/**
 * Webhook input checks of mlflow/utils/validation.py: `_validate_webhook_name`,
 * `_validate_webhook_url` (scheme allow-list, hostname, and unless private addresses are allowed,
 * every address the hostname resolves to must be public) and `_validate_webhook_events`.
 */
import { lookup } from 'node:dns/promises';
import { MlflowError } from '../../errors/mlflow-error.js';
import type { StoredWebhookEvent } from '../../stores/webhooks/entities.js';
import { reprStr } from '../../py/repr.js';
import { urlHostname } from '../../py/urlparse.js';
import { isPublicIp, pyIpStr } from './ip.js';
import type { WebhookOptions } from '../../stores/webhooks/options.js';

const NAME_RE = /^(?=.{1,63}$)[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/iu;

export function validateWebhookName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw MlflowError.invalidParameter(
      `Webhook name ${reprStr(name)} is invalid. It must start and end with a letter or digit, ` +
        'be less than 63 characters long, and contain only letters, digits, dots (.), ' +
        'underscores (_), and hyphens (-).',
    );
  }
}

export function validateWebhookEvents(events: readonly StoredWebhookEvent[]): void {
  // Only an empty list reaches here (each event was built already).
  if (events.length === 0) {
    throw MlflowError.invalidParameter(
      'Webhook events must be a non-empty list of WebhookEvent objects: [].',
    );
  }
}

/** `_HOSTNAME_RESOLUTION_TIMEOUT_SECONDS` */
const RESOLVE_TIMEOUT_MS = 5000;

/** socket.gaierror's text for the resolver's failure codes (glibc's EAI_* numbers). */
const GAI_ERRORS: Readonly<Record<string, string>> = {
  ENOTFOUND: '[Errno -2] Name or service not known',
  EAI_AGAIN: '[Errno -3] Temporary failure in name resolution',
  EAI_FAIL: '[Errno -4] Non-recoverable failure in name resolution',
  ENODATA: '[Errno -5] No address associated with hostname',
};

async function resolveAll(hostname: string, field: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          MlflowError.invalidParameter(
            `Timed out resolving ${field} hostname ${reprStr(hostname)} after ${RESOLVE_TIMEOUT_MS / 1000} seconds`,
          ),
        ),
      RESOLVE_TIMEOUT_MS,
    );
  });
  try {
    const addrs = await Promise.race([lookup(hostname, { all: true, verbatim: true }), timeout]);
    return addrs.map((a) => a.address);
  } catch (err) {
    if (err instanceof MlflowError) throw err;
    const code = (err as { code?: string }).code ?? '';
    const text = GAI_ERRORS[code] ?? (err as Error).message;
    throw MlflowError.invalidParameter(`Cannot resolve ${field} hostname ${reprStr(hostname)}: ${text}`);
  } finally {
    clearTimeout(timer);
  }
}

/** `_validate_hostname_resolves_to_public_ips` */
export async function validateResolvesToPublicIps(hostname: string, field: string): Promise<void> {
  for (const ip of await resolveAll(hostname, field)) {
    if (isPublicIp(ip) !== true) {
      throw MlflowError.invalidParameter(
        `${field} must not resolve to a non-public IP address. ${reprStr(hostname)} resolves to ${pyIpStr(ip)}.`,
      );
    }
  }
}

export async function validateWebhookUrl(url: string, opts: WebhookOptions): Promise<void> {
  if (url.trim() === '') {
    throw MlflowError.invalidParameter(`Webhook URL cannot be empty or just whitespace: ${reprStr(url)}`);
  }
  let parsed;
  try {
    parsed = urlHostname(url);
  } catch (err) {
    throw MlflowError.invalidParameter(
      `Invalid webhook URL ${reprStr(url)}: ValueError(${reprStr((err as Error).message)})`,
    );
  }
  if (!opts.allowedSchemes.includes(parsed.scheme)) {
    throw MlflowError.invalidParameter(
      `Invalid webhook URL scheme: ${reprStr(parsed.scheme)}. Allowed schemes are: ${opts.allowedSchemes.join(', ')}.`,
    );
  }
  if (!parsed.hostname)
    throw MlflowError.invalidParameter(`Webhook URL must include a hostname: ${reprStr(url)}`);
  if (!opts.allowPrivateIps) await validateResolvesToPublicIps(parsed.hostname, 'Webhook URL');
}
