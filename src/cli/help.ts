import type { OptionSpec } from './server-options.js';

function wrap(text: string, width: number, indent: number): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + 1 + w.length > width - indent) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
}

function optionHead(spec: OptionSpec): string {
  const names = [spec.long];
  if (spec.kind.type === 'bool-pair') names[0] = `${spec.long} / ${spec.kind.negative}`;
  if (spec.short) names.push(spec.short);
  let head = names.join(', ');
  const kind = spec.kind;
  if (kind.type === 'int') head += ' INTEGER';
  else if (kind.type === 'choice') head += ` [${kind.choices.join('|')}]`;
  else if (kind.type === 'string' || kind.type === 'existing-file') head += ` ${spec.metavar ?? 'TEXT'}`;
  return head;
}

export function serverHelp(specs: readonly OptionSpec[], command: string): string {
  const out: string[] = [
    `Usage: ${command} [OPTIONS]`,
    '',
    '  Run the MLflow tracking server (UI + REST API): a drop-in for `mlflow server`.',
    '  Routes implemented in TypeScript are served natively; every other route is',
    '  streamed to a Python `mlflow server` child (found via --python, python3 on PATH',
    '  or ./.venv), or answers 501 NOT_IMPLEMENTED in standalone mode (--no-python).',
    '',
    'Options:',
  ];
  const render = (spec: OptionSpec): void => {
    out.push(`  ${optionHead(spec)}`);
    let help = spec.help;
    if (spec.env) help += ` [env: ${spec.env}]`;
    if (spec.default !== undefined && spec.kind.type !== 'flag')
      help += ` [default: ${String(spec.default)}]`;
    for (const line of wrap(help, 100, 8)) out.push(`        ${line}`);
  };
  specs.filter((s) => !s.ours).forEach(render);
  out.push('', 'mlflow-ts options:');
  specs.filter((s) => s.ours).forEach(render);
  out.push('  --help', '        Show this message and exit.', '');
  return out.join('\n');
}

export const TOP_HELP = `Usage: mlflow-ts [OPTIONS] COMMAND [ARGS]...

  mlflow-ts: a drop-in, faster MLflow tracking server.

Options:
  --env-file PATH  Load environment variables from a dotenv file before executing
                   the command (variables already set are not overridden).
  --version        Show the version and exit.
  --help           Show this message and exit.

Commands:
  server     Run the MLflow tracking server (UI + REST API).
  ui         Alias of server.
  endpoints  List every endpoint and whether it is served natively or proxied.
  openapi    Print the OpenAPI document of the REST API.
`;
