/**
 * Fernet (cryptography.fernet), the scheme MLflow's `EncryptedString` column type stores webhook
 * secrets with: a url-safe base64 key of 32 bytes (first half signs with HMAC-SHA256, second half
 * encrypts with AES-128-CBC, PKCS#7); a token is url-safe base64 (padded) of
 * 0x80 | 64-bit big-endian seconds | 16-byte IV | ciphertext | HMAC over everything before it.
 * Same key, same tokens: either server reads what the other stored.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 0x80;
const KEY_ERROR = 'Fernet key must be 32 url-safe base64-encoded bytes.';

/** Python's non-validating `urlsafe_b64decode`: junk skipped, padding required (else undefined). */
function urlsafeB64decode(text: string): Buffer | undefined {
  const data = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .replace(/[^A-Za-z0-9+/=]/g, '');
  const body = data.replace(/=+$/, '');
  if (body.includes('=') || data.length % 4 !== 0) return undefined;
  return Buffer.from(body, 'base64');
}

function urlsafeB64encode(buf: Buffer): string {
  return buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** A new random key, as `Fernet.generate_key()` makes one. */
export function generateFernetKey(): string {
  return urlsafeB64encode(randomBytes(32));
}

/** Thrown for a token that is not ours (cryptography's InvalidToken). */
export class InvalidToken extends Error {
  constructor() {
    super('InvalidToken');
    this.name = 'InvalidToken';
  }
}

export class Fernet {
  private readonly signingKey: Buffer;
  private readonly encryptionKey: Buffer;

  /** Throws `Fernet key must be 32 url-safe base64-encoded bytes.` for a malformed key. */
  constructor(key: string) {
    const raw = urlsafeB64decode(key);
    if (raw === undefined || raw.length !== 32) throw new Error(KEY_ERROR);
    this.signingKey = raw.subarray(0, 16);
    this.encryptionKey = raw.subarray(16);
  }

  encrypt(plaintext: string, nowSeconds = Math.floor(Date.now() / 1000), iv = randomBytes(16)): string {
    const header = Buffer.alloc(9);
    header[0] = VERSION;
    header.writeBigUInt64BE(BigInt(nowSeconds), 1);
    const cipher = createCipheriv('aes-128-cbc', this.encryptionKey, iv);
    const body = Buffer.concat([header, iv, cipher.update(plaintext, 'utf8'), cipher.final()]);
    const mac = createHmac('sha256', this.signingKey).update(body).digest();
    return urlsafeB64encode(Buffer.concat([body, mac]));
  }

  /** No time-to-live check: MLflow decrypts without one. */
  decrypt(token: string): string {
    const data = urlsafeB64decode(token);
    if (data === undefined || data.length < 9 + 16 + 16 + 32 || data[0] !== VERSION) throw new InvalidToken();
    const body = data.subarray(0, data.length - 32);
    const mac = createHmac('sha256', this.signingKey).update(body).digest();
    if (!timingSafeEqual(mac, data.subarray(data.length - 32))) throw new InvalidToken();
    const ciphertext = body.subarray(25);
    if (ciphertext.length % 16 !== 0) throw new InvalidToken();
    try {
      const decipher = createDecipheriv('aes-128-cbc', this.encryptionKey, body.subarray(9, 25));
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new InvalidToken();
    }
  }
}
