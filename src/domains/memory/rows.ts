import type { MastraDBMessage, StorageThreadType } from '@mastra/core/memory';
import type { StorageResourceType } from '@mastra/core/storage';

/** The message columns every read selects, in one place so each query returns the same shape. */
export const MESSAGE_COLUMNS = 'id, content, role, type, "createdAt", thread_id, "resourceId"';

type Row = Record<string, unknown>;

/** Parses a JSON column; a NULL column stays null and malformed JSON throws (a read never hides bad data). */
function jsonColumn(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? (JSON.parse(value) as Record<string, unknown>) : (value as Record<string, unknown>);
}

/** A `mastra_threads` row as core's thread (metadata parsed, timestamps as Dates). */
export function threadFromRow(row: Row): StorageThreadType {
  return {
    id: row.id as string,
    resourceId: row.resourceId as string,
    title: row.title as string,
    metadata: jsonColumn(row.metadata) as StorageThreadType['metadata'],
    createdAt: new Date(row.createdAt as string),
    updatedAt: new Date(row.updatedAt as string),
  };
}

/**
 * A `mastra_messages` row as core's message. Content that is not JSON (plain-text content written by old
 * versions) is returned as stored, as LibSQLStore does; `type` is omitted when it is the default `v2`.
 */
export function messageFromRow(row: Row): MastraDBMessage {
  let content: unknown = row.content;
  try {
    content = JSON.parse(row.content as string);
  } catch {
    // Legacy plain-text content is valid data, not an error.
  }
  const message = {
    id: row.id as string,
    content,
    role: row.role,
    createdAt: new Date(row.createdAt as string),
    threadId: row.thread_id as string,
    resourceId: row.resourceId,
  } as MastraDBMessage;
  if (row.type && row.type !== 'v2') message.type = row.type as MastraDBMessage['type'];
  return message;
}

/** A `mastra_resources` row as core's resource (working memory as stored, metadata parsed). */
export function resourceFromRow(row: Row): StorageResourceType {
  return {
    id: row.id as string,
    workingMemory: row.workingMemory as string,
    metadata: jsonColumn(row.metadata) as StorageResourceType['metadata'],
    createdAt: new Date(row.createdAt as string),
    updatedAt: new Date(row.updatedAt as string),
  };
}
