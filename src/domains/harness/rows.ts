import { HARNESS_SESSIONS_SCHEMA, TABLE_HARNESS_SESSIONS, type HarnessPendingItemRecord, type SessionRecord } from '@mastra/core/storage';
import type { D1Value } from '../../client/types';
import { userError } from '../../errors';
import { columnList, decodeRow, encodeRow } from '../../sql/codec';
import type { TableSpec } from '../../sql/ddl';

/** Harness sessions, listed by latest activity. */
export const SESSIONS_TABLE: TableSpec = {
  name: TABLE_HARNESS_SESSIONS,
  columns: HARNESS_SESSIONS_SCHEMA,
  indexes: [{ name: 'activity_idx', columns: ['lastActivityAt DESC', 'id'] }],
};

export const SESSION_COLUMNS = Object.keys(SESSIONS_TABLE.columns);
export const SESSION_SELECT = columnList(SESSIONS_TABLE);

const ITEM_FIELDS = ['id', 'kind', 'status', 'sessionId', 'runId', 'traceId', 'runtimeCompatibilityGeneration', 'payload', 'response'] as const;

/** A stored pending item as core's record: its known fields, dates as `Date`s (as LibSQLStore reads them). */
function toPendingItem(stored: HarnessPendingItemRecord): HarnessPendingItemRecord {
  const item = stored as unknown as Record<string, unknown>;
  const record: Record<string, unknown> = Object.fromEntries(ITEM_FIELDS.filter((field) => field in item).map((field) => [field, item[field]]));
  return { ...record, createdAt: new Date(item.createdAt as string), updatedAt: new Date(item.updatedAt as string) } as HarnessPendingItemRecord;
}

/** A stored row as core's record: NULL columns are left out, as LibSQLStore leaves them. */
export function toSession(row: Record<string, unknown>): SessionRecord {
  const session = decodeRow<SessionRecord>(SESSIONS_TABLE, row, { omitNull: true });
  if (Array.isArray(session.pending)) session.pending = session.pending.map(toPendingItem);
  return session;
}

/**
 * `record`'s values for `columns`, refusing a missing required field and a `pending` that is not a list
 * (the pending-item helpers edit it as a JSON array). An `undefined` or `null` optional field is NULL.
 */
export function sessionValues(operation: string, sessionId: string, record: Record<string, unknown>, columns: readonly string[]): D1Value[] {
  if (record.pending != null && !Array.isArray(record.pending)) throw userError(operation, 'pending must be an array', { field: 'pending' });
  const values = encodeRow(operation, SESSIONS_TABLE, record, { record: `harness session ${sessionId}`, columns });
  columns.forEach((column, i) => {
    if (values[i] === null && SESSIONS_TABLE.columns[column]!.nullable === false) throw userError(operation, `${column} is required`, { field: column });
  });
  return values;
}
