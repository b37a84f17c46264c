import { BRANCH_SPAN_TYPE_SET, BRANCH_SPAN_TYPES, TraceStatus, type listBranchesArgsSchema, type listTracesArgsSchema } from '@mastra/core/storage';
import type { z } from 'zod';
import type { D1Value } from '../../client/types';
import { quoteIdentifier } from '../../sql/identifiers';
import { inJsonList, jsonList } from '../../sql/params';
import { compare, orderBy, raw, where, type Condition, type MaybeCondition, type OrderByInput } from '../../sql/query';

// WHERE and ORDER BY of the trace and branch listings. The listed table is aliased `s`, so conditions
// inside subqueries can name the outer span; conditions at the top level name its columns directly.

type TraceFilters = NonNullable<z.output<typeof listTracesArgsSchema>['filters']>;
type BranchFilters = NonNullable<z.output<typeof listBranchesArgsSchema>['filters']>;
type DateRange = { start?: Date; end?: Date; startExclusive?: boolean; endExclusive?: boolean };

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

const outer = (name: string) => `s.${quoteIdentifier(name)}`;

/**
 * Every key of the filter object (one JSON parameter) must be present in the column with an equal
 * value: scalars by type and value, objects and arrays by their JSON text. One parameter and a fixed
 * expression depth however many keys are given. The listed table is aliased `s`.
 */
export function jsonContains(column: string, filter: Record<string, unknown>): Condition {
  return raw(
    `${outer(column)} IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM json_each(?) AS f WHERE NOT EXISTS (
      SELECT 1 FROM json_each(${outer(column)}) AS m
      WHERE m.key = f.key AND m.type = f.type AND (m.type IN ('null', 'true', 'false') OR m.value = f.value)))`,
    JSON.stringify(filter),
  );
}

/** Every given tag is among the row's `tags` (a JSON array); no tags given matches every row. */
export function hasAllTags(tags: readonly string[] | null | undefined): MaybeCondition {
  return (
    tags != null &&
    tags.length > 0 &&
    raw(`NOT EXISTS (SELECT 1 FROM json_each(?) AS f WHERE f.value NOT IN (SELECT value FROM json_each(${outer('tags')})))`, jsonList(tags))
  );
}

function range(column: string, r: DateRange | undefined): MaybeCondition[] {
  return [compare(column, r?.startExclusive ? '>' : '>=', r?.start?.toISOString()), compare(column, r?.endExclusive ? '<' : '<=', r?.end?.toISOString())];
}

/** A span's status, as core's computeTraceStatus derives it. */
const STATUS_CONDITIONS: Record<string, Condition> = {
  [TraceStatus.ERROR]: raw('"error" IS NOT NULL'),
  [TraceStatus.RUNNING]: raw('"error" IS NULL AND "endedAt" IS NULL'),
  [TraceStatus.SUCCESS]: raw('"error" IS NULL AND "endedAt" IS NOT NULL'),
};

/** Conditions over the span's own columns, shared by trace (root span) and branch (anchor span) listing. */
function spanConditions(filters: TraceFilters | BranchFilters): MaybeCondition[] {
  const equalities = EQUALITY_FILTERS.map((name) => {
    const value = (filters as Record<string, unknown>)[name];
    return value === undefined ? undefined : raw(`${quoteIdentifier(name)} IS ?`, value as D1Value);
  });
  return [
    ...range('startedAt', filters.startedAt),
    ...range('endedAt', filters.endedAt),
    ...equalities,
    filters.scope != null && jsonContains('scope', filters.scope),
    filters.metadata != null && jsonContains('metadata', filters.metadata),
    hasAllTags(filters.tags),
    filters.status !== undefined && STATUS_CONDITIONS[filters.status],
  ];
}

/**
 * WHERE for `listTraces`: root spans matching every filter (and `extra`); `hasChildError` looks at every
 * span of the trace.
 */
export function traceWhere(table: string, filters: TraceFilters = {}, extra?: Condition): Condition {
  const erroredSpan = `EXISTS (SELECT 1 FROM ${table} AS c WHERE c."traceId" = s."traceId" AND c."error" IS NOT NULL)`;
  const childError = filters.hasChildError === undefined ? undefined : raw(filters.hasChildError ? erroredSpan : `NOT ${erroredSpan}`);
  return where([raw('"parentSpanId" IS NULL'), ...spanConditions(filters), childError, extra]);
}

/** WHERE for `listBranches`: anchor spans (core's BRANCH_SPAN_TYPES) matching every filter (and `extra`). */
export function branchWhere(filters: BranchFilters = {}, extra?: Condition): Condition {
  // A spanType filter outside the branch types matches nothing, as in core's ObservabilityInMemory.
  const types = filters.spanType === undefined ? BRANCH_SPAN_TYPES : BRANCH_SPAN_TYPE_SET.has(filters.spanType) ? [filters.spanType] : [];
  return where([raw(inJsonList('"spanType"'), jsonList(types)), ...spanConditions(filters), extra]);
}

const SORTABLE = { startedAt: 'startedAt', endedAt: 'endedAt' };

/**
 * ORDER BY for trace and branch lists, the field and direction mapped through `orderBy()`'s tables. A
 * running span (no `endedAt`) sorts first when newest-first and last when oldest-first, as LibSQLStore
 * and core's in-memory store order it; ties keep the order spans were stored in, as theirs do.
 */
export function spanOrder(operation: string, input: OrderByInput | undefined): string {
  const order = orderBy(operation, SORTABLE, input, { field: 'startedAt', direction: 'DESC' }, 'rowid');
  return order.field === 'endedAt' ? `"endedAt" IS NULL ${order.direction}, ${order.sql}` : order.sql;
}
