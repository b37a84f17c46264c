import { HarnessStorage, TABLE_HARNESS_SESSIONS, type HarnessPendingItemRecord, type SessionRecord, type SessionRecordUpdate } from '@mastra/core/storage';
import type { SqlStatement } from '../../client/types';
import { notFoundError, storageOperation, userError } from '../../errors';
import { upsertSql } from '../../sql/codec';
import { quoteIdentifier } from '../../sql/identifiers';
import { shallowMergeSql } from '../../sql/json';
import { D1Domain } from '../base';
import { requireText, serializeJson } from '../validation';
import { SESSION_COLUMNS, SESSION_SELECT, SESSIONS_TABLE, sessionValues, toSession } from './rows';

// The id of the pending item at `json_each(pending) AS e`; NULL for an element that is not an object.
const ITEM_ID = `(pending ->> (e.fullkey || '.id'))`;
const HAS_ITEM = (param: string) => `EXISTS (SELECT 1 FROM json_each(pending) AS e WHERE ${ITEM_ID} = ${param})`;
// Fields of a pending item that keep their stored value whatever an update says, as core's default does.
const FIXED_ITEM_FIELDS = new Set(['id', 'sessionId', 'createdAt', 'updatedAt']);

/**
 * Agent-controller sessions (`@mastra/core`'s harness contract; no 1.71 consumer yet). Core's default
 * helpers read the session and save it back whole, two round trips that lose a concurrent writer's
 * change; here each helper is one UPDATE that edits the row (its `pending` list with SQLite's JSON
 * functions) inside D1.
 */
