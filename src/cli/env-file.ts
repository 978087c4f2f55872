import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

/** Parses dotenv text: `KEY=value`, optional `export `, quotes, `#` comments. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    const q = value[0];
    if ((q === '"' || q === "'") && value.lastIndexOf(q) > 0) {
      value = value.slice(1, value.lastIndexOf(q));
      if (q === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    out[m[1]!] = value;
  }
  return out;
}

/**
 * `--env-file`: loads variables into `env` without overriding ones already set, as
 * `mlflow --env-file` does; a missing file is a usage error of the top-level command.
 */
export function loadEnvFile(path: string, env: Record<string, string | undefined>): void {
  if (!existsSync(path)) {
    throw new UsageError(`Invalid value for '--env-file': Environment file '${path}' does not exist.`);
  }
  for (const [k, v] of Object.entries(parseDotenv(readFileSync(path, 'utf8')))) {
    if (env[k] === undefined) env[k] = v;
  }
}
