/**
 * A JSON value from `json_each` re-tagged as JSON, so `json_group_object` nests objects/arrays and keeps
 * booleans and null instead of turning them into strings or 0/1.
 */
const EACH_VALUE_AS_JSON = `CASE type WHEN 'object' THEN json(value) WHEN 'array' THEN json(value) WHEN 'true' THEN json('true') WHEN 'false' THEN json('false') WHEN 'null' THEN json('null') ELSE value END`;

/** `target` when it holds a JSON object, else NULL (for NULL, plain text and non-object JSON). */
function objectOrNull(target: string): string {
  return `CASE WHEN json_valid(${target}) THEN CASE WHEN json_type(${target}) = 'object' THEN ${target} END END`;
}

/**
 * SQL for the shallow merge `{ ...target, ...patch }` of two JSON objects, computed inside D1 so a
 * read-modify-write is one atomic statement. Unlike `json_patch` (RFC 7396) it replaces nested objects
 * whole and keeps `null` values, which is what core's adapters do with a JS spread.
 *
 * `target` is a column expression (evaluated more than once); `patch` appears once, e.g. `?`.
 * Per key, the row from the patch (src 1) wins over the target's (src 0): SQLite takes bare columns from
 * the row holding `MAX(src)`.
 */
export function shallowMergeSql(target: string, patch: string): string {
  const merged = `SELECT key, value, type, MAX(src) FROM (SELECT key, value, type, 0 AS src FROM json_each(COALESCE(${objectOrNull(target)}, '{}')) UNION ALL SELECT key, value, type, 1 AS src FROM json_each(${patch})) GROUP BY key`;
  return `json((SELECT json_group_object(key, ${EACH_VALUE_AS_JSON}) FROM (${merged})))`;
}

/** Whether a JSON column expression holds an object (false for NULL and non-JSON text). */
export function isJsonObjectSql(target: string): string {
  return `(${objectOrNull(target)}) IS NOT NULL`;
}
