import { MessageList } from '@mastra/core/agent';
import type { MastraDBMessage } from '@mastra/core/memory';
import { TABLE_MESSAGES, TABLE_THREADS } from '@mastra/core/storage';
import type { D1Value, SqlStatement } from '../../client/types';
import { userError } from '../../errors';
import type { TableNamer } from '../../sql/identifiers';
import { chunkRows, inJsonList, jsonList } from '../../sql/params';
import type { DomainContext } from '../base';
import { isJsonObjectSql, shallowMergeSql } from '../../sql/json';
import { MESSAGE_COLUMNS, messageFromRow } from './rows';
import { checkValueSize, isoTimestamp, requireText } from '../validation';

const INSERT_COLUMNS = 7;

const upsertMessages = (tables: TableNamer, rows: D1Value[][]): SqlStatement => ({
  sql: `INSERT INTO ${tables(TABLE_MESSAGES)} (id, thread_id, content, role, type, "createdAt", "resourceId")
    VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}
    ON CONFLICT(id) DO UPDATE SET thread_id = excluded.thread_id, content = excluded.content, role = excluded.role,
      type = excluded.type, "resourceId" = excluded."resourceId"`,
  params: rows.flat(),
});

const touchThreads = (tables: TableNamer, threadIds: string[], now: string): SqlStatement => ({
  sql: `UPDATE ${tables(TABLE_THREADS)} SET "updatedAt" = ? WHERE ${inJsonList('id')}`,
  params: [now, jsonList(threadIds)],
});

/** Bumps the threads that currently hold these messages; placed before a change that moves or deletes them. */
const touchThreadsOfMessages = (tables: TableNamer, messageIds: string[], extraThreadIds: string[], now: string): SqlStatement => ({
  sql: `UPDATE ${tables(TABLE_THREADS)} SET "updatedAt" = ?
    WHERE id IN (SELECT thread_id FROM ${tables(TABLE_MESSAGES)} WHERE ${inJsonList('id')}) OR ${inJsonList('id')}`,
  params: [now, jsonList(messageIds), jsonList(extraThreadIds)],
});

const selectMessagesById = (tables: TableNamer, ids: string[], order: string): SqlStatement => ({
  sql: `SELECT ${MESSAGE_COLUMNS} FROM ${tables(TABLE_MESSAGES)} WHERE ${inJsonList('id')} ORDER BY ${order}`,
  params: [jsonList(ids)],
});

const deleteMessagesById = (tables: TableNamer, ids: string[]): SqlStatement => ({
  sql: `DELETE FROM ${tables(TABLE_MESSAGES)} WHERE ${inJsonList('id')}`,
  params: [jsonList(ids)],
});

/**
 * The new content of an updated message, merged inside D1 as LibSQLStore merges it in JS:
 * `{ ...stored, ...patch }`, except that `metadata` is itself shallow-merged when both sides have one.
 * The patch is bound as `?1` (and its metadata as `?2`): it must be the first SET of its statement so
 * the plain `?`s after it number on from there.
 */
function contentMerge(patch: Record<string, unknown>): { sql: string; params: D1Value[] } {
  const merged = shallowMergeSql('content', '?1');
  const json = JSON.stringify(patch);
  const metadata = patch.metadata;
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) return { sql: merged, params: [json] };
  const storedMetadata = `(content -> '$.metadata')`;
  return {
    sql: `CASE WHEN ${isJsonObjectSql(storedMetadata)} THEN json_set(${merged}, '$.metadata', json(${shallowMergeSql(storedMetadata, '?2')})) ELSE ${merged} END`,
    params: [json, JSON.stringify(metadata)],
  };
}

type MessageUpdate = Partial<Omit<MastraDBMessage, 'createdAt'>> & { id: string };

/** Columns a message update may set, by the field name core uses; each takes a non-empty string. */
const UPDATABLE_COLUMNS = { role: 'role', type: 'type', threadId: 'thread_id', resourceId: '"resourceId"' } as const;

function updateStatement(tables: TableNamer, update: MessageUpdate, index: number): SqlStatement | undefined {
  const op = 'updateMessages';
  const sets: string[] = [];
  const params: D1Value[] = [];
  if (update.content !== undefined) {
    if (update.content === null || typeof update.content !== 'object') throw userError(op, `Message ${update.id}: content must be an object`, { messageId: update.id });
    const merge = contentMerge(update.content as Record<string, unknown>);
    for (const param of merge.params) checkValueSize(op, `Message ${update.id} content`, param as string);
    sets.push(`content = ${merge.sql}`);
    params.push(...merge.params);
  }
  for (const [field, column] of Object.entries(UPDATABLE_COLUMNS)) {
    const value: unknown = update[field as keyof typeof UPDATABLE_COLUMNS];
    if (value === undefined) continue;
    sets.push(`${column} = ?`);
    params.push(requireText(op, `messages[${index}].${field} (message ${update.id})`, value));
  }
  if (sets.length === 0) return undefined;
  return { sql: `UPDATE ${tables(TABLE_MESSAGES)} SET ${sets.join(', ')} WHERE id = ?`, params: [...params, update.id] };
}

