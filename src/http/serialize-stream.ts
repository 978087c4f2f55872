/**
 * Incremental serialization of a response with streamed repeated fields (services/streamed.ts):
 * the same bytes `serializerFor(type)` writes for the whole message, produced as text chunks while
 * the field's pages are pulled. Fields are written in the compiled serializer's order; a field
 * that is not streamed is written by that serializer (on a message holding only that field), a
 * streamed field's items by the item type's compiled serializer, so nothing is re-implemented.
 */
import { MESSAGES, type FieldMeta } from '../gen/schemas.js';
import { StreamedList } from '../services/streamed.js';
import { serializerFor, type Serializer } from './serialize.js';

/** Bytes gathered before a chunk is handed on (the last chunk may be shorter). */
export const STREAM_CHUNK_BYTES = 64 * 1024;

/** Types serialized as JSON values rather than through a compiled message function. */
const AS_JSON = /^google\.protobuf\.(Timestamp|Duration|FieldMask|Struct|Value|ListValue|Any)$/;

/** Serializer of one element of a repeated field, byte-identical to the whole-message serializer. */
function itemSerializer(whole: Serializer, f: FieldMeta): Serializer {
  if (f.kind === 'message' && f.type && !AS_JSON.test(f.type)) return serializerFor(f.type);
  // Any other element kind: the whole-message serializer on a one-element list, unwrapped.
  const head = `{${JSON.stringify(f.name)}:[`.length;
  return (x) => whole({ [f.name]: [x] }).slice(head, -2);
}

/**
 * Writes strings as UTF-8 straight into fixed-size Buffers. Each item's text dies as soon as it
 * is copied: accumulating it in a string (a rope that lives for a whole chunk) makes V8 pretenure
 * those strings into the old generation, which then grows with the length of the response.
 */
class ChunkWriter {
  readonly ready: Buffer[] = [];
  private buf: Buffer;
  private pos = 0;

  constructor(private readonly size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  write(s: string): void {
    const max = s.length * 3;
    if (this.pos + max > this.buf.length) {
      this.flush();
      if (max > this.buf.length) {
        this.ready.push(Buffer.from(s, 'utf8'));
        return;
      }
    }
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  flush(): void {
    if (this.pos === 0) return;
    this.ready.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(this.size);
    this.pos = 0;
  }

  /** The finished chunks, handed over. */
  take(): Buffer[] {
    return this.ready.splice(0);
  }
}

/**
 * Yields `message` (wire-shaped, of proto type `type`) as UTF-8 JSON in chunks of about
 * `chunkBytes`. Each page of a streamed field is written out before the next await, so the page's
 * items do not outlive it. Errors of a streamed field's pages are thrown from the generator.
 */
export async function* serializeChunks(
  type: string,
  message: Record<string, unknown>,
  chunkBytes = STREAM_CHUNK_BYTES,
): AsyncGenerator<Buffer, void, undefined> {
  const meta = MESSAGES[type];
  if (!meta) throw new Error(`unknown message type ${type}`);
  const whole = serializerFor(type);
  const w = new ChunkWriter(chunkBytes);
  w.write('{');
  let sep = '';
  for (const f of meta.fields) {
    const v = message[f.name];
    if (v === undefined) continue;
    if (!(v instanceof StreamedList)) {
      const one = whole({ [f.name]: v });
      if (one.length > 2) {
        w.write(sep + one.slice(1, -1));
        sep = ',';
      }
      continue;
    }
    if (!f.repeated || f.kind === 'map') throw new Error(`${type}.${f.name} is not a repeated field`);
    const item = itemSerializer(whole, f);
    const open = `${JSON.stringify(f.name)}:[`;
    let opened = false;
    const pages = (v as StreamedList<unknown>)[Symbol.asyncIterator]();
    try {
      for (;;) {
        {
          const next = await pages.next();
          if (next.done) break;
          const page = next.value;
          for (let i = 0; i < page.length; i++) {
            if (opened) w.write(',');
            else {
              // Like the whole serializer, an empty list writes nothing, not even its key.
              w.write(sep + open);
              opened = true;
              sep = ',';
            }
            w.write(item(page[i]));
          }
        }
        for (const b of w.take()) yield b;
      }
    } finally {
      // Stopped early (client gone, error): let the page source release what it holds.
      await pages.return?.();
    }
    if (opened) w.write(']');
  }
  w.write('}');
  w.flush();
  for (const b of w.take()) yield b;
}
