import { readFileSync } from 'node:fs';
import { endpointsCommand } from './commands/endpoints.js';
import { openapiCommand } from './commands/openapi.js';
import { loadEnvFile } from './env-file.js';
import { TOP_HELP } from './help.js';
import { serverCommand } from './server-command.js';
import { UsageError, formatUsageError } from './usage-error.js';

function ownVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

/**
 * `mlflow-ts [--env-file F] COMMAND ...`. The only place the process environment is read:
 * everything below receives the values it needs.
 */
export async function main(argv: string[]): Promise<void> {
  // `mlflow-ts endpoints | head`: a closed pipe ends the listing quietly, as a Unix tool does.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const env: Record<string, string | undefined> = { ...process.env };
  let envFile: string | undefined;
  let i = 0;
  let command = 'mlflow-ts';
  try {
    for (; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '--env-file' || a.startsWith('--env-file=')) {
        envFile = a.includes('=') ? a.slice('--env-file='.length) : argv[++i];
        if (envFile === undefined)
          throw new UsageError("Option '--env-file' requires an argument.", { bare: true });
        loadEnvFile(envFile, env);
        process.stdout.write(`Loaded environment variables from: ${envFile}\n`);
      } else if (a === '--version') {
        process.stdout.write(`mlflow-ts, version ${ownVersion()}\n`);
        return;
      } else if (a === '--help') {
        process.stdout.write(TOP_HELP);
        return;
      } else if (a.startsWith('-')) {
        throw new UsageError(`No such option '${a}'.`);
      } else break;
    }
    const sub = argv[i];
    const rest = argv.slice(i + 1);
    switch (sub) {
      case undefined:
        process.stdout.write(TOP_HELP);
        return;
      case 'server':
      case 'ui':
        command = 'mlflow-ts server';
        await serverCommand(rest, env, { envFile, command });
        return;
      case 'endpoints':
        await endpointsCommand(rest);
        return;
      case 'openapi':
        await openapiCommand(rest);
        return;
      default:
        throw new UsageError(`No such command '${sub}'.`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(formatUsageError(err, command === 'mlflow-ts' ? 'mlflow-ts' : command));
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}
