/**
 * POSIX `shlex.split` (whitespace splitting, '...' and "..." quoting, backslash escapes), which
 * MLflow applies to order_by clauses after replacing backticks with double quotes.
 */
export class ShlexError extends Error {}

export function shlexSplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inToken = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      if (inToken) out.push(cur);
      cur = '';
      inToken = false;
      i++;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new ShlexError('No closing quotation');
      cur += s.slice(i + 1, end);
      inToken = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw new ShlexError('No closing quotation');
        const d = s[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < s.length && '\\"$`\n'.includes(s[i + 1]!)) {
          cur += s[i + 1];
          i += 2;
          continue;
        }
        cur += d;
        i++;
      }
      inToken = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= s.length) throw new ShlexError('No escaped character');
      cur += s[i + 1];
      inToken = true;
      i += 2;
    } else {
      cur += c;
      inToken = true;
      i++;
    }
  }
  if (inToken) out.push(cur);
  return out;
}
