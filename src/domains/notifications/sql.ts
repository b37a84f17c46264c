import type { CreateNotificationInput } from '@mastra/core/storage';
import type { D1Value, SqlStatement } from '../../client/types';
import { columnList } from '../../sql/codec';
import { quoteIdentifier } from '../../sql/identifiers';
import { shallowMergeSql } from '../../sql/json';
import { inJsonList, jsonList } from '../../sql/params';
import { raw, type Condition } from '../../sql/query';
import { NOTIFICATIONS_TABLE } from './schema';

const COLUMNS = Object.keys(NOTIFICATIONS_TABLE.columns);
/** The numbered parameter of a column's new value in `createStatement`. */
const param = (column: string) => `?${COLUMNS.indexOf(column) + 1}`;
const [DEDUPE, COALESCE, PRIORITY, OMIT_ATTRIBUTES, OMIT_METADATA, NOW] = Array.from({ length: 6 }, (_, i) => `?${COLUMNS.length + 1 + i}`);

/** The pending record a new one coalesces into: same thread, source, kind, agent and resource (NULL-safe), and dedupe or coalesce key. */
const matches = (agent: string, resource: string) =>
  `status = 'pending' AND "agentId" IS ${agent} AND "resourceId" IS ${resource} AND ("dedupeKey" = ${DEDUPE} OR "coalesceKey" = ${COALESCE})`;

/** Keys an object gives as `undefined`: a spread drops them from the merged object. */
const undefinedKeys = (value: object | undefined) => jsonList(Object.entries(value ?? {}).flatMap(([k, v]) => (v === undefined ? [k] : [])));

/**
 * `createNotification` as ONE statement, so concurrent senders (even over a custom client, whose batches
 * are not atomic) cannot both insert. The new row takes the id of the newest matching pending record
 * when there is one, so the insert conflicts with it and the upsert folds the notification in (count + 1,
 * attributes and metadata shallow-merged inside D1, the first write's `createdAt` kept). A conflict with
 * a record that does not match (a caller's id already taken) changes nothing and returns no row; LibSQLStore
 * would write a second row there.
 */
export function createStatement(table: string, row: Record<string, D1Value>, input: CreateNotificationInput, now: Date): SqlStatement {
  const newest = `(SELECT id FROM ${table} WHERE "threadId" = ${param('threadId')} AND source = ${param('source')} AND kind = ${param('kind')}
      AND ${matches(param('agentId'), param('resourceId'))} ORDER BY "updatedAt" DESC LIMIT 1)`;
  const values = COLUMNS.map((column) => (column === 'id' ? `coalesce(${newest}, ${param('id')})` : param(column)));
  const fold = (column: string) => `"${column}" = coalesce(excluded."${column}", "${column}")`;
  const merge = (column: string, omit: string) => `${column} = CASE WHEN excluded.${column} IS NULL THEN ${column} ELSE ${shallowMergeSql(column, `excluded.${column}`, omit)} END`;
  return {
    sql: `INSERT INTO ${table} (${columnList(NOTIFICATIONS_TABLE)}) SELECT ${values.join(', ')} WHERE true
      ON CONFLICT ("threadId", id) DO UPDATE SET summary = excluded.summary, ${fold('payload')}, priority = coalesce(${PRIORITY}, priority),
        ${merge('attributes', OMIT_ATTRIBUTES!)}, ${merge('metadata', OMIT_METADATA!)}, "updatedAt" = ${NOW},
        ${fold('deliverAt')}, ${fold('summaryAt')}, ${fold('deliveryReason')}, "coalescedCount" = "coalescedCount" + 1
      WHERE source = excluded.source AND kind = excluded.kind AND ${matches('excluded."agentId"', 'excluded."resourceId"')}
      RETURNING *`,
    params: [
      ...COLUMNS.map((column) => row[column]!),
      input.dedupeKey || null,
      input.coalesceKey || null,
      input.priority === undefined ? null : row.priority!,
      undefinedKeys(input.attributes),
      undefinedKeys(input.metadata),
      now.toISOString(),
    ],
  };
}

/** `UPDATE ... SET` of the given stored values on the rows `filter` selects, returning them. */
export function updateStatement(table: string, changes: Record<string, D1Value>, filter: Condition): SqlStatement {
  const set = Object.keys(changes).map((column) => `${quoteIdentifier(column)} = ?`);
  return { sql: `UPDATE ${table} SET ${set.join(', ')}${filter.sql} RETURNING *`, params: [...Object.values(changes), ...filter.params] };
}

/** `column IN (...)` over a list bound as one JSON parameter, or nothing without a list. */
export function oneOf(column: string, values: readonly string[] | undefined): Condition | undefined {
  return values && raw(inJsonList(quoteIdentifier(column)), jsonList(values));
}

/** Case-insensitive substring match on summary or kind (as LibSQLStore searches), with `%` and `_` as plain text. */
export function searchCondition(search: string | undefined): Condition | undefined {
  if (!search) return undefined;
  const needle = search.toLowerCase();
  return raw('(instr(lower(summary), ?) > 0 OR instr(lower(kind), ?) > 0)', needle, needle);
}

/** A list read: every column of the rows `filter` selects, in `order`, at most `limit` (-1: all). */
export function selectStatement(table: string, filter: Condition, order: string, limit: number): SqlStatement {
  return { sql: `SELECT * FROM ${table}${filter.sql} ORDER BY ${order} LIMIT ?`, params: [...filter.params, limit] };
}

/** Due records first by the earlier of their deliver and summary times, then by last update. */
export const DUE_ORDER = `coalesce(min("deliverAt", "summaryAt"), "deliverAt", "summaryAt") ASC, "updatedAt" ASC, id ASC`;

/** Pending records whose delivery or summary time has come. */
export function dueCondition(now: string): Condition {
  return raw(`status = 'pending' AND ("deliverAt" <= ? OR "summaryAt" <= ?)`, now, now);
}
