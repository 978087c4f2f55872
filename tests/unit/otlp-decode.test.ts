/**
 * OTLP/HTTP trace bodies decoded as the pinned Python server decodes them. Every expectation below
 * was produced by the Python side on the same input (ExportTraceServiceRequest.ParseFromString, or
 * otel_api._convert_otlp_json_ids_to_base64 then json_format.Parse(ignore_unknown_fields=True)),
 * normalized by the same `compact`; 'invalid' is Python's 400, 'crash' an exception it lets through
 * (a 500). The recursion-limit cases at the end were measured against a running `mlflow server`.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeOtlpJson,
  decodeOtlpProtobuf,
  OtlpCrash,
  OtlpDecodeError,
} from '../../src/http/otlp-decode.js';

const ANY_KEYS = new Set([
  'string_value',
  'bool_value',
  'int_value',
  'double_value',
  'array_value',
  'kvlist_value',
  'bytes_value',
]);

/**
 * Comparable form: bigints as '12n', Buffers as 'hex:…', non-finite and negative-zero doubles as
 * strings, proto3 defaults left out ('' / 0 / 0n / empty bytes / [] / an empty status or resource;
 * never an AnyValue member, whose presence matters).
 */
function compact(v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (Buffer.isBuffer(v)) return 'hex:' + v.toString('hex');
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return Object.is(v, -0) ? '-0' : v;
  }
  if (Array.isArray(v)) return v.map(compact);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    const c = compact(x);
    const isDefault =
      c === '' || c === 0 || c === '0n' || c === 'hex:' || (Array.isArray(c) && c.length === 0);
    if (isDefault && !ANY_KEYS.has(k)) continue;
    if ((k === 'status' || k === 'resource') && Object.keys(c as object).length === 0) continue;
    out[k] = c;
  }
  return out;
}

function run(decode: (body: Buffer) => unknown, body: Buffer): unknown {
  try {
    return compact(decode(body));
  } catch (err) {
    if (err instanceof OtlpDecodeError) return 'invalid';
    if (err instanceof OtlpCrash) return 'crash';
    throw err;
  }
}

