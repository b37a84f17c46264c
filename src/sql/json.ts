/**
 * A JSON path to one key of the object at `base`. The key is written as a quoted JSON string, which
 * SQLite's path parser reads with JSON escapes, so any key (dots, quotes, brackets) addresses itself.
 */
export function keyPath(base: string, key: string): string {
  return `${base}.${JSON.stringify(key)}`;
}

/**
 * `target` when it holds a JSON object, else NULL (for NULL, plain text and non-object JSON). The nested
 * CASE matters: `json_type` fails on text that is not JSON, and SQLite does not promise to short-circuit AND.
 */
function objectOrNull(target: string): string {
  return `(CASE WHEN json_valid(${target}) THEN CASE WHEN json_type(${target}) = 'object' THEN ${target} END END)`;
}

/** Whether a JSON column expression holds an object (false for NULL and non-JSON text). */
export function isJsonObjectSql(target: string): string {
  return `(${objectOrNull(target)} IS NOT NULL)`;
}

/**
 * SQL for the shallow merge `{ ...target, ...patch }` of two JSON objects, computed inside D1 so a
 * read-modify-write is one atomic statement. Unlike `json_patch` (RFC 7396) it replaces nested values
 * whole and keeps `null`s, as a JS spread does; keys listed in the JSON array `omit` are dropped (what
 * spreading an `undefined` does once serialized).
 *
 * `target` and `patch` are evaluated several times: pass columns, `excluded.x`, or numbered parameters
 * (`?1`), never a bare `?`. Values travel as JSON text taken with `->`, never through `json_each.value`,
 * which would turn `true` into 1 and print doubles with 15 digits; `json()` re-tags each text as JSON
 * for the aggregate. Existing keys keep their position and new ones follow, as with a spread.
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
