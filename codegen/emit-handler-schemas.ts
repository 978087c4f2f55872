/**
 * Emits src/gen/handler-schemas.ts: per request message, the validation schema its handler in
 * the pinned mlflow/server/handlers.py passes to `_get_request_message` (parameters in order,
 * validators in order), as extracted by extract_handler_schemas.py.
 */
import { header, lit } from './header.js';

type Spec = string | { op: string; [k: string]: unknown };
export type HandlerSchemas = Record<string, [string, Spec[]][] | null>;

function spec(s: Spec): string {
  if (typeof s === 'string') return lit(s);
  const keys = Object.keys(s).sort();
  return `{ ${keys.map((k) => `${k}: ${typeof s[k] === 'string' ? lit(s[k] as string) : JSON.stringify(s[k])}`).join(', ')} }`;
}

export function emitHandlerSchemas(
  schemas: HandlerSchemas,
  knownTypes: ReadonlySet<string>,
  version: string,
): string {
  const out: string[] = [
    header(
      version,
      "Per-handler request validation schemas, from mlflow/server/handlers.py's `_get_request_message` calls.",
    ),
    '/**',
    ' * A validator: the name of a handlers.py function (`_assert_string`, ...) or a described lambda:',
    ' * `int_at_most` (int(x) <= max), `len_at_most` (len(x) <= max, message with {n} = len(x)),',
    ' * `int_within` (min <= int(x) <= max, message), `unsupported` (anything else; `source` says what).',
    ' */',
    'export type ValidatorSpec =',
    '  | string',
    "  | { op: 'int_at_most'; max: number }",
    "  | { op: 'len_at_most'; max: number; message?: string }",
    "  | { op: 'int_within'; min: number; max: number; message?: string }",
    "  | { op: 'unsupported'; source: string };",
    '',
    '/** Request message full name -> [parameter, validators] in handler order; null if two handlers disagree. */',
    'export const HANDLER_SCHEMAS: Readonly<Record<string, readonly (readonly [string, readonly ValidatorSpec[]])[] | null>> = {',
  ];
  for (const name of Object.keys(schemas).sort()) {
    if (!knownTypes.has(name)) throw new Error(`handler schema for unknown message ${name}`);
    const params = schemas[name];
    if (params === null || params === undefined) {
      out.push(`  ${lit(name)}: null,`);
      continue;
    }
    if (!params.length) {
      out.push(`  ${lit(name)}: [],`);
      continue;
    }
    out.push(`  ${lit(name)}: [`);
    for (const [param, validators] of params)
      out.push(`    [${lit(param)}, [${validators.map(spec).join(', ')}]],`);
    out.push('  ],');
  }
  out.push('};', '');
  return out.join('\n');
}
