import { ErrorCategory, ErrorDomain, MastraError } from '@mastra/core/error';
import type { StorageThreadType } from '@mastra/core/memory';
import { createStorageErrorId, TABLE_MESSAGES, TABLE_OBSERVATIONAL_MEMORY, TABLE_THREADS } from '@mastra/core/storage';
import type { D1Value, SqlStatement } from '../../client/types';
import { notFoundError } from '../../errors';
import type { TableNamer } from '../../sql/identifiers';
import type { DomainContext } from '../base';
import { shallowMergeSql } from '../../sql/json';
import { omLookupKey } from './observational-rows';
import { threadFromRow } from './rows';
import { checkValueSize, isoTimestamp, objectJson, optionalText, requireText } from '../validation';

const selectThread = (tables: TableNamer, id: string, resourceId?: string): SqlStatement =>
  resourceId === undefined
    ? { sql: `SELECT * FROM ${tables(TABLE_THREADS)} WHERE id = ?`, params: [id] }
    : { sql: `SELECT * FROM ${tables(TABLE_THREADS)} WHERE id = ? AND "resourceId" = ?`, params: [id, resourceId] };

const upsertThread = (tables: TableNamer, values: D1Value[]): SqlStatement => ({
  sql: `INSERT INTO ${tables(TABLE_THREADS)} (id, "resourceId", title, metadata, "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET "resourceId" = excluded."resourceId", title = excluded.title, metadata = excluded.metadata,
      "createdAt" = excluded."createdAt", "updatedAt" = excluded."updatedAt"`,
  params: values,
});

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

/** How many times `updateThreadMetadata` re-reads and retries when another writer got in between. */
const METADATA_SWAP_ATTEMPTS = 10;

/** A short random pause before re-reading, so writers that collided do not collide again in lockstep. */
const backOff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(5 * 2 ** attempt, 200)));

const notFound = (operation: string, threadId: string) => notFoundError(operation, `Thread ${threadId} not found`, { status: 404, threadId });

/** One thread, or null; with `resourceId`, only if it belongs to that resource. */
export async function getThread(ctx: DomainContext, threadId: string, resourceId?: string): Promise<StorageThreadType | null> {
  requireText('getThreadById', 'threadId', threadId);
  optionalText('getThreadById', 'resourceId', resourceId);
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
  await ctx.driver.run(upsertThread(ctx.tables, [id, resourceId, thread.title ?? '', metadata, createdAt, updatedAt]), { idempotent: true });
  return thread;
}

/**
 * Partial update in one statement: an omitted title or metadata is left as it is, given metadata is
 * shallow-merged into the stored object inside D1, and the updated row comes back via RETURNING.
 */
export async function updateThread(
  ctx: DomainContext,
  args: { id: string; title?: string; metadata?: Record<string, unknown> },
): Promise<StorageThreadType> {
  const op = 'updateThread';
  const id = requireText(op, 'id', args?.id);
  const patch = objectJson(op, `Thread ${id} metadata`, args.metadata);
  const { rows } = await ctx.driver.run(patchThread(ctx.tables, id, args.title ?? null, patch, new Date().toISOString()), { idempotent: true });
  if (!rows[0]) throw notFound(op, id);
  return threadFromRow(rows[0]);
}

/**
 * Read-modify-write of a thread's metadata that is safe across processes: the write only lands if the
 * stored metadata is still the one `update` saw (compare-and-set); otherwise it re-reads and retries.
 * The returned keys are merged over the current metadata, as core's `patchThread` does.
 */
export async function updateThreadMetadata(
  ctx: DomainContext,
  args: { id: string; resourceId?: string; update: (thread: StorageThreadType) => Record<string, unknown> | undefined },
): Promise<StorageThreadType | null> {
  const op = 'updateThreadMetadata';
  const id = requireText(op, 'id', args?.id);
  for (let attempt = 0; attempt < METADATA_SWAP_ATTEMPTS; attempt++) {
    if (attempt > 0) await backOff(attempt);
    const [row] = await ctx.driver.all(selectThread(ctx.tables, id, args.resourceId));
    if (!row) return null;
    const thread = threadFromRow(row);
    const patch = args.update(thread);
    if (!patch) return thread;
    const next = JSON.stringify({ ...thread.metadata, ...patch });
    checkValueSize(op, `Thread ${id} metadata`, next);
    // Not retried by the driver: after an unknown outcome the loop re-reads instead of re-applying blindly.
    const { rows } = await ctx.driver.run(swapMetadata(ctx.tables, id, row.metadata, next, new Date().toISOString()));
    if (rows[0]) return threadFromRow(rows[0]);
  }
  throw new MastraError({
    id: createStorageErrorId('CLOUDFLARE_D1', op, 'CONFLICT'),
    domain: ErrorDomain.STORAGE,
    category: ErrorCategory.THIRD_PARTY,
    text: `Thread ${id} metadata kept changing under concurrent writers; gave up after ${METADATA_SWAP_ATTEMPTS} attempts`,
    details: { threadId: id },
  });
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
