import type { MastraDBMessage, StorageThreadType } from '@mastra/core/memory';
import type { StorageResourceType } from '@mastra/core/storage';
import { columnList, decodeRow, parseJson } from '../../sql/codec';
import { MESSAGES, RESOURCES, THREADS } from './schema';

// Rows become records through the shared codec (JSON columns parsed, timestamps as Dates); the only
// memory-specific mapping is the message's, whose columns are not named as its fields.

type Row = Record<string, unknown>;

/** The message columns every read selects, so each query returns the same shape. */
export const MESSAGE_COLUMNS = columnList(MESSAGES);

/** A `mastra_threads` row as core's thread. */
export function threadFromRow(row: Row): StorageThreadType {
  return decodeRow<StorageThreadType>(THREADS, row);
}

/** A `mastra_resources` row as core's resource (working memory as stored). */
export function resourceFromRow(row: Row): StorageResourceType {
  return decodeRow<StorageResourceType>(RESOURCES, row);
}

/**
 * A `mastra_messages` row as core's message. `content` is a text column holding JSON; content that is not
 * JSON (plain text written by old versions) is returned as stored, as LibSQLStore does. `type` is omitted
 * when it is the default `v2`.
 */
export function messageFromRow(row: Row): MastraDBMessage {
  const { thread_id: threadId, content, type, ...fields } = decodeRow<Row>(MESSAGES, row);
  return { ...fields, content: parseJson(content), threadId, ...(type && type !== 'v2' ? { type } : {}) } as MastraDBMessage;
}
