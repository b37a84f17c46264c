import { TABLE_THREAD_STATE, THREAD_STATE_SCHEMA, ThreadStateStorage } from '@mastra/core/storage';
import { storageOperation } from '../../errors';
import { encodeRow, upsertSql } from '../../sql/codec';
import type { TableSpec } from '../../sql/ddl';
import { D1Domain } from '../base';
import { requireText } from '../validation';

const STATE_TABLE: TableSpec = { name: TABLE_THREAD_STATE, columns: THREAD_STATE_SCHEMA, primaryKey: ['threadId', 'type'] };

/**
 * Per-thread state (the built-in task tools' task list, an agent's goal objective, ...), one value per
 * (thread, type), stored in D1 so every Worker sees what another one wrote. Each call is one statement.
 */
export class ThreadStateStorageD1 extends D1Domain(ThreadStateStorage, {
  key: 'threadState',
  tables: [STATE_TABLE],
  retention: { tables: { threadState: { table: TABLE_THREAD_STATE, column: 'updatedAt', indexed: true } }, order: ['threadState'] },
}) {
  async getState<T = unknown>(args: { threadId: string; type: string }): Promise<T | undefined> {
    const op = 'getState';
    const key = stateKey(op, args);
    return storageOperation(op, key, async () => {
      const [row] = await this.ctx.driver.all<{ value: string | null }>({
        sql: `SELECT value FROM ${this.ctx.tables(TABLE_THREAD_STATE)} WHERE "threadId" = ? AND type = ?`,
        params: [key.threadId, key.type],
      });
      return row?.value == null ? undefined : (JSON.parse(row.value) as T);
    });
  }

  /** Replaces the value whole; the first write's `createdAt` is kept. */
  async setState<T = unknown>(args: { threadId: string; type: string; value: T }): Promise<void> {
    const op = 'setState';
    const key = stateKey(op, args);
    const now = new Date();
    // As in LibSQLStore, an undefined or null value is stored as JSON null.
    const values = encodeRow(op, STATE_TABLE, { ...key, value: args.value, createdAt: now, updatedAt: now }, { record: `${key.type} state of thread ${key.threadId}` });
    const table = this.ctx.tables(TABLE_THREAD_STATE);
    await storageOperation(op, key, () => this.ctx.driver.run(upsertSql(table, STATE_TABLE, values, { key: ['threadId', 'type'], keep: ['createdAt'] }), { idempotent: true }));
  }

  async deleteState(args: { threadId: string; type: string }): Promise<void> {
    const op = 'deleteState';
    const key = stateKey(op, args);
    await storageOperation(op, key, () =>
      this.ctx.driver.run({ sql: `DELETE FROM ${this.ctx.tables(TABLE_THREAD_STATE)} WHERE "threadId" = ? AND type = ?`, params: [key.threadId, key.type] }, { idempotent: true }),
    );
  }
}

function stateKey(operation: string, args: { threadId: string; type: string }): { threadId: string; type: string } {
  return { threadId: requireText(operation, 'threadId', args?.threadId), type: requireText(operation, 'type', args?.type) };
}
