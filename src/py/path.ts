/** Python's POSIX path helpers (posixpath, pathlib) where node's path module answers differently. */

/** posixpath.normpath */
export function normpath(path: string): string {
  if (path === '') return '.';
  const initial = path.startsWith('/') ? (path.startsWith('//') && !path.startsWith('///') ? 2 : 1) : 0;
  const out: string[] = [];
  for (const comp of path.split('/')) {
    if (comp === '' || comp === '.') continue;
    if (
      comp !== '..' ||
      (initial === 0 && out.length === 0) ||
      (out.length > 0 && out[out.length - 1] === '..')
    ) {
      out.push(comp);
    } else if (out.length > 0) {
      out.pop();
    }
  }
  const joined = '/'.repeat(initial) + out.join('/');
  return joined || '.';
}

/** posixpath.join for two parts (no normalization, unlike node's path.posix.join). */
export function posixJoin(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  if (a === '' || a.endsWith('/')) return a + b;
  return a + '/' + b;
}

/** pathlib.Path(base).joinpath(rel).as_posix() for an absolute base: drops `.` and empty segments, keeps `..`. */
export function pathlibJoin(base: string, rel: string): string {
  const parts = [...base.split('/'), ...rel.split('/')].filter((s) => s !== '' && s !== '.');
  return '/' + parts.join('/');
}
