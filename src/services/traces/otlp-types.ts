/**
 * An OTLP trace export request as decoded (http/otlp-decode.ts): the fields of
 * opentelemetry.proto's messages with proto3 defaults, 64-bit integers as bigint, ids and bytes as
 * Buffers. At most one key of an AnyValue is present (its oneof); none is an unset value.
 */
export interface OtlpAnyValue {
  string_value?: string;
  bool_value?: boolean;
  int_value?: bigint;
  double_value?: number;
  array_value?: { values: OtlpAnyValue[] };
  kvlist_value?: { values: OtlpKeyValue[] };
  bytes_value?: Buffer;
}
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
export interface OtlpEvent {
  time_unix_nano: bigint;
  name: string;
  attributes: OtlpKeyValue[];
}
export interface OtlpLink {
  trace_id: Buffer;
  span_id: Buffer;
  trace_state: string;
  attributes: OtlpKeyValue[];
  flags: number;
}
export interface OtlpSpan {
  trace_id: Buffer;
  span_id: Buffer;
  trace_state: string;
  parent_span_id: Buffer;
  flags: number;
  name: string;
  kind: number;
  start_time_unix_nano: bigint;
  end_time_unix_nano: bigint;
  attributes: OtlpKeyValue[];
  events: OtlpEvent[];
  links: OtlpLink[];
  status: { message: string; code: number };
}
export interface OtlpResourceSpans {
  resource: { attributes: OtlpKeyValue[] };
  scope_spans: { spans: OtlpSpan[] }[];
}
