import type { StorageThreadType } from '@mastra/core/memory';
import { TABLE_MESSAGES, TABLE_THREADS, type StorageCloneThreadInput, type StorageCopyThreadOutput } from '@mastra/core/storage';
import type { D1Value, SqlStatement } from '../../client/types';
import { userError } from '../../errors';
import type { TableNamer } from '../../sql/identifiers';
import { inJsonList, jsonList } from '../../sql/params';
import type { DomainContext } from '../base';
import { threadFromRow } from './rows';
import { deleteThread } from './threads';
import { checkValueSize, requireText } from '../validation';

/** Old→new id pairs per copy statement; keeps the one JSON parameter far below D1's 2 MB value limit. */
const ID_PAIRS_PER_STATEMENT = 5_000;

const selectThread = (tables: TableNamer, id: string): SqlStatement => ({ sql: `SELECT * FROM ${tables(TABLE_THREADS)} WHERE id = ?`, params: [id] });

/**
 * Ids of the messages to copy, oldest first. With `limit`, the newest `limit` of them. Only ids leave D1;
 * the content is copied by `copyMessages` without passing through this process.
 */
function selectSourceIds(tables: TableNamer, threadId: string, options: StorageCloneThreadInput['options']): SqlStatement {
  const conditions = ['thread_id = ?'];
  const params: D1Value[] = [threadId];
  const filter = options?.messageFilter;
  if (filter?.startDate) {
    conditions.push('"createdAt" >= ?');
    params.push(new Date(filter.startDate).toISOString());
  }
  if (filter?.endDate) {
    conditions.push('"createdAt" <= ?');
    params.push(new Date(filter.endDate).toISOString());
  }
  if (filter?.messageIds?.length) {
    conditions.push(inJsonList('id'));
    params.push(jsonList(filter.messageIds));
  }
  const matching = `SELECT id, "createdAt" FROM ${tables(TABLE_MESSAGES)} WHERE ${conditions.join(' AND ')}`;
  if (options?.messageLimit && options.messageLimit > 0) {
    return { sql: `SELECT id FROM (${matching} ORDER BY "createdAt" DESC, id DESC LIMIT ?) ORDER BY "createdAt" ASC, id ASC`, params: [...params, options.messageLimit] };
  }
  return { sql: `SELECT id FROM (${matching}) ORDER BY "createdAt" ASC, id ASC`, params };
}

const insertThread = (tables: TableNamer, thread: StorageThreadType, now: string): SqlStatement => ({
  sql: `INSERT INTO ${tables(TABLE_THREADS)} (id, "resourceId", title, metadata, "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)`,
  params: [thread.id, thread.resourceId, thread.title ?? '', JSON.stringify(thread.metadata), now, now],
});

/** `INSERT ... SELECT`: each source row is copied inside D1 under its new id, thread and resource. */
const copyMessages = (tables: TableNamer, pairs: [string, string][], threadId: string, resourceId: string): SqlStatement => ({
  sql: `INSERT INTO ${tables(TABLE_MESSAGES)} (id, thread_id, content, role, type, "createdAt", "resourceId")
    SELECT pair.value ->> 1, ?, m.content, m.role, m.type, m."createdAt", ?
    FROM json_each(?) AS pair JOIN ${tables(TABLE_MESSAGES)} AS m ON m.id = pair.value ->> 0`,
  params: [threadId, resourceId, JSON.stringify(pairs)],
});

const userFailure = (status: string, text: string, details: Record<string, string>) => userError('cloneThread', text, details, status);

/**
 * Copies a thread and (a selection of) its messages to a new thread inside D1: one read batch (source
 * thread, target-id check, source message ids) and one atomic write batch (the new thread plus
 * `INSERT ... SELECT` of the messages). Message payloads never load into this process.
 * Observational Memory is not touched here: `@mastra/memory` clones it through `insertObservationalMemoryRecord`.
 */
export async function copyThread(ctx: DomainContext, args: StorageCloneThreadInput): Promise<StorageCopyThreadOutput> {
  const op = 'copyThread';
  const sourceThreadId = requireText(op, 'sourceThreadId', args?.sourceThreadId);
  const newThreadId = args.newThreadId === undefined ? crypto.randomUUID() : requireText(op, 'newThreadId', args.newThreadId);
  const [source, existing, ids] = await ctx.driver.batch(
    [selectThread(ctx.tables, sourceThreadId), selectThread(ctx.tables, newThreadId), selectSourceIds(ctx.tables, sourceThreadId, args.options)],
    { idempotent: true },
  );
  if (!source!.rows[0]) throw userFailure('SOURCE_NOT_FOUND', `Source thread with id ${sourceThreadId} not found`, { sourceThreadId });
  if (existing!.rows[0]) throw userFailure('THREAD_EXISTS', `Thread with id ${newThreadId} already exists`, { newThreadId });
  const sourceThread = threadFromRow(source!.rows[0]);

  const sourceIds = ids!.rows.map((row) => row.id as string);
  const messageIdMap: Record<string, string> = {};
  const pairs: [string, string][] = sourceIds.map((id) => [id, (messageIdMap[id] = crypto.randomUUID())]);
  const now = new Date();
  const lastMessageId = sourceIds[sourceIds.length - 1];
  const thread: StorageThreadType = {
    id: newThreadId,
    resourceId: args.resourceId || sourceThread.resourceId,
    title: args.title || (sourceThread.title ? `Clone of ${sourceThread.title}` : ''),
    metadata: { ...args.metadata, clone: { sourceThreadId, clonedAt: now, ...(lastMessageId && { lastMessageId }) } },
    createdAt: now,
    updatedAt: now,
  };
  checkValueSize(op, `Thread ${newThreadId} metadata`, JSON.stringify(thread.metadata));

  const statements = [insertThread(ctx.tables, thread, now.toISOString())];
  for (let i = 0; i < pairs.length; i += ID_PAIRS_PER_STATEMENT) {
    statements.push(copyMessages(ctx.tables, pairs.slice(i, i + ID_PAIRS_PER_STATEMENT), newThreadId, thread.resourceId));
  }
  // A plain INSERT of the new thread: a retry after an unknown outcome must fail, not duplicate.
  const results = await ctx.driver.batch(statements);
  const copied = results.slice(1).reduce((sum, r) => sum + r.changes, 0);
  if (copied !== pairs.length) {
    // A source message was deleted between the two round trips; undo rather than return a partial copy.
    await deleteThread(ctx, newThreadId);
    throw new Error(`Copying thread ${sourceThreadId}: expected ${pairs.length} messages copied, got ${copied}; the copy was rolled back`);
  }
  return { thread, messageIdMap };
}
