import { ErrorCategory, ErrorDomain, MastraError } from '@mastra/core/error';
import type { StorageThreadType } from '@mastra/core/memory';
import { createStorageErrorId, TABLE_MESSAGES, TABLE_OBSERVATIONAL_MEMORY, TABLE_THREADS } from '@mastra/core/storage';
import { isRetryable } from '../../client/retry';
import type { D1Value, SqlStatement } from '../../client/types';
import { notFoundError, userError } from '../../errors';
import { upsertSql } from '../../sql/codec';
import type { TableNamer } from '../../sql/identifiers';
import { shallowMergeSql } from '../../sql/json';
import type { DomainContext } from '../base';
import { checkValueSize, isoTimestamp, objectJson, optionalText, requireText } from '../validation';
import { omLookupKey } from './observational-rows';
import { threadFromRow } from './rows';
import { THREADS } from './schema';

/** One thread by id; with `resourceId`, only if it belongs to that resource. */
export const selectThread = (tables: TableNamer, id: string, resourceId?: string): SqlStatement =>
  resourceId === undefined
    ? { sql: `SELECT * FROM ${tables(TABLE_THREADS)} WHERE id = ?`, params: [id] }
    : { sql: `SELECT * FROM ${tables(TABLE_THREADS)} WHERE id = ? AND "resourceId" = ?`, params: [id, resourceId] };

const patchThread = (tables: TableNamer, id: string, title: string | null, metadataPatch: string | undefined, now: string): SqlStatement =>
  metadataPatch === undefined
    ? { sql: `UPDATE ${tables(TABLE_THREADS)} SET title = COALESCE(?, title), "updatedAt" = ? WHERE id = ? RETURNING *`, params: [title, now, id] }
    : {
        sql: `UPDATE ${tables(TABLE_THREADS)} SET title = COALESCE(?1, title), metadata = ${shallowMergeSql('metadata', '?2')}, "updatedAt" = ?3 WHERE id = ?4 RETURNING *`,
        params: [title, metadataPatch, now, id],
      };

/** Writes the new metadata only if the row still holds what was read: the compare half of compare-and-set. */
const swapMetadata = (tables: TableNamer, id: string, expected: unknown, next: string, now: string): SqlStatement => ({
  sql: `UPDATE ${tables(TABLE_THREADS)} SET metadata = ?, "updatedAt" = ? WHERE id = ? AND metadata IS ? RETURNING *`,
  params: [next, now, id, (expected ?? null) as D1Value],
});

const deleteThreadStatements = (tables: TableNamer, threadId: string): SqlStatement[] => [
  { sql: `DELETE FROM ${tables(TABLE_MESSAGES)} WHERE thread_id = ?`, params: [threadId] },
  { sql: `DELETE FROM ${tables(TABLE_OBSERVATIONAL_MEMORY)} WHERE "lookupKey" = ?`, params: [omLookupKey(threadId, '')] },
  { sql: `DELETE FROM ${tables(TABLE_THREADS)} WHERE id = ?`, params: [threadId] },
];

/**
 * Moves a thread and its messages to another resource. The messages follow only when the thread row was
 * changed by this very statement (its `updatedAt` is this call's timestamp), so a same-resource call
 * touches nothing, as in LibSQLStore.
 */
const moveThreadStatements = (tables: TableNamer, threadId: string, resourceId: string, now: string): SqlStatement[] => [
  {
    sql: `UPDATE ${tables(TABLE_THREADS)} SET "resourceId" = ?, "updatedAt" = ? WHERE id = ? AND "resourceId" IS NOT ?`,
    params: [resourceId, now, threadId, resourceId],
  },
  {
    sql: `UPDATE ${tables(TABLE_MESSAGES)} SET "resourceId" = ? WHERE thread_id = ?
      AND EXISTS (SELECT 1 FROM ${tables(TABLE_THREADS)} WHERE id = ? AND "resourceId" = ? AND "updatedAt" = ?)`,
    params: [resourceId, threadId, threadId, resourceId, now],
  },
  selectThread(tables, threadId),
];

/** How many times `updateThreadMetadata` re-reads and retries when another writer or a transient failure got in between. */
const METADATA_SWAP_ATTEMPTS = 10;

/** A short random pause before re-reading, so writers that collided do not collide again in lockstep. */
const backOff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(5 * 2 ** attempt, 200)));

const notFound = (operation: string, threadId: string) => notFoundError(operation, `Thread ${threadId} not found`, { status: 404, threadId });

/** A write that kept losing to concurrent writers: not bad input, and calling again may succeed. */
export function conflictError(operation: string, text: string, details: Record<string, string>): MastraError {
  return new MastraError({
    id: createStorageErrorId('CLOUDFLARE_D1', operation, 'CONFLICT'),
    domain: ErrorDomain.STORAGE,
    category: ErrorCategory.THIRD_PARTY,
    text,
    details,
  });
}

/**
 * One thread, or null; with `resourceId`, only if it belongs to that resource. An empty id matches no
 * thread, as in LibSQLStore; an id that is not a string is a USER error.
 */
export async function getThread(ctx: DomainContext, threadId: unknown, resourceId?: string): Promise<StorageThreadType | null> {
  const op = 'getThreadById';
  if (typeof threadId !== 'string') throw userError(op, 'threadId must be a string', { field: 'threadId' });
  optionalText(op, 'resourceId', resourceId);
  const [row] = await ctx.driver.all(selectThread(ctx.tables, threadId, resourceId));
  return row ? threadFromRow(row) : null;
}