function messageRow(message: MastraDBMessage, index: number, now: Date): D1Value[] {
  const op = 'saveMessages';
  const id = requireText(op, `messages[${index}].id`, message?.id);
  const threadId = requireText(op, `messages[${index}].threadId (message ${id})`, message.threadId);
  const resourceId = requireText(op, `messages[${index}].resourceId (message ${id})`, message.resourceId);
  const role = requireText(op, `messages[${index}].role (message ${id})`, message.role);
  if (message.content === undefined || message.content === null) throw userError(op, `Message ${id} has no content`, { messageId: id });
  const content = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
  checkValueSize(op, `Message ${id} content`, content);
  const createdAt = message.createdAt === undefined ? now.toISOString() : isoTimestamp(op, `messages[${index}].createdAt`, message.createdAt);
  return [id, threadId, content, role, message.type || 'v2', createdAt, resourceId];
}

/**
 * Upserts messages by id (a known id may move to another thread) and bumps their threads' `updatedAt`:
 * ONE batch whatever the count, with multi-row INSERTs chunked under the 100-parameter limit. Every
 * message is checked first, so bad input or an oversized message writes nothing.
 */
export async function saveMessages(ctx: DomainContext, messages: MastraDBMessage[]): Promise<{ messages: MastraDBMessage[] }> {
  if (!Array.isArray(messages)) throw userError('saveMessages', 'messages must be an array');
  if (messages.length === 0) return { messages };
  const now = new Date();
  const rows = messages.map((message, index) => messageRow(message, index, now));
  const threadIds = [...new Set(rows.map((row) => row[1] as string))];
  const statements = chunkRows(rows, INSERT_COLUMNS).map((chunk) => upsertMessages(ctx.tables, chunk));
  statements.push(touchThreads(ctx.tables, threadIds, now.toISOString()));
  await ctx.driver.batch(statements, { idempotent: true });
  return { messages: new MessageList().add(messages, 'memory').get.all.db() };
}

/**
 * Applies partial updates (content and metadata merged in SQL; role, type, threadId, resourceId set) and
 * bumps the old and new threads, then reads the messages back: all in ONE batch.
 */
export async function updateMessages(ctx: DomainContext, updates: MessageUpdate[]): Promise<MastraDBMessage[]> {
  const op = 'updateMessages';
  if (!Array.isArray(updates)) throw userError(op, 'messages must be an array');
  if (updates.length === 0) return [];
  updates.forEach((update, index) => requireText(op, `messages[${index}].id`, update?.id));
  const changes = updates.map((update, index) => ({ update, statement: updateStatement(ctx.tables, update, index) }));
  const changed = changes.filter((c) => c.statement);
  const ids = updates.map((update) => update.id);
  const statements: SqlStatement[] = [];
  if (changed.length > 0) {
    const movedTo = changed.flatMap((c) => (c.update.threadId ? [c.update.threadId] : []));
    statements.push(touchThreadsOfMessages(ctx.tables, changed.map((c) => c.update.id), movedTo, new Date().toISOString()));
    statements.push(...changed.map((c) => c.statement!));
  }
  statements.push(selectMessagesById(ctx.tables, ids, 'id'));
  const results = await ctx.driver.batch(statements, { idempotent: true });
  return results[results.length - 1]!.rows.map(messageFromRow);
}

/** Deletes messages by id and bumps the threads they were in, in one batch. */
export async function deleteMessages(ctx: DomainContext, messageIds: string[]): Promise<void> {
  const op = 'deleteMessages';
  if (!Array.isArray(messageIds)) throw userError(op, 'messageIds must be an array');
  if (messageIds.length === 0) return;
  messageIds.forEach((id, index) => requireText(op, `messageIds[${index}]`, id));
  await ctx.driver.batch(
    [touchThreadsOfMessages(ctx.tables, messageIds, [], new Date().toISOString()), deleteMessagesById(ctx.tables, messageIds)],
    { idempotent: true },
  );
}

/** Messages by id, any number of them (the id list is one JSON parameter), ordered as LibSQLStore returns them. */
export async function listMessagesById(ctx: DomainContext, messageIds: string[]): Promise<{ messages: MastraDBMessage[] }> {
  if (!Array.isArray(messageIds)) throw userError('listMessagesById', 'messageIds must be an array');
  if (messageIds.length === 0) return { messages: [] };
  messageIds.forEach((id, index) => requireText('listMessagesById', `messageIds[${index}]`, id));
  const rows = await ctx.driver.all(selectMessagesById(ctx.tables, messageIds, '"createdAt" DESC'));
  return { messages: new MessageList().add(rows.map(messageFromRow), 'memory').get.all.db() };
}
