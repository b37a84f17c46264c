import { NotificationsStorage, TABLE_NOTIFICATIONS, type CreateNotificationInput, type ListDueNotificationsInput, type ListNotificationsInput, type NotificationRecord, type UpdateNotificationInput, type UpdateNotificationsStatusInput } from '@mastra/core/storage';
import type { SqlStatement } from '../../client/types';
import { notFoundError, storageOperation, userError } from '../../errors';
import { eq, where, type Condition } from '../../sql/query';
import { D1Domain } from '../base';
import { isoDate, requireText } from '../validation';
import { idList, listLimit, newRow, oneOrMany, statusChanges, textFilter, updateChanges } from './input';
import { NOTIFICATIONS_TABLE, toRecord } from './schema';
import { createStatement, DUE_ORDER, dueCondition, oneOf, searchCondition, selectStatement, updateStatement } from './sql';

/**
 * Agent notification signals (`agent.sendNotificationSignal`, the inbox tool, the deferred-delivery
 * dispatcher), shared by every Worker on the database. Each call is one round trip; coalescing and bulk
 * status changes are decided inside D1, so concurrent senders cannot split one record into two.
 */
export class NotificationsStorageD1 extends D1Domain(NotificationsStorage, {
  key: 'notifications',
  tables: [NOTIFICATIONS_TABLE],
  retention: { tables: { notifications: { table: TABLE_NOTIFICATIONS, column: 'createdAt', indexed: true } }, order: ['notifications'] },
}) {
  /** Creates a pending record, or folds it into the newest pending one with the same dedupe or coalesce key. */
  async createNotification(input: CreateNotificationInput): Promise<NotificationRecord> {
    const op = 'createNotification';
    const now = new Date();
    const row = newRow(op, input, now);
    const key = { threadId: row.threadId as string, id: row.id as string };
    const { rows } = await storageOperation(op, key, () => this.ctx.driver.run(createStatement(this.table, row, input, now)));
    const stored = rows[0];
    if (!stored) throw userError(op, `Notification ${key.id} already exists in thread ${key.threadId}`, key, 'ALREADY_EXISTS');
    return toRecord(stored);
  }

  /** A thread's records, most recently updated first. */
  async listNotifications(input: ListNotificationsInput): Promise<NotificationRecord[]> {
    const op = 'listNotifications';
    const filter = where([
      eq('threadId', requireText(op, 'threadId', input?.threadId)),
      oneOf('status', oneOrMany(op, 'status', input.status)),
      oneOf('priority', oneOrMany(op, 'priority', input.priority)),
      eq('source', textFilter(op, 'source', input.source)),
      eq('resourceId', textFilter(op, 'resourceId', input.resourceId)),
      eq('agentId', textFilter(op, 'agentId', input.agentId)),
      searchCondition(textFilter(op, 'search', input.search)),
    ]);
    return this.records(op, { threadId: input.threadId }, selectStatement(this.table, filter, '"updatedAt" DESC, id ASC', listLimit(op, input.limit)));
  }

  /** Pending records whose `deliverAt` or `summaryAt` has come, the earliest first. */
  async listDueNotifications(input: ListDueNotificationsInput): Promise<NotificationRecord[]> {
    const op = 'listDueNotifications';
    const filter = where([
      dueCondition(isoDate(op, input?.now, 'now')),
      eq('agentId', textFilter(op, 'agentId', input.agentId)),
      eq('resourceId', textFilter(op, 'resourceId', input.resourceId)),
    ]);
    return this.records(op, {}, selectStatement(this.table, filter, DUE_ORDER, listLimit(op, input.limit)));
  }

  async getNotification(input: { threadId: string; id: string }): Promise<NotificationRecord | null> {
    const op = 'getNotification';
    const key = recordKey(op, input);
    const [record] = await this.records(op, key, selectStatement(this.table, byKey(key), 'id', 1));
    return record ?? null;
  }

  /** Changes the given fields (a key left `undefined` keeps its value; `null` clears `deliverAt`/`summaryAt`). */
  async updateNotification(input: UpdateNotificationInput): Promise<NotificationRecord> {
    const op = 'updateNotification';
    const key = recordKey(op, input);
    const changes = updateChanges(op, input, new Date());
    const [record] = await this.records(op, key, updateStatement(this.table, changes, byKey(key)), true);
    if (!record) throw notFoundError(op, `Notification ${key.id} was not found for thread ${key.threadId}`, key);
    return record;
  }

  /** Sets one status on any number of a thread's records in one statement; unknown ids are skipped. */
  override async updateNotificationsStatus(input: UpdateNotificationsStatusInput): Promise<NotificationRecord[]> {
    const op = 'updateNotificationsStatus';
    const threadId = requireText(op, 'threadId', input?.threadId);
    const changes = statusChanges(op, input.status, new Date());
    const ids = idList(op, input.ids);
    if (!ids.length) return [];
    return this.records(op, { threadId }, updateStatement(this.table, changes, where([eq('threadId', threadId), oneOf('id', ids)])), true);
  }

  private get table(): string {
    return this.ctx.tables(TABLE_NOTIFICATIONS);
  }

  /** The records a read returns, or a `write` (an idempotent UPDATE ... RETURNING) changed. */
  private async records(op: string, details: Record<string, string>, statement: SqlStatement, write = false): Promise<NotificationRecord[]> {
    const { driver } = this.ctx;
    const rows = await storageOperation(op, details, async () => (write ? (await driver.run(statement, { idempotent: true })).rows : driver.all(statement)));
    return rows.map(toRecord);
  }
}

function recordKey(operation: string, input: { threadId: string; id: string }): { threadId: string; id: string } {
  return { threadId: requireText(operation, 'threadId', input?.threadId), id: requireText(operation, 'id', input?.id) };
}

const byKey = (key: { threadId: string; id: string }): Condition => where([eq('threadId', key.threadId), eq('id', key.id)]);
