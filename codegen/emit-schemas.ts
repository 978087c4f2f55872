/**
 * Emits src/gen/schemas.ts: field metadata per message (what the codec and serializer compile
 * from), enum values, and JSON Schemas per message (OpenAPI components; `$ref`s point at
 * `#/components/schemas/<TsName>`).
 */
import { header, key, lit } from './header.js';
import type { FieldModel, Model } from './model.js';
import { FIELD_RULES, type FieldRule } from './rules.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const WKT_SCHEMA: Record<string, Json> = {
  'google.protobuf.Timestamp': { type: 'string', format: 'date-time' },
  'google.protobuf.Duration': { type: 'string', description: 'seconds with an "s" suffix, e.g. "1.5s"' },
  'google.protobuf.FieldMask': { type: 'string', description: 'comma-separated field paths' },
  'google.protobuf.Struct': { type: 'object' },
  'google.protobuf.Value': {},
  'google.protobuf.ListValue': { type: 'array' },
  'google.protobuf.Any': { type: 'object' },
};

function scalarSchema(kind: string): { [k: string]: Json } {
  switch (kind) {
    case 'string':
      return { type: 'string' };
    case 'bytes':
      return { type: 'string', contentEncoding: 'base64' };
    case 'bool':
      return { type: 'boolean' };
    case 'int32':
      return { type: 'integer', format: 'int32' };
    case 'uint32':
      return { type: 'integer', format: 'int32', minimum: 0 };
    case 'int64':
      return { type: 'integer', format: 'int64' };
    case 'uint64':
      return { type: 'integer', format: 'int64', minimum: 0 };
    case 'float':
    case 'double':
      // proto JSON writes non-finite doubles as the strings NaN / Infinity / -Infinity.
      return { oneOf: [{ type: 'number' }, { type: 'string', enum: ['NaN', 'Infinity', '-Infinity'] }] };
    default:
      throw new Error(`unknown scalar kind ${kind}`);
  }
}

function refOrWkt(model: Model, type: string): Json {
  return WKT_SCHEMA[type] ?? { $ref: `#/components/schemas/${model.tsName(type)}` };
}

function valueSchema(model: Model, kind: string, type: string | undefined): Json {
  if (kind === 'message' || kind === 'enum') return refOrWkt(model, type!);
  return scalarSchema(kind);
}

function fieldSchema(model: Model, f: FieldModel, rule: FieldRule | undefined): Json {
  let s: { [k: string]: Json };
  if (f.kind === 'map') {
    s = { type: 'object', additionalProperties: valueSchema(model, f.mapValue!, f.type) };
  } else {
    const item = valueSchema(model, f.kind, f.type);
    s = f.repeated
      ? { type: 'array', items: item }
      : typeof item === 'object' && item && !Array.isArray(item)
        ? { ...item }
        : {};
  }
  if (s.$ref && f.default !== undefined) s = { allOf: [s] };
  if (f.default !== undefined) s.default = f.default;
  if (rule?.maxLength !== undefined) s.maxLength = rule.maxLength;
  if (rule?.minimum !== undefined) s.minimum = rule.minimum;
  if (rule?.maximum !== undefined) s.maximum = rule.maximum;
  if (rule?.maxItems !== undefined) s.maxItems = rule.maxItems;
  if (rule?.note) s.description = rule.note;
  return s;
}

/** Stable, compact JSON rendering (keys in insertion order, which is deterministic here). */
function render(v: Json): string {
  return JSON.stringify(v);
}

