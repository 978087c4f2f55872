import { describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { guessMimeType } from '../../src/stores/artifacts/mime.js';
import { contentDispositionAttachment } from '../../src/services/artifacts/disposition.js';
import { PathDecodeError, posixNormpath, validatePathIsSafe } from '../../src/stores/artifacts/paths.js';

// Expected values from the pinned release on this platform (POSIX):
// mlflow.utils.uri.validate_path_is_safe (null: "Invalid path") and
// mlflow.utils.mime_type_utils._guess_mime_type.
const SAFE_PATHS: [string, string | null][] = [
  ['a/b.txt', 'a/b.txt'],
  ['../x', null],
  ['a/../b', null],
  ['%2e%2e/x', null],
  ['a%2F..%2Fb', null],
  ['%252e%252e/x', null],
  ['/etc/passwd', null],
  ['C:\\x', null],
  ['C:/x', null],
  ['c:x', 'c:x'],
  ['\\\\srv\\share\\x', null],
  ['file:///etc/passwd', null],
  ['file:rel/x', null],
  ['a#b', null],
  ['a%23b', null],
  ['a\u0001b', 'a%01b'],
  ['a%0Ab', 'ab'],
  ['  lead', 'lead'],
  ['Dir:Name/x', 'dir:Name/x'],
  ['..\\x', '..\\x'],
  ['a/./b', 'a/./b'],
  ['', ''],
  ['%', '%'],
  ['%zz', '%zz'],
  ['%E9t%C3%A9', '\ufffdt\u00e9'],
  ['a?b', 'a?b'],
  ['a;p/b', 'a;p/b'],
  ['%FF%FE', '\ufffd\ufffd'],
];

const MIME: [string, string][] = [
  ['a.html', 'text/html'],
  ['a.svg', 'image/svg+xml'],
  ['x.HTML', 'text/html'],
  ['MLmodel', 'text/plain'],
  ['MLproject', 'application/octet-stream'],
  ['a.TXT', 'text/plain'],
  ['noext', 'application/octet-stream'],
  ['.bashrc', 'application/octet-stream'],
  ['a.tar.gz', 'application/x-tar'],
  ['a.tgz', 'application/x-tar'],
  ['a.gz', 'application/octet-stream'],
  ['a.json', 'text/plain'],
  ['a.yaml', 'text/plain'],
  ['a.pkl', 'application/octet-stream'],
  ['a.png', 'image/png'],
  ['a.js', 'text/plain'],
  ['a.md', 'text/plain'],
  ['a.csv', 'text/plain'],
  ['a.parquet', 'application/octet-stream'],
  ['a.xml', 'text/plain'],
  ['x:y.html', 'text/html'],
  ['a.webp', 'image/webp'],
  ['a.pdf', 'application/pdf'],
  ['a.zip', 'application/zip'],
  ['a.tar.bz2', 'application/x-tar'],
  ['a.svgz', 'image/svg+xml'],
];

describe('validatePathIsSafe', () => {
  it.each(SAFE_PATHS)('%j', (input, expected) => {
    if (expected === null) {
      expect(() => validatePathIsSafe(input)).toThrow(MlflowError);
      expect(() => validatePathIsSafe(input)).toThrow('Invalid path');
    } else {
      expect(validatePathIsSafe(input)).toBe(expected);
    }
  });

  it('gives up like _decode after 10 rounds of decoding', () => {
    expect(() => validatePathIsSafe('%25'.repeat(1) + '2525252525252525252525252e')).toThrow(PathDecodeError);
  });
});

describe('guessMimeType', () => {
  it.each(MIME)('%s', (name, expected) => {
    expect(guessMimeType(`/tmp/d/${name}`)).toBe(expected);
  });
});

describe('contentDispositionAttachment', () => {
  it('quotes as werkzeug and adds filename* for non-ASCII names', () => {
    expect(contentDispositionAttachment('x.html')).toBe('attachment; filename=x.html');
    expect(contentDispositionAttachment('a b.txt')).toBe('attachment; filename="a b.txt"');
    expect(contentDispositionAttachment('q"\\.txt')).toBe('attachment; filename="q\\"\\\\.txt"');
    expect(contentDispositionAttachment('née.svg')).toBe(
      "attachment; filename=nee.svg; filename*=UTF-8''n%C3%A9e.svg",
    );
    expect(contentDispositionAttachment('日本語')).toBe(
      "attachment; filename=download; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E",
    );
  });
});

describe('posixNormpath', () => {
  it.each([
    ['a/./b', 'a/b'],
    ['a//b/', 'a/b'],
    ['../a', '../a'],
    ['/../a', '/a'],
    ['//a', '//a'],
    ['///a', '/a'],
    ['', '.'],
  ])('%j', (p, expected) => expect(posixNormpath(p)).toBe(expected));
});
