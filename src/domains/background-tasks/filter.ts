import type { TaskFilter } from '@mastra/core/background-tasks';
import { userError } from '../../errors';
import { compare, eq, raw, type MaybeCondition } from '../../sql/query';
import { inJsonList, jsonList } from '../../sql/params';
import { isoDate, optionalText } from '../validation';
import { DATE_FIELDS, requireStatus, TASK_COLUMNS } from './schema';

const ID_FILTERS = ['agentId', 'threadId', 'resourceId', 'runId', 'toolName', 'toolCallId'] as const;

/** The column `dateFilterBy` names, through an own-property table; absent means `createdAt`. */
function dateColumn(operation: string, field: string, value: unknown): string {
  const name = value ?? 'createdAt';
  if (typeof name !== 'string' || !Object.hasOwn(DATE_FIELDS, name)) throw userError(operation, `${field} must be one of ${Object.keys(DATE_FIELDS).join(', ')}`, { field });
  return DATE_FIELDS[name]!;
}

/**
 * The conditions of a task filter: statuses (one, or a list bound as one JSON parameter), the id fields
 * and a `[fromDate, toDate)` range on `dateFilterBy`. An empty string is no filter, as in LibSQLStore.
 */
export function taskConditions(operation: string, filter: TaskFilter): MaybeCondition[] {
  if (!filter || typeof filter !== 'object') throw userError(operation, 'filter must be an object', { field: 'filter' });
  const conditions: MaybeCondition[] = [];
  const { status } = filter;
  if (Array.isArray(status)) {
    status.forEach((s, i) => requireStatus(operation, `status[${i}]`, s));
    conditions.push(status.length === 1 ? eq('status', status[0]) : raw(inJsonList('status'), jsonList(status)));
  } else if (status) conditions.push(eq('status', requireStatus(operation, 'status', status)));
  for (const field of ID_FILTERS) conditions.push(eq(TASK_COLUMNS[field], optionalText(operation, field, filter[field]) || undefined));
  const column = dateColumn(operation, 'dateFilterBy', filter.dateFilterBy);
  if (filter.fromDate != null) conditions.push(compare(column, '>=', isoDate(operation, filter.fromDate, 'fromDate')));
  if (filter.toDate != null) conditions.push(compare(column, '<', isoDate(operation, filter.toDate, 'toDate')));
  return conditions;
}
