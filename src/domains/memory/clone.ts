import type { StorageThreadType } from '@mastra/core/memory';
import { TABLE_MESSAGES, TABLE_THREADS, type StorageCloneThreadInput, type StorageCopyThreadOutput } from '@mastra/core/storage';
import type { SqlStatement } from '../../client/types';
import { columnList } from '../../sql/codec';
import type { TableNamer } from '../../sql/identifiers';
import { inJsonList, jsonList, placeholders } from '../../sql/params';
import { compare, eq, raw, where } from '../../sql/query';
import { userError } from '../../errors';
import { requireAtomicBatch } from '../atomic-batch';
import type { DomainContext } from '../base';
import { checkValueSize, isoTimestamp, optionalText, requireText } from '../validation';
import { threadFromRow } from './rows';
import { THREADS } from './schema';
import { conflictError, deleteThread, selectThread } from './threads';

// LibSQLStore names every copy and clone error `CLONE_THREAD_...`; so does this store.
const OP = 'cloneThread';

/** Old→new id pairs per copy statement; keeps the one JSON parameter far below D1's 2 MB value limit. */
const ID_PAIRS_PER_STATEMENT = 5_000;

/** Which source messages to copy, checked: bad input is a USER error naming the option before anything is read. */
interface Selection {
  start?: string;
  end?: string;
  messageIds?: string[];
  /** The newest `limit` messages only; absent for all. */
  limit?: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `options` as LibSQLStore reads them: a falsy date, an empty id list or a limit <= 0 filters nothing. */
function selection(options: unknown): Selection {
  if (options === undefined || options === null) return {};
  if (!isObject(options)) throw userError(OP, 'options must be an object', { field: 'options' });
  const filter = options.messageFilter ?? {};
  if (!isObject(filter)) throw userError(OP, 'options.messageFilter must be an object', { field: 'options.messageFilter' });
  const { startDate, endDate } = filter;
  const messageIds = filter.messageIds ?? [];
  if (!Array.isArray(messageIds)) throw userError(OP, 'options.messageFilter.messageIds must be an array', { field: 'options.messageFilter.messageIds' });
  const limit = options.messageLimit ?? 0;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit)) throw userError(OP, 'options.messageLimit must be an integer', { field: 'options.messageLimit' });
  const ids = (messageIds as unknown[]).map((id, i) => requireText(OP, `options.messageFilter.messageIds[${i}]`, id));
  return {
    start: startDate ? isoTimestamp(OP, 'options.messageFilter.startDate', startDate) : undefined,
    end: endDate ? isoTimestamp(OP, 'options.messageFilter.endDate', endDate) : undefined,
    messageIds: ids.length > 0 ? ids : undefined,
    limit: limit > 0 ? limit : undefined,
  };
}

/**
 * Ids of the messages to copy, oldest first (ties by id). With `limit`, the newest `limit` of them. Only
 * ids leave D1; the content is copied by `copyMessages` without passing through this process.
 */
function selectSourceIds(tables: TableNamer, threadId: string, { start, end, messageIds, limit }: Selection): SqlStatement {
  const filter = where([
    eq('thread_id', threadId),
    compare('createdAt', '>=', start),
    compare('createdAt', '<=', end),
    messageIds && raw(inJsonList('id'), jsonList(messageIds)),
  ]);
  const matching = `SELECT id, "createdAt" FROM ${tables(TABLE_MESSAGES)}${filter.sql}`;
  if (limit === undefined) return { sql: `SELECT id FROM (${matching}) ORDER BY "createdAt" ASC, id ASC`, params: filter.params };
  return { sql: `SELECT id FROM (${matching} ORDER BY "createdAt" DESC, id DESC LIMIT ?) ORDER BY "createdAt" ASC, id ASC`, params: [...filter.params, limit] };
}

/** A plain INSERT of the new thread: a retry after an unknown outcome must fail, not duplicate. */
const insertThread = (tables: TableNamer, thread: StorageThreadType, now: string): SqlStatement => ({
  sql: `INSERT INTO ${tables(TABLE_THREADS)} (${columnList(THREADS)}) VALUES (${placeholders(6)})`,
  params: [thread.id, thread.resourceId, thread.title ?? '', JSON.stringify(thread.metadata), now, now],
});

