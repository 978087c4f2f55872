/**
 * The Content-Disposition MLflow sends artifacts with (handlers._content_disposition_attachment):
 * always an attachment, so a stored HTML or SVG file is never rendered on the server's origin.
 */

const TOKEN_CHARS = /^[!#$%&'*+\-.0-9A-Z^_`a-z|~]+$/;

/** werkzeug.http.quote_header_value(value, allow_token=True) */
function quoteHeaderValue(value: string): string {
  if (!value) return '""';
  if (TOKEN_CHARS.test(value)) return value;
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** urllib.parse.quote(s, safe="!#$&+-.^_`|~") (letters, digits and `_.-~` are always safe). */
function pyQuote(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /^[A-Za-z0-9_.\-~!#$&+^`|]$/.test(ch)
      ? ch
      : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function contentDispositionAttachment(filename: string): string {
  return contentDisposition('attachment', filename, 'download');
}

/**
 * werkzeug's Content-Disposition of send_file (`inline` for Flask's static files): a non-ASCII
 * name also as `filename*`, its ASCII fold as `filename` (`fallback` when nothing is left of it).
 */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string, fallback = ''): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(filename)) return `${kind}; filename=${quoteHeaderValue(filename)}`;
  // eslint-disable-next-line no-control-regex
  const ascii = filename.normalize('NFKD').replace(/[^\x00-\x7f]/g, '') || fallback;
  return `${kind}; filename=${quoteHeaderValue(ascii)}; filename*=UTF-8''${pyQuote(filename)}`;
}
