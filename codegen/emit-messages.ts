/** Emits src/gen/messages.ts: wire-shaped TS types of every message and enum. */
import { header, key, lit } from './header.js';
import type { FieldModel, Model } from './model.js';

function scalarTs(kind: string): string {
  switch (kind) {
    case 'string':
    case 'bytes': // base64 on the wire
      return 'string';
    case 'bool':
      return 'boolean';
    default:
      return 'number'; // every int and float kind; int64 too (MLflow writes int64 as JSON numbers)
  }
}

export function fieldTs(model: Model, f: FieldModel): string {
  if (f.kind === 'map') {
    const v =
      f.mapValue === 'message' || f.mapValue === 'enum' ? model.tsName(f.type!) : scalarTs(f.mapValue!);
    return `{ [key: string]: ${v} }`;
  }
  const t = f.kind === 'message' || f.kind === 'enum' ? model.tsName(f.type!) : scalarTs(f.kind);
  if (!f.repeated) return t;
  return /^[A-Za-z_]\w*$/.test(t) ? `${t}[]` : `(${t})[]`;
}

function fieldDoc(f: FieldModel): string | undefined {
  const notes: string[] = [];
  if (f.kind === 'int64' || f.kind === 'uint64') notes.push(f.kind);
  if (f.default !== undefined) notes.push(`default: ${String(f.default)}`);
  if (f.oneof) notes.push(`oneof ${f.oneof}`);
  if (f.required) notes.push('validate_required');
  return notes.length ? `  /** ${notes.join('; ')} */` : undefined;
}

export function emitMessages(model: Model, version: string): string {
  const out: string[] = [
    header(
      version,
      'Wire-shaped types: proto field names, int64 as number, enums as name unions, every field optional ' +
        '(absent = unset). Nested types are Outer_Inner; a type of another proto package is prefixed with ' +
        'its package (e.g. MlflowArtifacts_ListArtifacts) only where its bare name is taken by package mlflow.',
    ),
    'export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };',
    '',
  ];
  for (const e of model.enums) {
    out.push(`/** ${e.fullName} */`);
    const names = e.values.map((v) => lit(v.name));
    out.push(`export type ${e.tsName} = ${names.length ? names.join(' | ') : 'never'};`, '');
  }
  for (const m of model.messages) {
    out.push(`/** ${m.fullName} */`);
    if (!m.fields.length) {
      out.push(`export interface ${m.tsName} {}`, '');
      continue;
    }
    out.push(`export interface ${m.tsName} {`);
    for (const f of m.fields) {
      const doc = fieldDoc(f);
      if (doc) out.push(doc);
      out.push(`  ${key(f.name)}?: ${fieldTs(model, f)};`);
    }
    out.push('}', '');
  }
  out.push('/** Full proto name -> TS type, for code that is generic over RPCs. */');
  out.push('export interface MessageTypes {');
  for (const m of model.messages) out.push(`  ${lit(m.fullName)}: ${m.tsName};`);
  out.push('}', '');
  return out.join('\n');
}
