/**
 * The Content-Type MLflow sends an artifact with (mlflow.utils.mime_type_utils._guess_mime_type):
 * `text/plain` for its text extensions (and the MLmodel / mlproject file names), else Python's
 * mimetypes.guess_type (its built-in table overridden by the system's mime.types files, as Python
 * reads them), else `application/octet-stream`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { PY_DEFAULT_TYPES, PY_ENCODINGS, PY_KNOWN_MIME_FILES, PY_SUFFIX_MAP } from './mime-table.js';

const TEXT_EXTENSIONS = new Set([
  'txt',
  'log',
  'err',
  'cfg',
  'conf',
  'cnf',
  'cf',
  'ini',
  'properties',
  'prop',
  'hocon',
  'toml',
  'yaml',
  'yml',
  'xml',
  'json',
  'js',
  'py',
  'py3',
  'csv',
  'tsv',
  'md',
  'rst',
  'ipynb',
  'MLmodel',
  'mlproject',
]);

let table: Map<string, string> | undefined;

/** mimetypes.init(): the defaults, then each known mime.types file that exists. */
function typesMap(): Map<string, string> {
  if (table) return table;
  const map = new Map(Object.entries(PY_DEFAULT_TYPES));
  for (const file of PY_KNOWN_MIME_FILES) {
    if (!existsSync(file)) continue;
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const words = line.split(/\s+/).filter(Boolean);
      const hash = words.findIndex((w) => w.startsWith('#'));
      if (hash >= 0) words.length = hash;
      if (words.length < 2) continue;
      for (const suffix of words.slice(1)) map.set('.' + suffix, words[0]!);
    }
  }
  table = map;
  return map;
}

/** posixpath.splitext: a leading dot (or dots) of the name does not start an extension. */
function splitext(p: string): [string, string] {
  const slash = p.lastIndexOf('/');
  const dot = p.lastIndexOf('.');
  if (dot > slash) {
    let i = slash + 1;
    while (i < dot && p[i] === '.') i++;
    if (i < dot) return [p.slice(0, dot), p.slice(dot)];
  }
  return [p, ''];
}

/** mimetypes.guess_type(name) (strict) for a file name: [type, encoding]. */
export function pyGuessType(name: string): [string | undefined, string | undefined] {
  // urllib.parse._splittype: a leading "scheme:" is not part of the name looked up.
  const m = /^([^/:]+):(.*)$/s.exec(name);
  const url = m ? m[2]! : name;
  let [base, ext] = splitext(url);
  while (PY_SUFFIX_MAP[ext] !== undefined) [base, ext] = splitext(base + PY_SUFFIX_MAP[ext]);
  const encoding = PY_ENCODINGS[ext];
  if (encoding !== undefined) ext = splitext(base)[1];
  const map = typesMap();
  return [map.get(ext) ?? map.get(ext.toLowerCase()), encoding];
}

/** _guess_mime_type of a file path. */
export function guessMimeType(filePath: string): string {
  const name = filePath.slice(filePath.lastIndexOf('/') + 1);
  let extension = splitext(name)[1].replaceAll('.', '');
  if (extension === '') extension = name;
  if (TEXT_EXTENSIONS.has(extension)) return 'text/plain';
  return pyGuessType(name)[0] ?? 'application/octet-stream';
}
