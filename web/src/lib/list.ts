// Local list updates after a successful write, so the page need not refetch.

/** Replaces the item `same` matches in place, or adds it (at the end, or the start with `prepend`). */
export function upsert<T>(list: readonly T[] | undefined, item: T, same: (x: T) => boolean, prepend = false): T[] {
  const l = list ?? [];
  if (l.some(same)) return l.map((x) => (same(x) ? item : x));
  return prepend ? [item, ...l] : [...l, item];
}

/** The list without the items `same` matches. */
export function remove<T>(list: readonly T[] | undefined, same: (x: T) => boolean): T[] {
  return (list ?? []).filter((x) => !same(x));
}
