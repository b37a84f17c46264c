import {
  TABLE_SPANS,
  TRACE_QUERY_MAX_PATH_BYTES,
  TRACE_QUERY_MAX_STRING_BYTES,
  type TrustedThreadQueryPlan,
  type TrustedTraceQueryGroupsPlan,
  type TrustedTraceQueryDeltaTracesPlan,
  type TrustedTraceQueryKeysetTracesPlan,
  type TrustedTraceQueryObservedFieldsPlan,
  type TrustedTraceQueryPredicate,
  type TrustedTraceQueryValuesPlan,
} from '@mastra/core/storage';
import type { D1Value, SqlStatement } from '../../../client/types';
import { MAX_BOUND_PARAMS } from '../../../sql/params';
import { and, raw, type Condition } from '../../../sql/query';
import { CURSORS_TABLE, cursorFrom, inStream, streamHead } from '../cursors';
import { COLLECTIONS, has, TRACE_FIELDS } from './fields';
import { metadataValue, tenant, threadPredicate, tracePredicate, unsupported, type CompileContext } from './predicate';

// One statement per trace-query call. Traces are their root spans (`r`), found through the partial
// index of root spans in `startedAt` order; a trace is listed once it has ended.

/** The root-span columns a trace-query row is built from. */
export const TRACE_COLUMNS = [
  'traceId', 'spanId', 'name', 'entityId', 'parentSpanId', 'createdAt', 'metadata', 'input',
  'threadId', 'resourceId', 'startedAt', 'endedAt', 'entityName', 'entityType', 'environment', 'error',
];

const SORT_COLUMNS: Readonly<Record<string, string>> = { startedAt: 'r."startedAt"', endedAt: 'r."endedAt"' };

/** The selection list of trace rows. */
export const traceSelect = TRACE_COLUMNS.map((c) => `r."${c}"`).join(', ');

/** `FROM` of the spans table as the root alias. */
export const traceFrom = (context: CompileContext) => `${context.table(TABLE_SPANS)} AS r`;

/**
 * Binds `parts` (conditions in the order `template` writes them, then `tail`). D1 binds at most 100
 * parameters per statement; a larger plan (core allows 1,000 literals) sends the parts' values as ONE
 * JSON array, each placeholder reading its element, and `tail` after it. `reserved` counts parameters
 * the caller binds after the statement's own (e.g. a page's LIMIT and OFFSET).
 */
export function bind(parts: readonly Condition[], template: (...sql: string[]) => string, tail: readonly D1Value[], reserved = 0): SqlStatement {
  const params = parts.flatMap((p) => p.params);
  if (params.length + tail.length + reserved <= MAX_BOUND_PARAMS) return { sql: template(...parts.map((p) => p.sql)), params: [...params, ...tail] };
  let index = 0;
  // Only placeholders carry `?`: every other part of the SQL text is written in this folder.
  const sql = parts.map((p) => p.sql.replace(/\?/g, () => `(?1 ->> '$[${index++}]')`));
  return { sql: template(...sql), params: [JSON.stringify(params), ...tail] };
}

/** Root spans of ended traces in the time range and tenant scope that match `where`. */
export function selection(context: CompileContext, timeRange: { from: string; to: string }, where?: TrustedTraceQueryPredicate): Condition {
  return and([
    raw('r."parentSpanId" IS NULL'),
    raw('r."endedAt" IS NOT NULL'),
    raw('r."startedAt" >= ?', timeRange.from),
    raw('r."startedAt" < ?', timeRange.to),
    ...tenant(context, 'r'),
    where && tracePredicate(context, where),
  ]);
}

/** `ORDER BY` of a trace list: the plan's field and direction, ties by trace id ascending. */
export function traceOrder(orderBy: { field: string; direction: string }): { column: string; sql: string } {
  const column = has(SORT_COLUMNS, orderBy.field) ? SORT_COLUMNS[orderBy.field]! : SORT_COLUMNS.startedAt!;
  return { column, sql: `${column} ${orderBy.direction === 'asc' ? 'ASC' : 'DESC'}, r."traceId" ASC` };
}

/** One keyset page of traces (`limit + 1` rows: the extra one says whether a next page exists). */
export function keysetTraces(context: CompileContext, plan: TrustedTraceQueryKeysetTracesPlan): SqlStatement {
  const order = traceOrder(plan.orderBy);
  const asc = plan.orderBy.direction === 'asc';
  const cursor = plan.cursor && new Date(plan.cursor.sortValue).toISOString();
  // `<=` alone bounds the index range; the OR then drops the cursor's own row and ties already listed.
  const after = plan.cursor && raw(`${order.column} ${asc ? '>=' : '<='} ? AND (${order.column} ${asc ? '>' : '<'} ? OR r."traceId" > ?)`, cursor!, cursor!, plan.cursor.traceId);
  const condition = and([selection(context, plan.timeRange, plan.where), after]);
  return bind([condition], (w) => `SELECT ${traceSelect} FROM ${traceFrom(context)} WHERE ${w} ORDER BY ${order.sql} LIMIT ?`, [plan.limit + 1]);
}

/**
 * A delta poll of traces: matching traces that ended after the watermark, in the order they ended
 * (`limit + 1` rows, each with its `cursorId`), and the newest `ended` cursor. Without a watermark only
 * the newest cursor, where polling starts.
 */