/** Inserts or fully replaces a thread (one upsert). */
export async function saveThread(ctx: DomainContext, thread: StorageThreadType): Promise<StorageThreadType> {
  const op = 'saveThread';
  const id = requireText(op, 'thread.id', thread?.id);
  const resourceId = requireText(op, 'thread.resourceId', thread.resourceId);
  const metadata = objectJson(op, `Thread ${id} metadata`, thread.metadata) ?? null;
  checkValueSize(op, `Thread ${id} title`, thread.title ?? null);
  const createdAt = isoTimestamp(op, 'thread.createdAt', thread.createdAt);
  const updatedAt = isoTimestamp(op, 'thread.updatedAt', thread.updatedAt);
  // The column is NOT NULL in core's schema; an untitled thread is stored with an empty title.
  const values = [id, resourceId, thread.title ?? '', metadata, createdAt, updatedAt];
  await ctx.driver.run(upsertSql(ctx.tables(TABLE_THREADS), THREADS, values, { key: ['id'] }), { idempotent: true });
  return thread;
}

/**
 * Partial update in one statement: an omitted title or metadata is left as it is, given metadata is
 * shallow-merged into the stored object inside D1, and the updated row comes back via RETURNING.
 */
export async function updateThread(
  ctx: DomainContext,
  args: { id: string; title?: string | null; metadata?: Record<string, unknown> },
): Promise<StorageThreadType> {
  const op = 'updateThread';
  const id = requireText(op, 'id', args?.id);
  // A null title keeps the stored one, as LibSQLStore's `title ?? thread.title` does.
  const title = args.title === null ? undefined : optionalText(op, 'title', args.title);
  checkValueSize(op, `Thread ${id} title`, title ?? null);
  const patch = objectJson(op, `Thread ${id} metadata`, args.metadata);
  const { rows } = await ctx.driver.run(patchThread(ctx.tables, id, title ?? null, patch, new Date().toISOString()), { idempotent: true });
  if (!rows[0]) throw notFound(op, id);
  return threadFromRow(rows[0]);
}

/**
 * Read-modify-write of a thread's metadata that is safe across processes: the write only lands if the
 * stored metadata is still the one `update` saw (compare-and-set); otherwise it re-reads and retries.
 * A transient failure of the write also re-reads and retries: the write is never repeated blindly, and
 * one that landed although its reply was lost is recognized by the row holding exactly what it wrote.
 * The returned keys are merged over the current metadata, as core's `patchThread` does.
 */
export async function updateThreadMetadata(
  ctx: DomainContext,
  args: { id: string; resourceId?: string; update: (thread: StorageThreadType) => Record<string, unknown> | undefined },
): Promise<StorageThreadType | null> {
  const op = 'updateThreadMetadata';
  const id = requireText(op, 'id', args?.id);
  let unanswered: { metadata: string; updatedAt: string; error: unknown } | undefined;
  for (let attempt = 0; attempt < METADATA_SWAP_ATTEMPTS; attempt++) {
    if (attempt > 0) await backOff(attempt);
    const [row] = await ctx.driver.all(selectThread(ctx.tables, id, args.resourceId));
    if (!row) return null;
    if (unanswered && row.metadata === unanswered.metadata && row.updatedAt === unanswered.updatedAt) return threadFromRow(row);
    const thread = threadFromRow(row);
    const patch = args.update(thread);
    if (!patch) return thread;
    const next = JSON.stringify({ ...thread.metadata, ...patch });
    checkValueSize(op, `Thread ${id} metadata`, next);
    const now = new Date().toISOString();
    unanswered = undefined;
    try {
      // Not retried by the driver (not idempotent): after an unknown outcome this loop re-reads instead.
      const { rows } = await ctx.driver.run(swapMetadata(ctx.tables, id, row.metadata, next, now));
      if (rows[0]) return threadFromRow(rows[0]);
    } catch (error) {
      if (!isRetryable(error, true)) throw error;
      unanswered = { metadata: next, updatedAt: now, error };
    }
  }
  if (unanswered) throw unanswered.error;
  throw conflictError(op, `Thread ${id} metadata kept changing under concurrent writers; gave up after ${METADATA_SWAP_ATTEMPTS} attempts`, { threadId: id });
}

/** Deletes a thread with its messages and its thread-scoped Observational Memory, atomically. */
export async function deleteThread(ctx: DomainContext, threadId: string): Promise<void> {
  requireText('deleteThread', 'threadId', threadId);
  await ctx.driver.batch(deleteThreadStatements(ctx.tables, threadId), { idempotent: true });
}

/** Reassigns a thread and all its messages to `resourceId` in one batch; `createdAt` is kept. */
export async function updateThreadResourceId(ctx: DomainContext, args: { threadId: string; resourceId: string }): Promise<StorageThreadType> {
  const op = 'updateThreadResourceId';
  const threadId = requireText(op, 'threadId', args?.threadId);
  const resourceId = requireText(op, 'resourceId', args.resourceId);
  const results = await ctx.driver.batch(moveThreadStatements(ctx.tables, threadId, resourceId, new Date().toISOString()), { idempotent: true });
  const row = results[2]?.rows[0];
  if (!row) throw notFound(op, threadId);
  return threadFromRow(row);
}