/** [what, body (hex for protobuf), what Python decodes it to] */
// prettier-ignore
const PB_CASES: [string, string, unknown][] = [
  ["a full span: every field, an event, a link, the status", "0abd020a190a150a0c736572766963652e6e616d6512050a037376631002128f020a0c0a0573636f70651203312e3012fb010a100102030405060708090a0b0c0d0e0f10120811121314151617181a036b3d762208191a1b1c1d1e1f202a0c726f6f74207370616e20c3a930023915cd853dfe9c97174100cac471fe9c97174a140a0b687474702e6d6574686f6412050a034745544a0b0a05636f756e741202180350015a31090065f753fe9c97171209657863657074696f6e1a1b0a11657863657074696f6e2e6d65737361676512060a04626f6f6d60026a3e0a10aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1208bbbbbbbbbbbbbbbb1a03783d7922160a096c696e6b2e6b696e6412090a07666f6c6c6f7773350100000070037a0a12066661696c656418028501010300001a01751a0e68747470733a2f2f736368656d61", [{"resource": {"attributes": [{"key": "service.name", "value": {"string_value": "svc"}}]}, "scope_spans": [{"spans": [{"trace_id": "hex:0102030405060708090a0b0c0d0e0f10", "span_id": "hex:1112131415161718", "trace_state": "k=v", "parent_span_id": "hex:191a1b1c1d1e1f20", "flags": 769, "name": "root span \u00e9", "kind": 2, "start_time_unix_nano": "1700000000123456789n", "end_time_unix_nano": "1700000001000000000n", "attributes": [{"key": "http.method", "value": {"string_value": "GET"}}, {"key": "count", "value": {"int_value": "3n"}}], "events": [{"time_unix_nano": "1700000000500000000n", "name": "exception", "attributes": [{"key": "exception.message", "value": {"string_value": "boom"}}]}], "links": [{"trace_id": "hex:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "span_id": "hex:bbbbbbbbbbbbbbbb", "trace_state": "x=y", "attributes": [{"key": "link.kind", "value": {"string_value": "follows"}}], "flags": 1}], "status": {"message": "failed", "code": 2}}]}]}]],
  ["every AnyValue kind, nested arrays and kvlists, an empty and an absent value", "0aea0112e70112e4014a130a03737472120c0a0a68c3a96c6c6f20e29c934a0a0a0474727565120210014a0b0a0566616c7365120210004a090a03696e741202182a4a130a06646f75626c65120921000000000000f83f4a110a047a65726f12092100000000000000004a0d0a05627974657312043a0200ff4a1d0a05617272617912142a120a0218010a0c2a0a0a080a066e65737465644a260a066b766c697374121c321a0a070a0161120210010a0f0a0162120a32080a060a04646565704a0f0a0b656d7074792076616c756512004a0a0a086e6f2076616c75654a0e0a08737472696e64657812024007", [{"scope_spans": [{"spans": [{"attributes": [{"key": "str", "value": {"string_value": "h\u00e9llo \u2713"}}, {"key": "true", "value": {"bool_value": true}}, {"key": "false", "value": {"bool_value": false}}, {"key": "int", "value": {"int_value": "42n"}}, {"key": "double", "value": {"double_value": 1.5}}, {"key": "zero", "value": {"double_value": 0.0}}, {"key": "bytes", "value": {"bytes_value": "hex:00ff"}}, {"key": "array", "value": {"array_value": {"values": [{"int_value": "1n"}, {"array_value": {"values": [{"string_value": "nested"}]}}]}}}, {"key": "kvlist", "value": {"kvlist_value": {"values": [{"key": "a", "value": {"bool_value": true}}, {"key": "b", "value": {"kvlist_value": {"values": [{"key": "deep"}]}}}]}}}, {"key": "empty value", "value": {}}, {"key": "no value"}, {"key": "strindex", "value": {"int_value": "7n"}}]}]}]}]],
  ["fixed64 times past 2^53 stay exact", "0a21121f121d39010000000000200041ffffffffffffffff5a09090300000000000080", [{"scope_spans": [{"spans": [{"start_time_unix_nano": "9007199254740993n", "end_time_unix_nano": "18446744073709551615n", "events": [{"time_unix_nano": "9223372036854775811n"}]}]}]}]],
  ["a negative int_value (a 10-byte varint)", "0a16121412124a100a016b120b18ffffffffffffffffff010a16121412124a100a016b120b1880808080808080808001", [{"scope_spans": [{"spans": [{"attributes": [{"key": "k", "value": {"int_value": "-1n"}}]}]}]}, {"scope_spans": [{"spans": [{"attributes": [{"key": "k", "value": {"int_value": "-9223372036854775808n"}}]}]}]}]],
  ["int_value keeps the low 64 bits of a 10-byte varint", "0a16121412124a100a016b120b188080808080808080807f", [{"scope_spans": [{"spans": [{"attributes": [{"key": "k", "value": {"int_value": "-9223372036854775808n"}}]}]}]}]],
  ["kind keeps any int32 (an unknown number, -1, the low 32 bits of a larger varint)", "0a061204120230070a0f120d120b30ffffffffffffffffff010a0a12081206308280808010", [{"scope_spans": [{"spans": [{"kind": 7}]}]}, {"scope_spans": [{"spans": [{"kind": -1}]}]}, {"scope_spans": [{"spans": [{"kind": 2}]}]}]],
  ["bool is any nonzero varint", "0a121210120e4a0c0a016b120710808080808020", [{"scope_spans": [{"spans": [{"attributes": [{"key": "k", "value": {"bool_value": true}}]}]}]}]],
  ["a singular message given twice is merged (status, resource, KeyValue.value)", "0a340a060a040a0272310a060a040a027232122212207a0512036d73677a0218024a130a016b12062a040a02180112062a040a021802", [{"resource": {"attributes": [{"key": "r1"}, {"key": "r2"}]}, "scope_spans": [{"spans": [{"attributes": [{"key": "k", "value": {"array_value": {"values": [{"int_value": "1n"}, {"int_value": "2n"}]}}}], "status": {"message": "msg", "code": 2}}]}]}]],
  ["oneof: the member set last wins, and a new member starts empty", "0a14121212104a0e0a016b12090a05666972737418050a1a121812164a140a016b120f2a040a0218010a01732a040a0218020a131211120f4a0d0a016b120840030a04746578740a131211120f4a0d0a016b12080a04746578744003", [{"scope_spans": [{"spans": [{"attributes": [{"key": "k", "value": {"int_value": "5n"}}]}]}]}, {"scope_spans": [{"spans": [{"attributes": [{"key": "k", "value": {"array_value": {"values": [{"int_value": "2n"}]}}}]}]}]}, {"scope_spans": [{"spans": [{"attributes": [{"key": "k", "value": {"string_value": "text"}}]}]}]}, {"scope_spans": [{"spans": [{"attributes": [{"key": "k", "value": {"int_value": "3n"}}]}]}]}]],
  ["unknown fields of every wire type, and known ones with another wire type, are skipped", "0a35123312312a046e616d6590030199030200000000000000a20302fffead0303000000b3030801bb03bc03b403280978013d01000000", [{"scope_spans": [{"spans": [{"name": "name"}]}]}]],
  ["a group may hold field 0 (upb skips it)", "0a0a12081206930300019403", [{"scope_spans": [{"spans": [{}]}]}]],
  ["an empty body is an empty request", "", []],
  ["a message at nesting level 100 is read", "0aec0112e90112e6014ae3010a016b12dd012ada010ad7012ad4010ad1012ace010acb012ac8010ac5012ac2010abf012abc010ab9012ab6010ab3012ab0010aad012aaa010aa7012aa4010aa1012a9e010a9b012a98010a95012a92010a8f012a8c010a89012a86010a83012a80010a7e2a7c0a7a2a780a762a740a722a700a6e2a6c0a6a2a680a662a640a622a600a5e2a5c0a5a2a580a562a540a522a500a4e2a4c0a4a2a480a462a440a422a400a3e2a3c0a3a2a380a362a340a322a300a2e2a2c0a2a2a280a262a240a222a200a1e2a1c0a1a2a180a162a140a122a100a0e2a0c0a0a2a080a062a040a022a00", [{"scope_spans": [{"spans": [{"attributes": [{"key": "k", "value": {"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}}]}]}]}]],
  ["level 101 is refused (upb depth limit)", "0aef0112ec0112e9014ae6010a016b12e0012add010ada012ad7010ad4012ad1010ace012acb010ac8012ac5010ac2012abf010abc012ab9010ab6012ab3010ab0012aad010aaa012aa7010aa4012aa1010a9e012a9b010a98012a95010a92012a8f010a8c012a89010a86012a83010a80012a7e0a7c2a7a0a782a760a742a720a702a6e0a6c2a6a0a682a660a642a620a602a5e0a5c2a5a0a582a560a542a520a502a4e0a4c2a4a0a482a460a442a420a402a3e0a3c2a3a0a382a360a342a320a302a2e0a2c2a2a0a282a260a242a220a202a1e0a1c2a1a0a182a160a142a120a102a0e0a0c2a0a0a082a060a042a020a00", "invalid"],
  ["a group at level 101 is refused too", "0aef0112ec0112e9014ae6010a016b12e0012add010ada012ad7010ad4012ad1010ace012acb010ac8012ac5010ac2012abf010abc012ab9010ab6012ab3010ab0012aad010aaa012aa7010aa4012aa1010a9e012a9b010a98012a95010a92012a8f010a8c012a89010a86012a83010a80012a7e0a7c2a7a0a782a760a742a720a702a6e0a6c2a6a0a682a660a642a620a602a5e0a5c2a5a0a582a560a542a520a502a4e0a4c2a4a0a482a460a442a420a402a3e0a3c2a3a0a382a360a342a320a302a2e0a2c2a2a0a282a260a242a220a202a1e0a1c2a1a0a182a160a142a120a102a0e0a0c2a0a0a082a060a042a024b4c", "invalid"],
  ["truncated input", "0a09120712052a036162", "invalid"],
  ["a length past the end of its message", "0a0d12051203390102000000000000", "invalid"],
  ["invalid UTF-8 in a string", "0a08120612042a02c328", "invalid"],
  ["an encoded surrogate is invalid UTF-8", "0a09120712052a03eda080", "invalid"],
  ["invalid UTF-8 in a field MLflow does not read (scope name)", "0a0712050a030a01ff", "invalid"],
  ["invalid UTF-8 in an unknown field is fine", "0a08120612049a0601ff", [{"scope_spans": [{"spans": [{}]}]}]],
  ["wire type 6", "0a06120412029603", "invalid"],
  ["a stray end-group tag", "0a06120412029403", "invalid"],
  ["a group closed by another field number", "0a081206120493039c03", "invalid"],
  ["field number 0", "0a06120412020001", "invalid"],
  ["a varint of 11 bytes", "0a11120f120d9003ffffffffffffffffffff01", "invalid"],
  ["a tag of 6 bytes", "0a0b12091207a8808080800001", "invalid"],
  ["a length of 6 bytes", "0a0c120a12082a81808080800061", "invalid"],
];
// prettier-ignore
const JSON_CASES: [string, string, unknown][] = [
  ["camelCase names with hex ids (OTLP JSON)", "{\"resourceSpans\": [{\"resource\": {\"attributes\": [{\"key\": \"service.name\", \"value\": {\"stringValue\": \"svc\"}}]}, \"scopeSpans\": [{\"scope\": {\"name\": \"s\"}, \"spans\": [{\"traceId\": \"5B8EFFF798038103D269B633813FC60C\", \"spanId\": \"eee19b7ec3c1b174\", \"parentSpanId\": \"\", \"traceState\": \"k=v\", \"flags\": 257, \"name\": \"op\", \"kind\": 2, \"startTimeUnixNano\": \"1700000000000000001\", \"endTimeUnixNano\": 1700000000000000002, \"attributes\": [{\"key\": \"a\", \"value\": {\"intValue\": \"7\"}}], \"droppedAttributesCount\": 1, \"events\": [{\"timeUnixNano\": \"5\", \"name\": \"ev\", \"attributes\": []}], \"links\": [{\"traceId\": \"00000000000000000000000000000000\", \"spanId\": \"0101010101010101\", \"traceState\": \"\", \"flags\": 1}], \"status\": {\"message\": \"ok\", \"code\": \"STATUS_CODE_OK\"}}]}]}]}", [{"resource": {"attributes": [{"key": "service.name", "value": {"string_value": "svc"}}]}, "scope_spans": [{"spans": [{"trace_id": "hex:5b8efff798038103d269b633813fc60c", "span_id": "hex:eee19b7ec3c1b174", "trace_state": "k=v", "flags": 257, "name": "op", "kind": 2, "start_time_unix_nano": "1700000000000000001n", "end_time_unix_nano": "1700000000000000002n", "attributes": [{"key": "a", "value": {"int_value": "7n"}}], "events": [{"time_unix_nano": "5n", "name": "ev"}], "links": [{"trace_id": "hex:00000000000000000000000000000000", "span_id": "hex:0101010101010101", "flags": 1}], "status": {"message": "ok", "code": 1}}]}]}]],
  ["snake_case names: ids are base64, not converted", "{\"resource_spans\": [{\"scope_spans\": [{\"spans\": [{\"trace_id\": \"W47/95gDgQPSabYzgT/GDA==\", \"span_id\": \"7uGbfsPBsXQ\", \"trace_state\": \"s\", \"start_time_unix_nano\": 5, \"attributes\": [{\"key\": \"b\", \"value\": {\"bool_value\": true}}], \"status\": {\"code\": 2}}]}]}]}", [{"scope_spans": [{"spans": [{"trace_id": "hex:5b8efff798038103d269b633813fc60c", "span_id": "hex:eee19b7ec3c1b174", "trace_state": "s", "start_time_unix_nano": "5n", "attributes": [{"key": "b", "value": {"bool_value": true}}], "status": {"code": 2}}]}]}]],
  ["hex ids: any case, ASCII whitespace between pairs (bytes.fromhex); an all-space id is empty", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\" 0A0b\\t0c \",\"spanId\":\"   \"}]}]}]}", [{"scope_spans": [{"spans": [{"trace_id": "hex:0a0b0c"}]}]}]],
  ["enums by name or number", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"kind\":\"SPAN_KIND_CLIENT\"},{\"kind\":4},{\"kind\":\"5\"},{\"kind\":1.9},{\"kind\":true},{\"kind\":-5},{\"status\":{\"code\":\"STATUS_CODE_ERROR\"}},{\"status\":{\"code\":1}}]}]}]}", [{"scope_spans": [{"spans": [{"kind": 3}, {"kind": 4}, {"kind": 5}, {"kind": 1}, {"kind": 1}, {"kind": -5}, {"status": {"code": 2}}, {"status": {"code": 1}}]}]}]],
  ["an unknown enum name is ignored; a number is cut to int32 as upb looks it up", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"kind\":\"SPAN_KIND_NOPE\"},{\"kind\":4294967297},{\"kind\":\"1.5\"},{\"kind\":NaN}]}]}]}", [{"scope_spans": [{"spans": [{}, {"kind": 1}, {}, {}]}]}]],
  ["an enum number beyond int32 that names no value", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"kind\":4294967295}]}]}]}", "invalid"],
  ["int64 as a number or a string, exact past 2^53", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k0\",\"value\":{\"intValue\":9007199254740993}},{\"key\":\"k1\",\"value\":{\"intValue\":\"9007199254740993\"}},{\"key\":\"k2\",\"value\":{\"intValue\":\"-9223372036854775808\"}},{\"key\":\"k3\",\"value\":{\"intValue\":1e3}},{\"key\":\"k4\",\"value\":{\"intValue\":\"1e3\"}},{\"key\":\"k5\",\"value\":{\"intValue\":\"\\t+1_000\\n\"}},{\"key\":\"k6\",\"value\":{\"intValue\":9007199254740993.0}}]}]}]}]}", [{"scope_spans": [{"spans": [{"attributes": [{"key": "k0", "value": {"int_value": "9007199254740993n"}}, {"key": "k1", "value": {"int_value": "9007199254740993n"}}, {"key": "k2", "value": {"int_value": "-9223372036854775808n"}}, {"key": "k3", "value": {"int_value": "1000n"}}, {"key": "k4", "value": {"int_value": "1000n"}}, {"key": "k5", "value": {"int_value": "1000n"}}, {"key": "k6", "value": {"int_value": "9007199254740992n"}}]}]}]}]],
  ["fixed64 as a number or a string, up to 2^64 - 1", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":18446744073709551615,\"endTimeUnixNano\":\"18446744073709551614\"}]}]}]}", [{"scope_spans": [{"spans": [{"start_time_unix_nano": "18446744073709551615n", "end_time_unix_nano": "18446744073709551614n"}]}]}]],
  ["an int64 out of range", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k0\",\"value\":{\"intValue\":9223372036854775808}}]}]}]}]}", "invalid"],
  ["doubles: numbers, ints, quoted NaN / Infinity, and a bool (float(True))", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k0\",\"value\":{\"doubleValue\":1.5}},{\"key\":\"k1\",\"value\":{\"doubleValue\":3}},{\"key\":\"k2\",\"value\":{\"doubleValue\":\"NaN\"}},{\"key\":\"k3\",\"value\":{\"doubleValue\":\"-Infinity\"}},{\"key\":\"k4\",\"value\":{\"doubleValue\":\"1e400\"}},{\"key\":\"k5\",\"value\":{\"doubleValue\":true}},{\"key\":\"k6\",\"value\":{\"doubleValue\":-0.0}}]}]}]}]}", [{"scope_spans": [{"spans": [{"attributes": [{"key": "k0", "value": {"double_value": 1.5}}, {"key": "k1", "value": {"double_value": 3.0}}, {"key": "k2", "value": {"double_value": "NaN"}}, {"key": "k3", "value": {"double_value": "-Infinity"}}, {"key": "k4", "value": {"double_value": "Infinity"}}, {"key": "k5", "value": {"double_value": 1.0}}, {"key": "k6", "value": {"double_value": "-0"}}]}]}]}]],
  ["bytes: standard or URL-safe base64, padded or not, other characters skipped", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k0\",\"value\":{\"bytesValue\":\"AAEC\"}},{\"key\":\"k1\",\"value\":{\"bytesValue\":\"_-8\"}},{\"key\":\"k2\",\"value\":{\"bytesValue\":\"+/8=\"}},{\"key\":\"k3\",\"value\":{\"bytesValue\":\"AB!!CD\"}},{\"key\":\"k4\",\"value\":{\"bytesValue\":\"AA==AA\"}}]}]}]}]}", [{"scope_spans": [{"spans": [{"attributes": [{"key": "k0", "value": {"bytes_value": "hex:000102"}}, {"key": "k1", "value": {"bytes_value": "hex:ffef"}}, {"key": "k2", "value": {"bytes_value": "hex:fbff"}}, {"key": "k3", "value": {"bytes_value": "hex:001083"}}, {"key": "k4", "value": {"bytes_value": "hex:00"}}]}]}]}]],
  ["bytes with one character too many", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k0\",\"value\":{\"bytesValue\":\"AAECA\"}}]}]}]}]}", "invalid"],
  ["null leaves a field unset", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":null,\"status\":null,\"attributes\":[{\"key\":\"k\",\"value\":null},{\"key\":\"j\",\"value\":{\"stringValue\":\"s\",\"intValue\":null}}]}]}]}]}", [{"scope_spans": [{"spans": [{"attributes": [{"key": "k"}, {"key": "j", "value": {"string_value": "s"}}]}]}]}]],
  ["the later of two names for one field wins", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"0102\",\"trace_id\":\"AQID\",\"name\":\"a\"},{\"trace_id\":\"AQID\",\"traceId\":\"0102\"}]}]}]}", [{"scope_spans": [{"spans": [{"trace_id": "hex:010203", "name": "a"}, {"trace_id": "hex:0102"}]}]}]],
  ["a repeated field given under both names: the later one", "{\"resourceSpans\":[{}],\"resource_spans\":[{},{}]}", [{}, {}]],
  ["a message given as a string or an unrelated list is empty", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"status\":\"x\",\"attributes\":[{\"key\":\"k\",\"value\":[\"foo\"]}]}]}]}]}", [{"scope_spans": [{"spans": [{"attributes": [{"key": "k", "value": {}}]}]}]}]],
  ["unknown keys are ignored", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"n\",\"nope\":{\"deep\":[1,2]},\"intValue\":5}]}]}]}", [{"scope_spans": [{"spans": [{"name": "n"}]}]}]],
  ["a bad hex id", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"zz\"}]}]}]}", "invalid"],
  ["an odd-length hex id", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"spanId\":\"abc\"}]}]}]}", "invalid"],
  ["a bad hex id in a link, even parentSpanId (converted, then ignored by Parse)", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"links\":[{\"parentSpanId\":\"xyz\"}]}]}]}]}", "invalid"],
  ["a string field given a number", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":5}]}]}]}", "invalid"],
  ["a repeated field given an object", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":{}}]}]}]}", "invalid"],
  ["null in a repeated field", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[null]}]}]}]}", "invalid"],
  ["a bool given as a string", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k0\",\"value\":{\"boolValue\":\"true\"}}]}]}]}]}", "invalid"],
  ["an int given a fraction", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k0\",\"value\":{\"intValue\":1.5}}]}]}]}]}", "invalid"],
  ["an int string with a space", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k0\",\"value\":{\"intValue\":\"1 \"}}]}]}]}]}", "invalid"],
  ["a uint32 given -1", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"flags\":-1}]}]}]}", "invalid"],
  ["a lone surrogate in a string", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k0\",\"value\":{\"stringValue\":\"\\ud800\"}}]}]}]}]}", "invalid"],
  ["two members of the oneof", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k0\",\"value\":{\"stringValue\":\"a\",\"intValue\":\"1\"}}]}]}]}]}", "invalid"],
  ["a NaN literal for a double", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k0\",\"value\":{\"doubleValue\":NaN}}]}]}]}]}", "invalid"],
  ["a key that looks like an extension", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"[ext.name]\":1}]}]}]}", "invalid"],
  ["invalid JSON", "{\"resourceSpans\":[", "invalid"],
  ["an int literal over 4300 digits", "{\"x\":11111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111}", "invalid"],
  ["a top-level list (AttributeError in the id conversion)", "[]", "crash"],
  ["resourceSpans null (TypeError)", "{\"resourceSpans\":null}", "crash"],
  ["links that are a number (TypeError)", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"links\":5}]}]}]}", "crash"],
  ["a span that is a string (AttributeError)", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[\"span\"]}]}]}", "crash"],
  ["a traceId that is a number (TypeError from bytes.fromhex)", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":5}]}]}]}", "crash"],
  ["falsy ids are left to Parse, which refuses a 0", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":0}]}]}]}", "invalid"],
  ["a message at nesting level 99 is read", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k0\",\"value\":{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"intValue\":1}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}}]}]}]}]}", [{"scope_spans": [{"spans": [{"attributes": [{"key": "k0", "value": {"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"array_value": {"values": [{"int_value": "1n"}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}}]}]}]}]],
  ["level 100 is refused (Parse max_recursion_depth)", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k0\",\"value\":{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"arrayValue\":\"x\"}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}}]}]}]}]}", "invalid"],
];
// prettier-ignore
const JSON_BYTES_CASES: [string, string, unknown][] = [
  ["UTF-8 with a BOM", "efbbbf7b227265736f757263655370616e73223a5b7b2273636f70655370616e73223a5b7b227370616e73223a5b7b226e616d65223a2278227d5d7d5d7d5d7d", [{"scope_spans": [{"spans": [{"name": "x"}]}]}]],
  ["UTF-16 with a BOM", "fffe7b0022007200650073006f0075007200630065005300700061006e00730022003a005b007b007d002c007b007d005d007d00", [{}, {}]],
  ["UTF-16-BE without a BOM (detected from the zero bytes)", "007b0022007200650073006f0075007200630065005300700061006e00730022003a005b007b007d002c007b007d005d007d", [{}, {}]],
  ["UTF-32-LE without a BOM", "7b000000220000007200000065000000730000006f000000750000007200000063000000650000005300000070000000610000006e00000073000000220000003a0000005b0000007b0000007d0000002c0000007b0000007d0000005d0000007d000000", [{}, {}]],
  ["an encoded surrogate (surrogatepass) in an unknown value is ignored", "7b227265736f757263655370616e73223a5b7b2273636f70655370616e73223a5b7b227370616e73223a5b7b226b223a22eda080222c226e616d65223a2278227d5d7d5d7d5d7d", [{"scope_spans": [{"spans": [{"name": "x"}]}]}]],
  ["a lone surrogate in an unknown key fails upb's field lookup", "7b227265736f757263655370616e73223a5b7b2273636f70655370616e73223a5b7b227370616e73223a5b7b226beda080223a317d5d7d5d7d5d7d", "invalid"],
  ["an encoded surrogate pair becomes one character (json.dumps then json.loads)", "7b227265736f757263655370616e73223a5b7b2273636f70655370616e73223a5b7b227370616e73223a5b7b226e616d65223a22eda0bdedb880227d5d7d5d7d5d7d", [{"scope_spans": [{"spans": [{"name": "\ud83d\ude00"}]}]}]],
  ["a lone encoded surrogate in a string field", "7b227265736f757263655370616e73223a5b7b2273636f70655370616e73223a5b7b227370616e73223a5b7b226e616d65223a22eda080227d5d7d5d7d5d7d", "invalid"],
  ["invalid UTF-8", "7b227265736f757263655370616e73223a5b7b2273636f70655370616e73223a5b7b227370616e73223a5b7b226e616d65223a22ff227d5d7d5d7d5d7d", "invalid"],
  ["odd-length UTF-16", "fffe7b0022007200650073006f0075007200630065005300700061006e00730022003a005b007b007d002c007b007d005d007d", "invalid"],
];

describe('decodeOtlpProtobuf (upb ParseFromString)', () => {
  it.each(PB_CASES)('%s', (_, hex, expected) => {
    expect(run(decodeOtlpProtobuf, Buffer.from(hex, 'hex'))).toEqual(expected);
  });

  it('returns proto3 defaults for what is absent', () => {
    const [rs] = decodeOtlpProtobuf(Buffer.from('0a04120212000a00', 'hex'));
    expect(rs!.resource).toEqual({ attributes: [] });
    const span = rs!.scope_spans[0]!.spans[0]!;
    expect(span.trace_id).toEqual(Buffer.alloc(0));
    expect(span).toMatchObject({
      name: '',
      kind: 0,
      flags: 0,
      start_time_unix_nano: 0n,
      attributes: [],
      events: [],
    });
    expect(span.status).toEqual({ message: '', code: 0 });
  });
});

describe('decodeOtlpJson (id conversion, then json_format.Parse)', () => {
  it.each(JSON_CASES)('%s', (_, text, expected) => {
    expect(run(decodeOtlpJson, Buffer.from(text))).toEqual(expected);
  });

  it.each(JSON_BYTES_CASES)('%s', (_, hex, expected) => {
    expect(run(decodeOtlpJson, Buffer.from(hex, 'hex'))).toEqual(expected);
  });

  it('keeps an int64 given as a JSON number past 2^53 exact', () => {
    const [rs] = decodeOtlpJson(Buffer.from(JSON_CASES.find(([d]) => d.startsWith('int64 as'))![1]));
    expect(rs!.scope_spans[0]!.spans[0]!.attributes[0]!.value!.int_value).toBe(9007199254740993n);
  });
});

describe('json.loads near the recursion limit (measured on the pinned server)', () => {
  /** `inner` inside `levels` nested containers (an object, then arrays). */
  const nest = (levels: number, inner: string): string =>
    '{"x":' + '['.repeat(levels - 1) + inner + ']'.repeat(levels - 1) + '}';
  it.each([
    ['977 levels decode', nest(977, ''), []],
    ['a 978th level is a RecursionError', nest(977, '[]'), 'crash'],
    [
      'an object at level 977 fails in Parse (its object_pairs_hook needs a frame)',
      nest(976, '{}'),
      'invalid',
    ],
    ['NaN at level 977 (parse_constant needs a frame)', nest(977, 'NaN'), 'crash'],
    ['NaN at level 976', nest(976, 'NaN'), []],
    ['a JSONDecodeError raised from C at level 975 cannot be built', nest(975, '1 2'), 'crash'],
    ['... at level 974 it can', nest(974, '1 2'), 'invalid'],
    ['"Expecting value" is raised at the top, at any depth', nest(977, 'tru'), 'invalid'],
    ['an error before the deep part decides', '{"x":1 2, "y":' + '['.repeat(990) + '}', 'invalid'],
  ])('%s', (_, text, expected) => {
    expect(run(decodeOtlpJson, Buffer.from(text))).toEqual(expected);
  });
});
