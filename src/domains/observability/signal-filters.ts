import type { D1Value } from '../../client/types';
import { jsonList } from '../../sql/params';
import { compare, eq, raw, type MaybeCondition } from '../../sql/query';
import { hasAllTags, jsonContains } from './filters';
import { FEEDBACK, LOGS, METRICS, SCORES, type SignalTable } from './signal-tables';

// WHERE conditions of the signal lists and analytics, as core's ObservabilityInMemory matches records.
// The listed table is aliased `s`. Filters arrive parsed by core's schemas.

type Filters = Record<string, unknown>;
type DateRange = { start?: Date; end?: Date; startExclusive?: boolean; endExclusive?: boolean };

/** Filters every signal compares to a column of its own. */
const EQUALITY_FILTERS = [
  'traceId',
  'spanId',
  'entityType',
  'entityName',
  'entityVersionId',
  'parentEntityVersionId',
  'rootEntityVersionId',
  'userId',
  'organizationId',
  'experimentId',
  'serviceName',
  'environment',
  'parentEntityType',
  'parentEntityName',
  'rootEntityType',
  'rootEntityName',
  'resourceId',
  'runId',
  'sessionId',
  'threadId',
  'requestId',
];

/** Per signal: filters on its own columns, and the column its `source` filters compare. */
const OWN: ReadonlyMap<SignalTable, { equal: string[]; oneOf: string[]; source: string }> = new Map([
  [METRICS, { equal: ['provider', 'model', 'costUnit'], oneOf: ['name'], source: 'coalesce("executionSource", "source")' }],
  [LOGS, { equal: [], oneOf: ['level'], source: 'coalesce("executionSource", "source")' }],
  [SCORES, { equal: ['executionSource', 'scoreSource'], oneOf: ['scorerId'], source: '"scoreSource"' }],
  [FEEDBACK, { equal: ['executionSource', 'feedbackSource', 'feedbackUserId', 'reviewStatus'], oneOf: ['feedbackType'], source: '"feedbackSource"' }],
]);

/** A date range over the epoch-ms `timestamp` column; bounds are inclusive unless marked exclusive. */
export function timestampRange(range: DateRange | undefined): MaybeCondition[] {
  return [
    compare('timestamp', range?.startExclusive ? '>' : '>=', range?.start?.getTime()),
    compare('timestamp', range?.endExclusive ? '<' : '<=', range?.end?.getTime()),
  ];
}

/** `column IN (list)` for one value or a list (an empty list matches nothing). */
const oneOf = (column: string, value: unknown) =>
  value !== undefined && raw(`"${column}" IN (SELECT value FROM json_each(?))`, jsonList((Array.isArray(value) ? value : [value]) as string[]));

/**
 * Conditions for `filters` on one signal's table. `timestamp` is left to the caller when `range` is
 * false (analytics that scan two windows at once).
 */
export function signalConditions(signal: SignalTable, filters: Filters | undefined, { range = true } = {}): MaybeCondition[] {
  if (!filters) return [];
  const own = OWN.get(signal)!;
  const source = own.source;
  const value = (name: string) => filters[name] as D1Value | undefined;
  const conditions: MaybeCondition[] = [
    ...(range ? timestampRange(filters.timestamp as DateRange | undefined) : []),
    ...[...EQUALITY_FILTERS, ...own.equal].map((name) => eq(name, value(name))),
    ...own.oneOf.map((name) => oneOf(name, filters[name])),
    value('source') !== undefined && raw(`${source} = ?`, value('source')!),
    hasAllTags(filters.tags as string[] | undefined),
  ];
  if (signal === METRICS || signal === LOGS) {
    // Metrics and logs read `executionSource`, falling back to the older `source`, for both filters.
    conditions.push(value('executionSource') !== undefined && raw(`${source} = ?`, value('executionSource')!));
  }
  if (signal === METRICS) {
    conditions.push(Array.isArray(filters.traceIds) && raw(`"traceId" IN (SELECT value FROM json_each(?))`, jsonList(filters.traceIds as string[])));
    const labels = filters.labels as Record<string, string> | undefined;
    if (labels && Object.keys(labels).length > 0) {
      conditions.push(
        raw(
          `NOT EXISTS (SELECT 1 FROM json_each(?) AS f WHERE f.value IS NOT (SELECT l.value FROM json_each(s."labels") AS l WHERE l.key = f.key))`,
          JSON.stringify(labels),
        ),
      );
    }
  }
  if (signal === SCORES && filters.metadata != null && Object.keys(filters.metadata).length > 0) conditions.push(jsonContains('metadata', filters.metadata as Record<string, unknown>));
  return conditions;
}
