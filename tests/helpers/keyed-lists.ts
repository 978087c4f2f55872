/**
 * A value with its lists of `{key, ...}` entries (tags, params, metrics) sorted: no API promises
 * their row order, which is the database's. Everything else is compared as is.
 */
export function sortKeyedLists(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(sortKeyedLists);
    return items.every((i) => typeof i === 'object' && i !== null && 'key' in i)
      ? [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
      : items;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sortKeyedLists(v)]));
  }
  return value;
}
