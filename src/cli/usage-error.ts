/**
 * A command-line usage error, printed the way click prints it (`mlflow server` users see the
 * same text): with the "Usage:/Try" preamble unless `bare` (click omits it for some parse errors),
 * and exit status 2.
 */
export class UsageError extends Error {
  readonly bare: boolean;
  constructor(message: string, opts: { bare?: boolean } = {}) {
    super(message);
    this.name = 'UsageError';
    this.bare = opts.bare ?? false;
  }
}

export function formatUsageError(err: UsageError, command: string): string {
  const head = err.bare ? '' : `Usage: ${command} [OPTIONS]\nTry '${command} --help' for help.\n\n`;
  return `${head}Error: ${err.message}\n`;
}
