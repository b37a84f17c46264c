/**
 * A JSON path to one key of the object at `base`. The key is written as a quoted JSON string, which
 * SQLite's path parser reads with JSON escapes, so any key (dots, quotes, brackets) addresses itself.
 */
export function keyPath(base: string, key: string): string {
  return `${base}.${JSON.stringify(key)}`;
}

/** `target` when it holds a JSON object, else NULL, so a missing or non-object value merges as `{}`. */
const objectOrNull = (target: string) => `(CASE WHEN json_type(${target}) = 'object' THEN ${target} END)`;

/**
 * SQL for the shallow merge `{ ...target, ...patch }` of two JSON objects, computed inside D1 so a
 * read-modify-write is one atomic statement. Unlike `json_patch` (RFC 7396) it replaces nested values
 * whole and keeps `null`s, as a JS spread does; keys listed in the JSON array `omit` are dropped (what
 * spreading an `undefined` does once serialized).
 *
 * Values travel as JSON text taken with `->`, never through `json_each.value`, which would turn
 * `true` into 1 and print doubles with 15 digits; `json()` re-tags each text as JSON for the aggregate.
 * Existing keys keep their position and new ones follow, as with a spread.
 */
export function shallowMergeSql(target: string, patch: string, omit?: string): string {
  const base = objectOrNull(target);
  const patchValue = (key: string) => `${patch} -> ('$.' || json_quote(${key}))`;
  const dropped = omit ? ` AND t.key NOT IN (SELECT value FROM json_each(${omit}))` : '';
  return `json((SELECT json_group_object(key, json(v)) FROM (
      SELECT t.key AS key, coalesce(${patchValue('t.key')}, ${base} -> t.fullkey) AS v
        FROM json_each(${base}) AS t WHERE true${dropped}
      UNION ALL
      SELECT p.key, ${patch} -> p.fullkey FROM json_each(${patch}) AS p
        WHERE json_type(${base}, '$.' || json_quote(p.key)) IS NULL)))`;
}