/** `INSERT ... SELECT`: each source row is copied inside D1 under its new id, thread and resource. */
const copyMessages = (tables: TableNamer, pairs: [string, string][], threadId: string, resourceId: string): SqlStatement => ({
  sql: `INSERT INTO ${tables(TABLE_MESSAGES)} (id, thread_id, content, role, type, "createdAt", "resourceId")
    SELECT pair.value ->> 1, ?, m.content, m.role, m.type, m."createdAt", ?
    FROM json_each(?) AS pair JOIN ${tables(TABLE_MESSAGES)} AS m ON m.id = pair.value ->> 0`,
  params: [threadId, resourceId, JSON.stringify(pairs)],
});

/**
 * Copies a thread and (a selection of) its messages to a new thread inside D1: one read batch (source
 * thread, target-id check, source message ids) and one atomic write batch (the new thread plus
 * `INSERT ... SELECT` of the messages), so a custom `client`, whose batches are not atomic, is refused.
 * Message payloads never load into this process.
 * Observational Memory is not touched here: `@mastra/memory` clones it through `insertObservationalMemoryRecord`.
 */
export async function copyThread(ctx: DomainContext, args: StorageCloneThreadInput): Promise<StorageCopyThreadOutput> {
  const sourceThreadId = requireText(OP, 'sourceThreadId', args?.sourceThreadId);
  const newThreadId = args.newThreadId === undefined ? crypto.randomUUID() : requireText(OP, 'newThreadId', args.newThreadId);
  const resourceId = optionalText(OP, 'resourceId', args.resourceId);
  const title = optionalText(OP, 'title', args.title);
  if (args.metadata !== undefined && !isObject(args.metadata)) throw userError(OP, 'metadata must be an object', { field: 'metadata' });
  const selected = selection(args.options);
  requireAtomicBatch(ctx.driver, OP);
  const [source, existing, ids] = await ctx.driver.batch(
    [selectThread(ctx.tables, sourceThreadId), selectThread(ctx.tables, newThreadId), selectSourceIds(ctx.tables, sourceThreadId, selected)],
    { idempotent: true },
  );
  if (!source!.rows[0]) throw userError(OP, `Source thread with id ${sourceThreadId} not found`, { sourceThreadId }, 'SOURCE_NOT_FOUND');
  if (existing!.rows[0]) throw userError(OP, `Thread with id ${newThreadId} already exists`, { newThreadId }, 'THREAD_EXISTS');
  const sourceThread = threadFromRow(source!.rows[0]);

  const sourceIds = ids!.rows.map((row) => row.id as string);
  const messageIdMap: Record<string, string> = {};
  const pairs: [string, string][] = sourceIds.map((id) => [id, (messageIdMap[id] = crypto.randomUUID())]);
  const now = new Date();
  const lastMessageId = sourceIds[sourceIds.length - 1];
  const thread: StorageThreadType = {
    id: newThreadId,
    resourceId: resourceId || sourceThread.resourceId,
    title: title || (sourceThread.title ? `Clone of ${sourceThread.title}` : ''),
    metadata: { ...args.metadata, clone: { sourceThreadId, clonedAt: now, ...(lastMessageId && { lastMessageId }) } },
    createdAt: now,
    updatedAt: now,
  };
  checkValueSize(OP, `Thread ${newThreadId} metadata`, JSON.stringify(thread.metadata));

  const statements = [insertThread(ctx.tables, thread, now.toISOString())];
  for (let i = 0; i < pairs.length; i += ID_PAIRS_PER_STATEMENT) {
    statements.push(copyMessages(ctx.tables, pairs.slice(i, i + ID_PAIRS_PER_STATEMENT), newThreadId, thread.resourceId));
  }
  const results = await ctx.driver.batch(statements);
  const copied = results.slice(1).reduce((sum, r) => sum + r.changes, 0);
  if (copied !== pairs.length) {
    // A source message was deleted between the two round trips; undo rather than return a partial copy.
    await deleteThread(ctx, newThreadId);
    throw conflictError(OP, `Messages of thread ${sourceThreadId} were deleted while it was being copied; the copy was rolled back`, { sourceThreadId, newThreadId });
  }
  return { thread, messageIdMap };
}
