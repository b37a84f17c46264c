import type { SqlStatement } from '../../client/types';
import { quoteIdentifier } from '../../sql/identifiers';
import { isJsonColumn, SPAN_COLUMNS, UPDATABLE_COLUMNS } from './columns';

// Spans travel to D1 as ONE JSON parameter per statement and are unpacked with json_each: a batch of
// 1,000 spans is a handful of statements (D1 counts every statement of a batch against a Worker's
// query limit) and never nears the 100-parameter cap. JSON columns travel as JSON values and are
// stored as their JSON text (`->`); a JSON null becomes SQL NULL, as every other store writes it.

const q = quoteIdentifier;
const list = (columns: readonly string[], alias?: string) => columns.map((c) => (alias ? `${alias}.${q(c)}` : q(c))).join(', ');
const fromJson = (column: string, source: string, path: string | number) =>
  isJsonColumn(column) ? `nullif(${source} -> ${path}, 'null')` : `${source} ->> ${path}`;

/** Upserts spans given as a JSON array of rows (values in `SPAN_COLUMNS` order); a repeated key replaces the span. */
export function upsertSpans(table: string, rowsJson: string): SqlStatement {
  const values = SPAN_COLUMNS.map((c, i) => fromJson(c, 'value', i)).join(', ');
  const replace = SPAN_COLUMNS.filter((c) => c !== 'traceId' && c !== 'spanId')
    .map((c) => `${q(c)} = excluded.${q(c)}`)
    .join(', ');
  return {
    // `WHERE true` is SQLite's required disambiguation between INSERT ... SELECT and ON CONFLICT.
    sql: `INSERT INTO ${table} (${list(SPAN_COLUMNS)})
      SELECT ${values} FROM json_each(?) WHERE true
      ON CONFLICT ("traceId", "spanId") DO UPDATE SET ${replace}`,
    params: [rowsJson],
  };
}

/**
 * Applies partial updates given as a JSON array of `{ t: traceId, s: spanId, u: { column: value } }`.
 * A column absent from `u` keeps its value (`json_type` is NULL only for a missing key); a present
 * null clears it. A key that matches no span changes nothing, as in LibSQLStore.
 */
export function updateSpans(table: string, updatesJson: string, updatedAt: string): SqlStatement {
  const set = [...UPDATABLE_COLUMNS].map((c) => {
    const path = `'$.u.${c}'`;
    return `${q(c)} = iif(json_type(u.value, ${path}) IS NULL, ${q(c)}, ${fromJson(c, 'u.value', path)})`;
  }).join(',\n      ');
  return {
    sql: `UPDATE ${table} SET ${set},
      "updatedAt" = ?
      FROM json_each(?) AS u
      WHERE ${table}."traceId" = u.value ->> '$.t' AND ${table}."spanId" = u.value ->> '$.s'`,
    params: [updatedAt, updatesJson],
  };
}

/** One span by key. */
export function selectSpan(table: string, traceId: string, spanId: string): SqlStatement {
  return { sql: `SELECT ${list(SPAN_COLUMNS)} FROM ${table} WHERE "traceId" = ? AND "spanId" = ?`, params: [traceId, spanId] };
}

/** The root span (no parent) of a trace; the earliest stored one if a trace has several. */
export function selectRootSpan(table: string, traceId: string): SqlStatement {
  return {
    sql: `SELECT ${list(SPAN_COLUMNS)} FROM ${table} WHERE "traceId" = ? AND "parentSpanId" IS NULL ORDER BY rowid LIMIT 1`,
    params: [traceId],
  };
}

/** Every span of a trace, by start time (ties in the order they were first stored). */
export function selectTraceSpans(table: string, traceId: string, columns: readonly string[] = SPAN_COLUMNS): SqlStatement {
  return {
    sql: `SELECT ${list(columns)} FROM ${table} WHERE "traceId" = ? ORDER BY "startedAt" ASC, rowid ASC`,
    params: [traceId],
  };
}

/** Spans of one trace by id, in the order the ids were asked for (a repeated id repeats its span). */
export function selectSpansById(table: string, traceId: string, spanIdsJson: string): SqlStatement {
  return {
    sql: `SELECT ${list(SPAN_COLUMNS, 's')} FROM json_each(?) AS id
      JOIN ${table} AS s ON s."traceId" = ? AND s."spanId" = id.value
      ORDER BY id.key`,
    params: [spanIdsJson, traceId],
  };
}

/**
 * The subtree under an anchor span, at most `depth` levels down (NULL: all), walked in SQL so a branch
 * is one round trip. Excluding the anchor from the walk ends any parent cycle: a cycle reachable from
 * the anchor's descendants must pass through the anchor itself.
 */
export function selectBranch(table: string, traceId: string, spanId: string, depth: number | null): SqlStatement {
  return {
    sql: `WITH RECURSIVE branch("spanId", depth) AS (
        SELECT "spanId", 0 FROM ${table} WHERE "traceId" = ? AND "spanId" = ?
        UNION ALL
        SELECT c."spanId", b.depth + 1 FROM branch AS b
        JOIN ${table} AS c ON c."traceId" = ? AND c."parentSpanId" = b."spanId"
        WHERE c."spanId" <> ? AND (? IS NULL OR b.depth < ?)
      )
      SELECT ${list(SPAN_COLUMNS, 's')} FROM branch AS b
      JOIN ${table} AS s ON s."traceId" = ? AND s."spanId" = b."spanId"
      ORDER BY s."startedAt" ASC, b.depth ASC, s.rowid ASC`,
    params: [traceId, spanId, traceId, spanId, depth, depth, traceId],
  };
}

/**
 * Deletes every span of the listed traces. With a tenant scope, only traces whose root span (or, with no
 * root, first stored span) belongs to that organization and resource, as core's in-memory store decides.
 */
export function deleteTraces(table: string, traceIdsJson: string, scope: { organizationId?: string; resourceId?: string } = {}): SqlStatement {
  const tenant = (['organizationId', 'resourceId'] as const).filter((c) => scope[c] !== undefined);
  if (tenant.length === 0) return { sql: `DELETE FROM ${table} WHERE "traceId" IN (SELECT value FROM json_each(?))`, params: [traceIdsJson] };
  return {
    sql: `DELETE FROM ${table} WHERE "traceId" IN (
        SELECT r."traceId" FROM json_each(?) AS id JOIN ${table} AS r ON r.rowid = (
          SELECT x.rowid FROM ${table} AS x WHERE x."traceId" = id.value ORDER BY x."parentSpanId" IS NOT NULL, x.rowid LIMIT 1)
        WHERE ${tenant.map((c) => `r.${q(c)} = ?`).join(' AND ')})`,
    params: [traceIdsJson, ...tenant.map((c) => scope[c]!)],
  };
}