export function emitSchemas(model: Model, version: string): string {
  const out: string[] = [
    header(version, 'Field metadata, enum values and JSON Schemas of every message.'),
    'export type FieldKind =',
    "  | 'string' | 'bytes' | 'bool' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'double' | 'float'",
    "  | 'enum' | 'message' | 'map';",
    '',
    'export interface FieldMeta {',
    '  /** proto field name (the wire name MLflow reads and writes). */',
    '  name: string;',
    '  /** lowerCamelCase name ParseDict also accepts on input. */',
    '  jsonName: string;',
    '  number: number;',
    '  kind: FieldKind;',
    '  repeated?: true;',
    '  /** Full proto name of the message/enum (for maps: of the value). */',
    '  type?: string;',
    '  mapKey?: FieldKind;',
    '  mapValue?: FieldKind;',
    '  /** proto2 default (what MLflow reads for an unset field). */',
    '  default?: string | number | boolean;',
    '  /** The `validate_required` proto option. */',
    '  required?: true;',
    '  oneof?: string;',
    '  maxLength?: number;',
    '  minimum?: number;',
    '  maximum?: number;',
    '  maxItems?: number;',
    '}',
    '',
    'export interface MessageMeta {',
    '  tsName: string;',
    '  /** In field-number order (MLflow emits JSON keys in this order). */',
    '  fields: readonly FieldMeta[];',
    '}',
    '',
    '/** Full enum name -> value name -> number. */',
    'export const ENUMS: Readonly<Record<string, Readonly<Record<string, number>>>> = {',
  ];
  for (const e of model.enums) {
    out.push(`  ${lit(e.fullName)}: { ${e.values.map((v) => `${key(v.name)}: ${v.number}`).join(', ')} },`);
  }
  out.push('};', '');
  out.push('/** Full message name -> metadata. */');
  out.push('export const MESSAGES: Readonly<Record<string, MessageMeta>> = {');
  for (const m of model.messages) {
    const rules = FIELD_RULES[m.fullName] ?? {};
    out.push(`  ${lit(m.fullName)}: {`);
    out.push(`    tsName: ${lit(m.tsName)},`);
    out.push('    fields: [');
    for (const f of m.fields) {
      const parts = [
        `name: ${lit(f.name)}`,
        `jsonName: ${lit(f.jsonName)}`,
        `number: ${f.number}`,
        `kind: ${lit(f.kind)}`,
      ];
      if (f.repeated) parts.push('repeated: true');
      if (f.type) parts.push(`type: ${lit(f.type)}`);
      if (f.mapKey) parts.push(`mapKey: ${lit(f.mapKey)}`);
      if (f.mapValue) parts.push(`mapValue: ${lit(f.mapValue)}`);
      if (f.default !== undefined)
        parts.push(`default: ${typeof f.default === 'string' ? lit(f.default) : String(f.default)}`);
      if (f.required) parts.push('required: true');
      if (f.oneof) parts.push(`oneof: ${lit(f.oneof)}`);
      const r = rules[f.name];
      for (const k of ['maxLength', 'minimum', 'maximum', 'maxItems'] as const) {
        if (r?.[k] !== undefined) parts.push(`${k}: ${r[k]}`);
      }
      out.push(`      { ${parts.join(', ')} },`);
    }
    out.push('    ],');
    out.push('  },');
  }
  for (const [msg, rules] of Object.entries(FIELD_RULES)) {
    const m = model.byName.get(msg);
    if (!m) throw new Error(`codegen/rules.ts names an unknown message ${msg}`);
    for (const f of Object.keys(rules))
      if (!m.fields.some((x) => x.name === f))
        throw new Error(`codegen/rules.ts names an unknown field ${msg}.${f}`);
  }
  out.push('};', '');

  out.push(
    '/** TS type name -> JSON Schema (OpenAPI 3.1 components; `$ref`s are `#/components/schemas/<name>`). */',
  );
  out.push('export const JSON_SCHEMAS: Readonly<Record<string, object>> = {');
  for (const e of model.enums) {
    out.push(
      `  ${key(e.tsName)}: ${render({ type: 'string', enum: e.values.map((v) => v.name), description: e.fullName })},`,
    );
  }
  for (const m of model.messages) {
    const rules = FIELD_RULES[m.fullName] ?? {};
    const props: { [k: string]: Json } = {};
    for (const f of m.fields) props[f.name] = fieldSchema(model, f, rules[f.name]);
    const schema: { [k: string]: Json } = { type: 'object', description: m.fullName, properties: props };
    out.push(`  ${key(m.tsName)}: ${render(schema)},`);
  }
  out.push('};', '');
  return out.join('\n');
}