export class HarnessStorageD1 extends D1Domain(HarnessStorage, {
  key: 'harness',
  tables: [SESSIONS_TABLE],
  retention: { tables: { sessions: { table: TABLE_HARNESS_SESSIONS, column: 'createdAt', indexed: true } }, order: ['sessions'] },
}) {
  get #table(): string {
    return this.ctx.tables(TABLE_HARNESS_SESSIONS);
  }

  async loadSession(sessionId: string): Promise<SessionRecord | null> {
    const op = 'loadSession';
    const params = [requireText(op, 'sessionId', sessionId)];
    return storageOperation(op, { sessionId }, async () => {
      const [row] = await this.ctx.driver.all({ sql: `SELECT ${SESSION_SELECT} FROM ${this.#table} WHERE id = ?`, params });
      return row ? toSession(row) : null;
    });
  }

  /** Creates or replaces the session whole, as LibSQLStore does. */
  async saveSession(record: SessionRecord): Promise<void> {
    const op = 'saveSession';
    const id = requireText(op, 'id', record?.id);
    const values = sessionValues(op, id, record as unknown as Record<string, unknown>, SESSION_COLUMNS);
    await storageOperation(op, { id }, () => this.ctx.driver.run(upsertSql(this.#table, SESSIONS_TABLE, values, { key: ['id'] }), { idempotent: true }));
  }

  /** The most recently active first. */
  async listSessions(): Promise<SessionRecord[]> {
    return storageOperation('listSessions', {}, async () => {
      const rows = await this.ctx.driver.all({ sql: `SELECT ${SESSION_SELECT} FROM ${this.#table} ORDER BY "lastActivityAt" DESC, id ASC`, params: [] });
      return rows.map(toSession);
    });
  }

  /**
   * Sets the fields `updates` has (a present key with value `undefined` clears it) and `lastActivityAt`
   * (now unless given); `id` and `createdAt` never change. Returns the session as core's default does: the
   * stored record over the updates given.
   */
  override async updateSession(sessionId: string, updates: SessionRecordUpdate): Promise<SessionRecord> {
    const op = 'updateSession';
    requireText(op, 'sessionId', sessionId);
    if (typeof updates !== 'object' || updates === null) throw userError(op, 'updates must be an object', { field: 'updates' });
    const columns = SESSION_COLUMNS.filter((c) => c !== 'id' && c !== 'createdAt' && c !== 'lastActivityAt' && Object.hasOwn(updates, c));
    const record = { ...updates, lastActivityAt: updates.lastActivityAt ?? new Date() };
    const values = sessionValues(op, sessionId, record, [...columns, 'lastActivityAt']);
    const set = [...columns, 'lastActivityAt'].map((c) => `${quoteIdentifier(c)} = ?`).join(', ');
    const stored = await this.#update(op, sessionId, { sql: `UPDATE ${this.#table} SET ${set} WHERE id = ? RETURNING ${SESSION_SELECT}`, params: [...values, sessionId] });
    return { ...updates, ...stored } as SessionRecord;
  }

  /** Appends `item` to the session's pending list; an item id already on the list is a USER error. */
  override async appendPendingItem(sessionId: string, item: HarnessPendingItemRecord): Promise<SessionRecord> {
    const op = 'appendPendingItem';
    requireText(op, 'sessionId', sessionId);
    const itemId = requireText(op, 'item.id', (item as { id?: unknown } | undefined)?.id);
    const json = serializeJson(op, item, `pending item ${itemId}`);
    const statement = {
      sql: `UPDATE ${this.#table} SET pending = json_insert(coalesce(pending, '[]'), '$[#]', json(?1)), "lastActivityAt" = ?2
        WHERE id = ?3 AND NOT ${HAS_ITEM('?4')} RETURNING ${SESSION_SELECT}`,
      params: [json, new Date().toISOString(), sessionId, itemId],
    };
    const exists = () => userError(op, `Pending item ${itemId} already exists on harness session ${sessionId}`, { sessionId, itemId }, 'PENDING_ITEM_EXISTS');
    return this.#update(op, sessionId, statement, exists, false);
  }

  /**
   * Shallow-merges `updates` into the pending item (a key given as `undefined` is removed) and stamps its
   * `updatedAt`; its id, session and `createdAt` are kept. A missing item is a USER error.
   */
  override async updatePendingItem(sessionId: string, pendingItemId: string, updates: Partial<Omit<HarnessPendingItemRecord, 'id' | 'sessionId' | 'createdAt'>>): Promise<SessionRecord> {
    const op = 'updatePendingItem';
    requireText(op, 'sessionId', sessionId);
    requireText(op, 'pendingItemId', pendingItemId);
    if (typeof updates !== 'object' || updates === null) throw userError(op, 'updates must be an object', { field: 'updates' });
    const now = new Date();
    const given = Object.entries(updates).filter(([key]) => !FIXED_ITEM_FIELDS.has(key));
    const patch = Object.fromEntries([...given.filter(([, value]) => value !== undefined), ['updatedAt', now]]);
    const omit = given.filter(([, value]) => value === undefined).map(([key]) => key);
    const element = '(pending -> e.fullkey)';
    const statement = {
      sql: `UPDATE ${this.#table} SET pending = (SELECT json_group_array(json(CASE WHEN ${ITEM_ID} = ?1 THEN ${shallowMergeSql(element, '?2', '?3')} ELSE ${element} END) ORDER BY e.key)
          FROM json_each(pending) AS e), "lastActivityAt" = ?4
        WHERE id = ?5 AND ${HAS_ITEM('?1')} RETURNING ${SESSION_SELECT}`,
      params: [pendingItemId, serializeJson(op, patch, `update of pending item ${pendingItemId}`), JSON.stringify(omit), now.toISOString(), sessionId],
    };
    const missing = () => notFoundError(op, `Pending item ${pendingItemId} was not found on harness session ${sessionId}`, { sessionId, pendingItemId });
    return this.#update(op, sessionId, statement, missing);
  }

  /** Removes the pending item if the session has it. */
  override async removePendingItem(sessionId: string, pendingItemId: string): Promise<SessionRecord> {
    const op = 'removePendingItem';
    requireText(op, 'sessionId', sessionId);
    requireText(op, 'pendingItemId', pendingItemId);
    const statement = {
      sql: `UPDATE ${this.#table} SET pending = (SELECT json_group_array(json(pending -> e.fullkey) ORDER BY e.key) FROM json_each(pending) AS e WHERE ${ITEM_ID} IS NOT ?1),
          "lastActivityAt" = ?2 WHERE id = ?3 RETURNING ${SESSION_SELECT}`,
      params: [pendingItemId, new Date().toISOString(), sessionId],
    };
    return this.#update(op, sessionId, statement);
  }

  /**
   * Runs one `UPDATE ... RETURNING` of the session and returns the stored record. When its WHERE has a
   * guard besides the id, the same batch reads whether the session exists, so a failed guard
   * (`guardFailure`) is told from a missing session in the one round trip.
   */
  async #update(operation: string, sessionId: string, update: SqlStatement, guardFailure?: () => Error, idempotent = true): Promise<SessionRecord> {
    const probe = { sql: `SELECT 1 FROM ${this.#table} WHERE id = ?`, params: [sessionId] };
    const [updated, found] = await storageOperation(operation, { sessionId }, () => this.ctx.driver.batch(guardFailure ? [update, probe] : [update], { idempotent }));
    const row = updated!.rows[0];
    if (row) return toSession(row);
    if (guardFailure && found!.rows.length > 0) throw guardFailure();
    throw notFoundError(operation, `Harness session ${sessionId} was not found`, { sessionId });
  }
}
