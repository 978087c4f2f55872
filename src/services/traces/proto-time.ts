/**
 * google.protobuf.Timestamp and Duration as protobuf's JSON writes them (Timestamp.ToJsonString,
 * Duration.ToJsonString), from the milliseconds MLflow stores (FromMilliseconds): a fraction of
 * 0 or 3 digits.
 */

/** '2024-05-01T10:00:00Z', or '2024-05-01T10:00:00.123Z'. */
export function timestampJson(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
}

/** '3s', '1.500s', '-0.250s'. */
export function durationJson(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  const seconds = Math.floor(abs / 1000);
  const millis = abs % 1000;
  return millis === 0 ? `${sign}${seconds}s` : `${sign}${seconds}.${String(millis).padStart(3, '0')}s`;
}

/** Timestamp.ToMilliseconds of protobuf's canonical JSON ('…T…[.fff…]Z'); unset reads as 0. */
export function timestampMillis(json: string | undefined): number {
  if (json === undefined) return 0;
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(json);
  if (!m) return 0;
  return Date.parse(`${m[1]}Z`) + Number((m[2] ?? '').padEnd(3, '0').slice(0, 3));
}

/** Duration.ToMilliseconds of protobuf's canonical JSON ('-1.500s'): nanos floor-divided, as Python. */
export function durationMillis(json: string): number {
  const m = /^(-?)(\d+)(?:\.(\d+))?s$/.exec(json);
  if (!m) return 0;
  const secs = Number(m[2]);
  const nanos = Number((m[3] ?? '').padEnd(9, '0'));
  return m[1] === '-' ? -secs * 1000 + Math.floor(-nanos / 1e6) : secs * 1000 + Math.floor(nanos / 1e6);
}
