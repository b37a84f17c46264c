import { BRANCH_SPAN_TYPE_SET, BRANCH_SPAN_TYPES, TraceStatus, type listBranchesArgsSchema, type listTracesArgsSchema } from '@mastra/core/storage';
import type { z } from 'zod';
import type { D1Value, SqlStatement } from '../../client/types';
import { inJsonList, jsonList } from '../../sql/params';
import { quoteIdentifier } from '../../sql/identifiers';

type TraceFilters = NonNullable<z.output<typeof listTracesArgsSchema>['filters']>;
type BranchFilters = NonNullable<z.output<typeof listBranchesArgsSchema>['filters']>;
type DateRange = { start?: Date; end?: Date; startExclusive?: boolean; endExclusive?: boolean };
type Direction = 'ASC' | 'DESC';

/** Filters compared to a column of the span itself (`IS`, so a null filter finds spans without the value). */
const EQUALITY_FILTERS = [
  'traceId',
  'spanType',
  'entityType',
  'entityId',
  'entityName',
  'entityVersionId',
  'parentEntityType',
  'parentEntityId',
  'parentEntityName',
  'parentEntityVersionId',
  'rootEntityType',
  'rootEntityId',
  'rootEntityName',
  'rootEntityVersionId',
  'experimentId',
  'userId',
  'organizationId',
  'resourceId',
  'runId',
  'sessionId',
  'threadId',
  'requestId',
  'environment',
  'source',
  'serviceName',
] as const;

const col = (name: string) => `s.${quoteIdentifier(name)}`;

/**
 * Every key of the filter object (one JSON parameter) must be present in the column with an equal
 * value: scalars by type and value, objects and arrays by their JSON text. One parameter and a fixed
 * expression depth however many keys are given.
 */
function jsonContains(column: string): string {
  return `${col(column)} IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM json_each(?) AS f WHERE NOT EXISTS (
      SELECT 1 FROM json_each(${col(column)}) AS m
      WHERE m.key = f.key AND m.type = f.type AND (m.type IN ('null', 'true', 'false') OR m.value = f.value)))`;
}

/** Conditions over the span's own columns, shared by trace (root span) and branch (anchor span) listing. */
function spanConditions(filters: TraceFilters | BranchFilters): SqlStatement[] {
  const out: SqlStatement[] = [];
  const range = (column: string, r: DateRange | undefined) => {
    if (r?.start) out.push({ sql: `${col(column)} ${r.startExclusive ? '>' : '>='} ?`, params: [r.start.toISOString()] });
    if (r?.end) out.push({ sql: `${col(column)} ${r.endExclusive ? '<' : '<='} ?`, params: [r.end.toISOString()] });
  };
  range('startedAt', filters.startedAt);
  range('endedAt', filters.endedAt);
  for (const name of EQUALITY_FILTERS) {
    const value = (filters as Record<string, unknown>)[name];
    if (value !== undefined) out.push({ sql: `${col(name)} IS ?`, params: [value as D1Value] });
  }
  if (filters.scope != null) out.push({ sql: jsonContains('scope'), params: [JSON.stringify(filters.scope)] });
  if (filters.metadata != null) out.push({ sql: jsonContains('metadata'), params: [JSON.stringify(filters.metadata)] });
  if (filters.tags != null && filters.tags.length > 0) {
    out.push({
      sql: `NOT EXISTS (SELECT 1 FROM json_each(?) AS f WHERE f.value NOT IN (SELECT value FROM json_each(${col('tags')})))`,
      params: [jsonList(filters.tags)],
    });
  }
  // A span's status, as core's computeTraceStatus derives it.
  if (filters.status === TraceStatus.ERROR) out.push({ sql: `${col('error')} IS NOT NULL`, params: [] });
  if (filters.status === TraceStatus.RUNNING) out.push({ sql: `${col('error')} IS NULL AND ${col('endedAt')} IS NULL`, params: [] });
  if (filters.status === TraceStatus.SUCCESS) out.push({ sql: `${col('error')} IS NULL AND ${col('endedAt')} IS NOT NULL`, params: [] });
  return out;
}

function and(conditions: SqlStatement[]): SqlStatement {
  return { sql: conditions.map((c) => `(${c.sql})`).join(' AND '), params: conditions.flatMap((c) => c.params) };
}

/** WHERE for `listTraces`: root spans matching every filter; `hasChildError` looks at every span of the trace. */
export function traceWhere(table: string, filters: TraceFilters = {}): SqlStatement {
  const conditions: SqlStatement[] = [{ sql: `${col('parentSpanId')} IS NULL`, params: [] }, ...spanConditions(filters)];
  if (filters.hasChildError !== undefined) {
    const erroredSpan = `EXISTS (SELECT 1 FROM ${table} AS c WHERE c."traceId" = s."traceId" AND c."error" IS NOT NULL)`;
    conditions.push({ sql: filters.hasChildError ? erroredSpan : `NOT ${erroredSpan}`, params: [] });
  }
  return and(conditions);
}

/** WHERE for `listBranches`: anchor spans (core's BRANCH_SPAN_TYPES) matching every filter. */
export function branchWhere(filters: BranchFilters = {}): SqlStatement {
  // A spanType filter outside the branch types matches nothing, as in core's ObservabilityInMemory.
  const types = filters.spanType === undefined ? BRANCH_SPAN_TYPES : BRANCH_SPAN_TYPE_SET.has(filters.spanType) ? [filters.spanType] : [];
  return and([{ sql: inJsonList(col('spanType')), params: [jsonList(types)] }, ...spanConditions(filters)]);
}

/**
 * ORDER BY for trace and branch lists. A running span (no `endedAt`) sorts first when newest-first and
 * last when oldest-first, as LibSQLStore and core's in-memory store order it; ties keep storage order.
 */
export function orderBy(field: 'startedAt' | 'endedAt', direction: Direction): string {
  const nulls = field === 'endedAt' ? (direction === 'DESC' ? ' NULLS FIRST' : ' NULLS LAST') : '';
  return `${col(field)} ${direction}${nulls}, s.rowid ASC`;
}
