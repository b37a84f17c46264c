import { NOTIFICATIONS_SCHEMA, TABLE_NOTIFICATIONS, type NotificationRecord } from '@mastra/core/storage';
import { decodeRow } from '../../sql/codec';
import type { TableSpec } from '../../sql/ddl';

/**
 * The notifications table, keyed by (thread, id) as core's TABLE_CONFIGS declares (LibSQLStore omits the
 * key, so a repeated id makes a second row there). Indexes: a thread's inbox by status and recency, the
 * coalescing match of `createNotification`, and the due scan by `deliverAt` and by `summaryAt` (two
 * indexes so SQLite can answer the `deliverAt <= now OR summaryAt <= now` condition from both).
 */
export const NOTIFICATIONS_TABLE: TableSpec = {
  name: TABLE_NOTIFICATIONS,
  columns: NOTIFICATIONS_SCHEMA,
  primaryKey: ['threadId', 'id'],
  indexes: [
    { name: 'thread_status_updated_idx', columns: ['threadId', 'status', 'updatedAt'] },
    { name: 'thread_updated_idx', columns: ['threadId', 'updatedAt'] },
    { name: 'coalescing_idx', columns: ['threadId', 'source', 'kind', 'status', 'agentId', 'resourceId', 'dedupeKey', 'coalesceKey'] },
    { name: 'due_deliver_idx', columns: ['status', 'deliverAt'] },
    { name: 'due_summary_idx', columns: ['status', 'summaryAt'] },
  ],
};

/** A stored row as core's record: NULL columns are left out, as LibSQLStore leaves them `undefined`. */
export function toRecord(row: Record<string, unknown>): NotificationRecord {
  return decodeRow<NotificationRecord>(NOTIFICATIONS_TABLE, row, { omitNull: true });
}
