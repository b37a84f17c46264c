import type { BufferedObservationChunk, BufferedObservationChunkInput, ObservationalMemoryRecord } from '@mastra/core/storage';
import type { D1Value } from '../../client/types';

type Row = Record<string, unknown>;

/**
 * The key every Observational Memory row of one thread (thread scope) or one resource (resource scope)
 * shares, built exactly as core and LibSQLStore build it so rows stay readable by either.
 */
export function omLookupKey(threadId: string | null, resourceId: string): string {
  return threadId ? `thread:${threadId}` : `resource:${resourceId}`;
}

const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);
const positive = (value: unknown): number | undefined => (value ? Number(value) : undefined);
const flag = (value: unknown): boolean => value === true || value === 1 || value === 'true';

/**
 * A `mastra_observational_memory` row as core's record, field for field as LibSQLStore reads it
 * (zero token counts of the buffered fields read as absent; the legacy buffered columns are not surfaced).
 */
export function omFromRow(row: Row): ObservationalMemoryRecord {
  return {
    id: row.id as string,
    scope: row.scope as ObservationalMemoryRecord['scope'],
    threadId: (row.threadId as string | null) || null,
    resourceId: row.resourceId as string,
    createdAt: new Date(row.createdAt as string),
    updatedAt: new Date(row.updatedAt as string),
    lastObservedAt: row.lastObservedAt ? new Date(row.lastObservedAt as string) : undefined,
    originType: (row.originType as ObservationalMemoryRecord['originType']) || 'initial',
    generationCount: Number(row.generationCount || 0),
    activeObservations: (row.activeObservations as string) || '',
    bufferedObservationChunks: row.bufferedObservationChunks ? (json(row.bufferedObservationChunks) as BufferedObservationChunk[]) : undefined,
    bufferedObservations: (row.activeObservationsPendingUpdate as string) || undefined,
    bufferedObservationTokens: positive(row.bufferedObservationTokens),
    bufferedMessageIds: undefined,
    bufferedReflection: (row.bufferedReflection as string) || undefined,
    bufferedReflectionTokens: positive(row.bufferedReflectionTokens),
    bufferedReflectionInputTokens: positive(row.bufferedReflectionInputTokens),
    reflectedObservationLineCount: positive(row.reflectedObservationLineCount),
    totalTokensObserved: Number(row.totalTokensObserved || 0),
    observationTokenCount: Number(row.observationTokenCount || 0),
    pendingMessageTokens: Number(row.pendingMessageTokens || 0),
    isReflecting: flag(row.isReflecting),
    isObserving: flag(row.isObserving),
    isBufferingObservation: flag(row.isBufferingObservation),
    isBufferingReflection: flag(row.isBufferingReflection),
    lastBufferedAtTokens: Number(row.lastBufferedAtTokens || 0) || 0,
    lastBufferedAtTime: row.lastBufferedAtTime ? new Date(row.lastBufferedAtTime as string) : null,
    config: row.config ? (json(row.config) as Record<string, unknown>) : {},
    metadata: row.metadata ? (json(row.metadata) as Record<string, unknown>) : undefined,
    observedMessageIds: row.observedMessageIds ? (json(row.observedMessageIds) as string[]) : undefined,
    observedTimezone: (row.observedTimezone as string) || undefined,
  };
}

const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);
const jsonOrNull = (value: unknown): string | null => (value ? JSON.stringify(value) : null);

/**
 * The columns of a record as stored. `lastReflectionAt` is a column only (core's record has no such field),
 * set when a reflection creates the row. The legacy pending-update column is always written empty.
 */
export function omToRow(record: ObservationalMemoryRecord, lastReflectionAt: string | null = null): Record<string, D1Value> {
  return {
    id: record.id,
    lookupKey: omLookupKey(record.threadId, record.resourceId),
    scope: record.scope,
    resourceId: record.resourceId,
    threadId: record.threadId || null,
    activeObservations: record.activeObservations || '',
    activeObservationsPendingUpdate: null,
    originType: record.originType || 'initial',
    config: JSON.stringify(record.config ?? {}),
    generationCount: record.generationCount || 0,
    lastObservedAt: iso(record.lastObservedAt),
    lastReflectionAt,
    pendingMessageTokens: record.pendingMessageTokens || 0,
    totalTokensObserved: record.totalTokensObserved || 0,
    observationTokenCount: record.observationTokenCount || 0,
    observedMessageIds: jsonOrNull(record.observedMessageIds),
    bufferedObservationChunks: jsonOrNull(record.bufferedObservationChunks),
    bufferedReflection: record.bufferedReflection || null,
    bufferedReflectionTokens: record.bufferedReflectionTokens ?? null,
    bufferedReflectionInputTokens: record.bufferedReflectionInputTokens ?? null,
    reflectedObservationLineCount: record.reflectedObservationLineCount ?? null,
    isObserving: !!record.isObserving,
    isReflecting: !!record.isReflecting,
    isBufferingObservation: !!record.isBufferingObservation,
    isBufferingReflection: !!record.isBufferingReflection,
    lastBufferedAtTokens: record.lastBufferedAtTokens || 0,
    lastBufferedAtTime: iso(record.lastBufferedAtTime),
    observedTimezone: record.observedTimezone || null,
    metadata: jsonOrNull(record.metadata),
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

/** The in-progress state a new record starts from: nothing pending, no operation running, no buffer position. */
export const FRESH_PROCESSING_STATE = {
  pendingMessageTokens: 0,
  isReflecting: false,
  isObserving: false,
  isBufferingObservation: false,
  isBufferingReflection: false,
  lastBufferedAtTokens: 0,
  lastBufferedAtTime: null,
} as const satisfies Partial<ObservationalMemoryRecord>;

/** A new buffered chunk as stored in `bufferedObservationChunks`: the input plus a generated id and `createdAt`. */
export function newBufferedChunk(input: BufferedObservationChunkInput, id: string, createdAt: Date): BufferedObservationChunk {
  return {
    id,
    cycleId: input.cycleId,
    observations: input.observations,
    tokenCount: input.tokenCount,
    messageIds: input.messageIds,
    messageTokens: input.messageTokens,
    lastObservedAt: input.lastObservedAt,
    createdAt,
    suggestedContinuation: input.suggestedContinuation,
    currentTask: input.currentTask,
    threadTitle: input.threadTitle,
    extractedValues: input.extractedValues,
    extractionFailures: input.extractionFailures,
  };
}
