import { describe, expect, it } from 'vitest';
import { Fernet, generateFernetKey, InvalidToken } from '../../src/stores/webhooks/fernet.js';

// The Fernet specification's "generate" vector (github.com/fernet/spec, generate.json).
const SPEC = {
  key: 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=',
  now: 499162800,
  iv: Buffer.from([...Array(16).keys()]),
  src: 'hello',
  token:
    'gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==',
};

describe('Fernet (the scheme of MLflow webhook secrets)', () => {
  it('produces the specification token for its key, time and IV', () => {
    expect(new Fernet(SPEC.key).encrypt(SPEC.src, SPEC.now, SPEC.iv)).toBe(SPEC.token);
  });

  it('decrypts the specification token, without a time-to-live check', () => {
    expect(new Fernet(SPEC.key).decrypt(SPEC.token)).toBe('hello');
  });

  it('round-trips non-ASCII text with a generated key', () => {
    const f = new Fernet(generateFernetKey());
    expect(f.decrypt(f.encrypt('sécret ✓'))).toBe('sécret ✓');
  });

  it('refuses a token of another key, a tampered token and garbage', () => {
    const f = new Fernet(SPEC.key);
    expect(() => new Fernet(generateFernetKey()).decrypt(SPEC.token)).toThrow(InvalidToken);
    const bytes = Buffer.from(SPEC.token, 'base64url');
    bytes[30] = bytes[30]! ^ 1;
    expect(() => f.decrypt(bytes.toString('base64url') + '==')).toThrow(InvalidToken);
    expect(() => f.decrypt('not a token')).toThrow(InvalidToken);
  });

  it("refuses malformed keys with cryptography's message", () => {
    for (const key of ['', 'short', SPEC.key.slice(0, -1), Buffer.alloc(31).toString('base64url') + '=']) {
      expect(() => new Fernet(key)).toThrow('Fernet key must be 32 url-safe base64-encoded bytes.');
    }
  });
});
