import type { D1Value, SqlStatement } from '../../client/types';
import { quoteIdentifier } from '../../sql/identifiers';

/**
 * Statements over `mastra_observational_memory`. `t` is the prefixed, quoted table name. Every write
 * sets `updatedAt` from the caller's clock (`now`), as the other adapters do, never SQLite's.
 */

/** The current record of a thread/resource: its highest generation. */
export const selectCurrent = (t: string, lookupKey: string): SqlStatement => ({
  sql: `SELECT * FROM ${t} WHERE "lookupKey" = ? ORDER BY "generationCount" DESC LIMIT 1`,
  params: [lookupKey],
});

/** Filters and window of a history read; `offset` null means none. */
export interface HistoryWindow {
  from: string | null;
  to: string | null;
  limit: number;
  offset: number | null;
}

/** Generations newest first, optionally bounded by creation time (inclusive both ends). */
export const selectHistory = (t: string, lookupKey: string, w: HistoryWindow): SqlStatement => ({
  sql: `SELECT * FROM ${t}
    WHERE "lookupKey" = ? AND (? IS NULL OR "createdAt" >= ?) AND (? IS NULL OR "createdAt" <= ?)
    ORDER BY "generationCount" DESC LIMIT ? OFFSET ?`,
  params: [lookupKey, w.from, w.from, w.to, w.to, w.limit, w.offset ?? 0],
});

const columnList = (row: Record<string, D1Value>) => Object.keys(row).map(quoteIdentifier).join(', ');
const valueList = (row: Record<string, D1Value>) => Object.keys(row).map(() => '?').join(', ');

/** Inserts one whole row and returns it as stored. */
export const insertRow = (t: string, row: Record<string, D1Value>): SqlStatement => ({
  sql: `INSERT INTO ${t} (${columnList(row)}) VALUES (${valueList(row)}) RETURNING *`,
  params: Object.values(row),
});

/**
 * Inserts a generation and returns it, unless its thread/resource already has that generation or a later
 * one (then no row comes back): of two Workers starting Observational Memory for a thread, or reflecting
 * the same generation, at once, one creates the record and the other creates nothing.
 */
export const insertGeneration = (t: string, row: Record<string, D1Value>): SqlStatement => ({
  sql: `INSERT INTO ${t} (${columnList(row)}) SELECT ${valueList(row)}
    WHERE NOT EXISTS (SELECT 1 FROM ${t} WHERE "lookupKey" = ? AND "generationCount" >= ?) RETURNING *`,
  params: [...Object.values(row), row.lookupKey!, row.generationCount!],
});

/** Replaces the active observations after a synchronous observation; the total grows by `tokenCount`. */
export const updateActive = (
  t: string,
  a: { id: string; observations: string; tokenCount: number; lastObservedAt: string; observedMessageIds: string | null; now: string },
): SqlStatement => ({
  sql: `UPDATE ${t} SET "activeObservations" = ?, "lastObservedAt" = ?, "pendingMessageTokens" = 0,
      "observationTokenCount" = ?, "totalTokensObserved" = "totalTokensObserved" + ?, "observedMessageIds" = ?, "updatedAt" = ?
    WHERE id = ?`,
  params: [a.observations, a.lastObservedAt, a.tokenCount, a.tokenCount, a.observedMessageIds, a.now, a.id],
});

/**
 * Appends one buffered chunk unless a chunk of the same observation cycle is already there; a repeat
 * leaves the row as it was (including `updatedAt`) but still matches it, so 0 changes means "no record".
 */
export const appendChunk = (
  t: string,
  a: { id: string; chunk: string; cycleId: string; lastBufferedAtTime: string | null; now: string },
): SqlStatement => ({
  sql: `UPDATE ${t} AS om SET
      "bufferedObservationChunks" = CASE WHEN d.dup THEN om."bufferedObservationChunks"
        ELSE json_insert(COALESCE(om."bufferedObservationChunks", '[]'), '$[#]', json(?1)) END,
      "lastBufferedAtTime" = CASE WHEN d.dup THEN om."lastBufferedAtTime" ELSE COALESCE(?2, om."lastBufferedAtTime") END,
      "updatedAt" = CASE WHEN d.dup THEN om."updatedAt" ELSE ?3 END
    FROM (SELECT id, EXISTS (
        SELECT 1 FROM json_each(COALESCE("bufferedObservationChunks", '[]')) WHERE value ->> '$.cycleId' = ?4
      ) AS dup FROM ${t} WHERE id = ?5) AS d
    WHERE om.id = d.id`,
  params: [a.chunk, a.lastBufferedAtTime, a.now, a.cycleId, a.id],
});

/** Adds a buffered reflection to any already buffered, separated by a blank line, and sums its token counts. */
export const appendReflection = (
  t: string,
  a: { id: string; reflection: string; tokenCount: number; inputTokenCount: number; lineCount: number; now: string },
): SqlStatement => ({
  sql: `UPDATE ${t} SET
      "bufferedReflection" = CASE WHEN COALESCE("bufferedReflection", '') = '' THEN ?1 ELSE "bufferedReflection" || char(10, 10) || ?1 END,
      "bufferedReflectionTokens" = COALESCE("bufferedReflectionTokens", 0) + ?2,
      "bufferedReflectionInputTokens" = COALESCE("bufferedReflectionInputTokens", 0) + ?3,
      "reflectedObservationLineCount" = ?4, "updatedAt" = ?5
    WHERE id = ?6`,
  params: [a.reflection, a.tokenCount, a.inputTokenCount, a.lineCount, a.now, a.id],
});

/** Sets plain columns of one record (flags, counters); a NULL value leaves that column as it is. */
export const setColumns = (t: string, id: string, values: Record<string, D1Value>, now: string): SqlStatement => ({
  sql: `UPDATE ${t} SET ${Object.keys(values)
    .map((column) => `${quoteIdentifier(column)} = COALESCE(?, ${quoteIdentifier(column)})`)
    .join(', ')}, "updatedAt" = ? WHERE id = ?`,
  params: [...Object.values(values), now, id],
});

/**
 * Deep-merges a config patch into the stored config in one statement. `json_patch` merges nested objects
 * as core's `deepMergeConfig` does but deletes keys patched with null, so the caller encodes each null
 * as a per-call sentinel string and this turns the sentinels back into nulls after the merge.
 */
export const mergeConfig = (t: string, a: { id: string; patch: string; nullSentinel: string; now: string }): SqlStatement => ({
  sql: `UPDATE ${t} SET config = replace(json_patch(COALESCE(config, '{}'), ?), ?, 'null'), "updatedAt" = ? WHERE id = ?`,
  params: [a.patch, JSON.stringify(a.nullSentinel), a.now, a.id],
});

/** Removes every generation of a thread/resource. */
export const deleteAll = (t: string, lookupKey: string): SqlStatement => ({
  sql: `DELETE FROM ${t} WHERE "lookupKey" = ?`,
  params: [lookupKey],
});

/** One row when the record exists. */
export const selectExists = (t: string, id: string): SqlStatement => ({
  sql: `SELECT 1 FROM ${t} WHERE id = ?`,
  params: [id],
});