export function deltaTraces(context: CompileContext, plan: TrustedTraceQueryDeltaTracesPlan, after: number | undefined): SqlStatement[] {
  const cursors = context.table(CURSORS_TABLE.name);
  const head = { sql: `SELECT ${streamHead(cursors, 'ended')} AS stream`, params: [] };
  if (after === undefined) return [head];
  const condition = and([inStream('ended', after), selection(context, plan.timeRange, plan.where)]);
  const from = cursorFrom(cursors, context.table(TABLE_SPANS), 'ended', 'r');
  return [head, bind([condition], (w) => `SELECT cur."cursorId" AS "cursorId", ${traceSelect} FROM ${from} WHERE ${w} ORDER BY cur."cursorId" LIMIT ?`, [plan.limit + 1])];
}

/** One keyset page of the distinct threads of matching traces (core's deprecated `groups` result). */
export function traceGroups(context: CompileContext, plan: TrustedTraceQueryGroupsPlan): SqlStatement {
  const condition = and([selection(context, plan.timeRange, plan.where), raw('r."threadId" IS NOT NULL'), plan.cursor && raw('r."threadId" > ?', plan.cursor.threadId)]);
  return bind([condition], (w) => `SELECT DISTINCT r."threadId" AS "threadId" FROM ${traceFrom(context)} WHERE ${w} ORDER BY r."threadId" LIMIT ?`, [plan.limit + 1]);
}

/** One keyset page of threads: threads of the eligible traces that satisfy the thread predicate. */
export function threads(context: CompileContext, plan: TrustedThreadQueryPlan): SqlStatement {
  const eligible = selection(context, plan.traces.timeRange, plan.traces.where);
  const qualified = and([raw('t."threadId" IS NOT NULL'), plan.where && threadPredicate(context, plan.where), plan.cursor && raw('t."threadId" > ?', plan.cursor.threadId)]);
  return bind(
    [eligible, qualified],
    (roots, where) => `WITH eligible AS (SELECT r.* FROM ${traceFrom(context)} WHERE ${roots}) ` +
      `SELECT t."threadId" AS "threadId" FROM (SELECT DISTINCT "threadId" FROM eligible) AS t WHERE ${where} ORDER BY t."threadId" LIMIT ?`,
    [plan.limit + 1],
  );
}

const searched = (expr: string, search: string | undefined) => (search ? raw(`instr(lower(${expr}), lower(?)) > 0`, search) : undefined);

/** Metadata keys with a non-empty text value on matching root spans, most frequent first. */
export function observedFields(context: CompileContext, plan: TrustedTraceQueryObservedFieldsPlan): SqlStatement {
  const path = `'metadata.' || m.key`;
  const condition = and([
    selection(context, plan.timeRange),
    raw(`json_type(r."metadata") = 'object' AND m.type = 'text' AND trim(m.value) <> '' AND m.key <> '' AND instr(m.key, '.') = 0`),
    raw(`length(CAST(${path} AS BLOB)) <= ${TRACE_QUERY_MAX_PATH_BYTES} AND length(CAST(m.value AS BLOB)) <= ${TRACE_QUERY_MAX_STRING_BYTES}`),
    searched(path, plan.search),
  ]);
  return bind(
    [condition],
    (w) => `SELECT ${path} AS path, COUNT(*) AS occurrences FROM ${traceFrom(context)}, json_each(r."metadata") AS m ` +
      `WHERE ${w} GROUP BY m.key ORDER BY occurrences DESC, path ASC LIMIT ?`,
    [plan.limit + 1],
  );
}

/** What a values query reads: the value expression and the rows it comes from. */
function valueSource(context: CompileContext, plan: TrustedTraceQueryValuesPlan): { expr: Condition; from: string; where: Condition } {
  const roots = selection(context, plan.timeRange);
  const from = traceFrom(context);
  if (plan.predicateScope === 'trace') {
    if (plan.path === 'tags') return { expr: raw('j.value'), from: `${from}, json_each(r."tags") AS j`, where: and([roots, raw(`j.type = 'text'`)]) };
    if (plan.path.startsWith('metadata.')) return { expr: metadataValue(plan.path), from, where: roots };
    return { expr: raw(fieldSql(context, TRACE_FIELDS, plan.path, 'r')), from, where: roots };
  }
  if (!has(COLLECTIONS, plan.predicateScope)) throw unsupported(context, `scope ${plan.predicateScope}`);
  const collection = COLLECTIONS[plan.predicateScope];
  const inScope = { sql: `x."traceId" IN (SELECT r."traceId" FROM ${from} WHERE ${roots.sql})`, params: roots.params };
  return { expr: raw(fieldSql(context, collection.fields, plan.path, 'x')), from: `${context.table(collection.table)} AS x`, where: and([inScope, ...tenant(context, 'x')]) };
}

function fieldSql(context: CompileContext, fields: typeof TRACE_FIELDS, field: string, alias: string): string {
  if (!has(fields, field)) throw unsupported(context, `field ${field}`);
  return fields[field]!.sql(alias);
}

/** The most frequent values of one field over matching traces (or their related records). */
export function fieldValues(context: CompileContext, plan: TrustedTraceQueryValuesPlan): SqlStatement {
  const source = valueSource(context, plan);
  const outer = and([raw(`v IS NOT NULL AND length(CAST(v AS BLOB)) <= ${TRACE_QUERY_MAX_STRING_BYTES}`), searched('v', plan.search)]);
  return bind(
    [source.expr, source.where, outer],
    (expr, rows, where) => `SELECT v AS value, COUNT(*) AS "count" FROM (SELECT CAST(${expr} AS TEXT) AS v FROM ${source.from} WHERE ${rows}) ` +
      `WHERE ${where} GROUP BY v ORDER BY "count" DESC, v ASC LIMIT ?`,
    [plan.limit + 1],
  );
}
