/**
 * A plain model of messages/fields/enums, built once from the descriptors and shared by the
 * emitters (so types, schemas and codec metadata cannot disagree).
 */
import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import type { Descriptors } from './descriptors.js';
import { buildTypeNames, jsonNameOf } from './naming.js';

export type ScalarKind =
  'string' | 'bytes' | 'bool' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'double' | 'float';
export type FieldKind = ScalarKind | 'enum' | 'message' | 'map';

export interface FieldModel {
  name: string;
  jsonName: string;
  number: number;
  kind: FieldKind;
  repeated: boolean;
  /** Full proto name of the message/enum type (for maps: of the value). */
  type?: string;
  mapKey?: ScalarKind;
  mapValue?: Exclude<FieldKind, 'map'>;
  default?: string | number | boolean;
  /** The `validate_required` option (documentation-level; handlers decide what is enforced). */
  required: boolean;
  oneof?: string;
}

export interface MessageModel {
  fullName: string;
  tsName: string;
  fields: FieldModel[];
}

export interface EnumModel {
  fullName: string;
  tsName: string;
  values: { name: string; number: number }[];
}

/** Well-known types: their proto JSON form is not an object of their fields. */
export const WKT_TS: Readonly<Record<string, string>> = {
  'google.protobuf.Timestamp': 'string',
  'google.protobuf.Duration': 'string',
  'google.protobuf.FieldMask': 'string',
  'google.protobuf.Struct': '{ [key: string]: JsonValue }',
  'google.protobuf.Value': 'JsonValue',
  'google.protobuf.ListValue': 'JsonValue[]',
  'google.protobuf.Any': '{ [key: string]: JsonValue }',
};

const SCALAR_KIND: Record<ScalarType, ScalarKind> = {
  [ScalarType.DOUBLE]: 'double',
  [ScalarType.FLOAT]: 'float',
  [ScalarType.INT64]: 'int64',
  [ScalarType.UINT64]: 'uint64',
  [ScalarType.INT32]: 'int32',
  [ScalarType.FIXED64]: 'uint64',
  [ScalarType.FIXED32]: 'uint32',
  [ScalarType.BOOL]: 'bool',
  [ScalarType.STRING]: 'string',
  [ScalarType.BYTES]: 'bytes',
  [ScalarType.UINT32]: 'uint32',
  [ScalarType.SFIXED32]: 'int32',
  [ScalarType.SFIXED64]: 'int64',
  [ScalarType.SINT32]: 'int32',
  [ScalarType.SINT64]: 'int64',
};

export interface Model {
  messages: MessageModel[];
  enums: EnumModel[];
  byName: Map<string, MessageModel>;
  enumByName: Map<string, EnumModel>;
  tsName(fullName: string): string;
}

function defaultOf(f: DescField): string | number | boolean | undefined {
  if (f.fieldKind === 'scalar') {
    const v = f.getDefaultValue();
    if (v === undefined) return undefined;
    if (typeof v === 'bigint') return Number(v);
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    return v;
  }
  if (f.fieldKind === 'enum') {
    const n = f.getDefaultValue();
    if (n === undefined) return undefined;
    return f.enum.values.find((e) => e.number === n)?.name;
  }
  return undefined;
}

function fieldModel(d: Descriptors, f: DescField): FieldModel {
  const base = {
    name: f.name,
    jsonName: f.proto.jsonName || jsonNameOf(f.name),
    number: f.number,
    required: d.validateRequired(f),
    ...(f.oneof ? { oneof: f.oneof.name } : {}),
  };
  const dflt = defaultOf(f);
  const withDefault = dflt === undefined ? {} : { default: dflt };
  switch (f.fieldKind) {
    case 'scalar':
      return { ...base, kind: SCALAR_KIND[f.scalar], repeated: false, ...withDefault };
    case 'enum':
      return { ...base, kind: 'enum', repeated: false, type: f.enum.typeName, ...withDefault };
    case 'message':
      return { ...base, kind: 'message', repeated: false, type: f.message.typeName };
    case 'list':
      if (f.listKind === 'scalar') return { ...base, kind: SCALAR_KIND[f.scalar], repeated: true };
      if (f.listKind === 'enum') return { ...base, kind: 'enum', repeated: true, type: f.enum.typeName };
      return { ...base, kind: 'message', repeated: true, type: f.message.typeName };
    case 'map': {
      const key = SCALAR_KIND[f.mapKey];
      if (f.mapKind === 'scalar')
        return { ...base, kind: 'map', repeated: false, mapKey: key, mapValue: SCALAR_KIND[f.scalar] };
      if (f.mapKind === 'enum')
        return {
          ...base,
          kind: 'map',
          repeated: false,
          mapKey: key,
          mapValue: 'enum',
          type: f.enum.typeName,
        };
      return {
        ...base,
        kind: 'map',
        repeated: false,
        mapKey: key,
        mapValue: 'message',
        type: f.message.typeName,
      };
    }
  }
}

export function buildModel(d: Descriptors): Model {
  const names = buildTypeNames([...d.messages, ...d.enums]);
  const tsName = (fullName: string): string => {
    const wkt = WKT_TS[fullName];
    if (wkt) return wkt;
    const n = names.get(fullName);
    if (!n) throw new Error(`no TS name for ${fullName}`);
    return n;
  };
  const messages = d.messages.map((m: DescMessage): MessageModel => ({
    fullName: m.typeName,
    tsName: tsName(m.typeName),
    // Field-number order: the order MLflow's printer emits keys in.
    fields: [...m.fields].sort((a, b) => a.number - b.number).map((f) => fieldModel(d, f)),
  }));
  const enums = d.enums.map((e): EnumModel => ({
    fullName: e.typeName,
    tsName: tsName(e.typeName),
    values: e.values.map((v) => ({ name: v.name, number: v.number })),
  }));
  for (const m of messages)
    for (const f of m.fields)
      if (f.type?.startsWith('google.protobuf.') && !WKT_TS[f.type]) {
        throw new Error(`${m.fullName}.${f.name}: unsupported well-known type ${f.type}`);
      }
  return {
    messages,
    enums,
    byName: new Map(messages.map((m) => [m.fullName, m])),
    enumByName: new Map(enums.map((e) => [e.fullName, e])),
    tsName,
  };
}
