import type {
  BufferedObservationChunk,
  CreateObservationalMemoryInput,
  CreateReflectionGenerationInput,
  ObservationalMemoryHistoryOptions,
  ObservationalMemoryRecord,
  SwapBufferedReflectionToActiveInput,
  SwapBufferedToActiveInput,
  SwapBufferedToActiveResult,
  UpdateActiveObservationsInput,
  UpdateBufferedObservationsInput,
  UpdateBufferedReflectionInput,
  UpdateObservationalMemoryConfigInput,
} from '@mastra/core/storage';
import { TABLE_OBSERVATIONAL_MEMORY } from '@mastra/core/storage';
import type { SqlStatement } from '../../client/types';
import { storageOperation, userError } from '../../errors';
import { checkStatementValues, notFound, requireCount, requireIndex, requirePlainObject, requireScope, requireString } from './observational-input';
import type { DomainContext } from '../base';
import { FRESH_PROCESSING_STATE, newBufferedChunk, omFromRow, omLookupKey, omToRow } from './observational-rows';
import { appendChunk, appendReflection, deleteAll, insertGeneration, insertRow, mergeConfig, selectCurrent, selectExists, selectHistory, setColumns, updateActive } from './observational-sql';
import { activateChunks, clearBufferedReflection, insertReflectedGeneration, selectActivatedChunks, selectActivationSnapshot, type ActivationTarget } from './observational-swaps';
import { isoTimestamp, requireText } from '../validation';

/** Snapshot reads of a stepwise activation before giving up on a buffer that keeps changing under it. */
const STEPWISE_ACTIVATION_ATTEMPTS = 3;

type Activation = ActivationTarget & { lastObservedAt: string | null; now: string };

const NOTHING_ACTIVATED: SwapBufferedToActiveResult = {
  chunksActivated: 0,
  messageTokensActivated: 0,
  observationTokensActivated: 0,
  messagesActivated: 0,
  activatedCycleIds: [],
  activatedMessageIds: [],
};

/**
 * Observational Memory records in D1; `MemoryStorageD1` delegates its OM methods here.
 *
 * Each method is one round trip. The read-modify-write operations (appending a chunk, the two swaps, the
 * config merge) compute the new state inside D1 from the row as it is, so concurrent Workers cannot
 * overwrite each other with stale copies; the swaps that also need a read or a second write are one batch.
 * Each batch is also correct where it is not a transaction (a custom `client`): its statements guard
 * themselves, except the buffered-observation swap, which takes a guarded path there (`#activateStepwise`).
 */
export class ObservationalMemoryD1 {
  readonly #ctx: DomainContext;

  constructor(ctx: DomainContext) {
    this.#ctx = ctx;
  }

  get #table(): string {
    return this.#ctx.tables(TABLE_OBSERVATIONAL_MEMORY);
  }

  /** As in core, any falsy `threadId` means resource scope. */
  #lookupKey(operation: string, threadId: string | null, resourceId: string): string {
    if (threadId) requireText(operation, 'threadId', threadId);
    else requireText(operation, 'resourceId', resourceId);
    return omLookupKey(threadId, resourceId);
  }

  /** Runs a single-row UPDATE and throws NOT_FOUND when no row had that id. */
  async #updateOne(operation: string, id: string, statement: SqlStatement, idempotent: boolean): Promise<void> {
    checkStatementValues(operation, `Observational memory record ${id}`, [statement]);
    const { changes } = await this.#ctx.driver.run(statement, { idempotent });
    if (changes === 0) throw notFound(operation, id);
  }

  async getObservationalMemory(threadId: string | null, resourceId: string): Promise<ObservationalMemoryRecord | null> {
    return storageOperation('getObservationalMemory', { threadId, resourceId }, async () => {
      const lookupKey = this.#lookupKey('getObservationalMemory', threadId, resourceId);
      const [row] = await this.#ctx.driver.all(selectCurrent(this.#table, lookupKey));
      return row ? omFromRow(row) : null;
    });
  }

  async getObservationalMemoryHistory(
    threadId: string | null,
    resourceId: string,
    limit = 10,
    options?: ObservationalMemoryHistoryOptions,
  ): Promise<ObservationalMemoryRecord[]> {
    const operation = 'getObservationalMemoryHistory';
    return storageOperation(operation, { threadId, resourceId, limit }, async () => {
      const lookupKey = this.#lookupKey(operation, threadId, resourceId);
      const rows = await this.#ctx.driver.all(
        selectHistory(this.#table, lookupKey, {
          from: options?.from ? isoTimestamp(operation, 'options.from', options.from) : null,
          to: options?.to ? isoTimestamp(operation, 'options.to', options.to) : null,
          limit: requireIndex(operation, 'limit', limit),
          offset: options?.offset == null ? null : requireIndex(operation, 'options.offset', options.offset),
        }),
      );
      return rows.map(omFromRow);
    });
  }

  /**
   * Creates the first record of a thread/resource. When one already exists (another Worker won the race
   * between `getObservationalMemory` and this call) that record is returned instead of a duplicate.
   */
  async initializeObservationalMemory(input: CreateObservationalMemoryInput): Promise<ObservationalMemoryRecord> {
    const operation = 'initializeObservationalMemory';
    return storageOperation(operation, { threadId: input?.threadId ?? null, resourceId: input?.resourceId ?? null }, async () => {
      const lookupKey = this.#lookupKey(operation, input.threadId, input.resourceId);
      requireText(operation, 'resourceId', input.resourceId);
      const now = new Date();
      const record: ObservationalMemoryRecord = {
        id: crypto.randomUUID(),
        scope: requireScope(operation, input.scope),
        threadId: input.threadId || null,
        resourceId: input.resourceId,
        createdAt: now,
        updatedAt: now,
        originType: 'initial',
        generationCount: 0,
        activeObservations: '',
        totalTokensObserved: 0,
        observationTokenCount: 0,
        ...FRESH_PROCESSING_STATE,
        config: requirePlainObject(operation, 'config', input.config),
        observedTimezone: input.observedTimezone,
      };
      const statements = [insertGeneration(this.#table, omToRow(record)), selectCurrent(this.#table, lookupKey)];
      checkStatementValues(operation, `Observational memory of ${lookupKey}`, statements);
      const [, current] = await this.#ctx.driver.batch(statements, { idempotent: true });
      return omFromRow(current!.rows[0]!);
    });
  }

  async updateActiveObservations(input: UpdateActiveObservationsInput): Promise<void> {
    const operation = 'updateActiveObservations';
    return storageOperation(operation, { id: input?.id ?? null }, async () => {
      const id = requireText(operation, 'id', input.id);
      const statement = updateActive(this.#table, {
        id,
        observations: requireString(operation, 'observations', input.observations),
        tokenCount: requireCount(operation, 'tokenCount', input.tokenCount),
        lastObservedAt: isoTimestamp(operation, 'lastObservedAt', input.lastObservedAt),
        observedMessageIds: input.observedMessageIds ? JSON.stringify(input.observedMessageIds) : null,
        now: new Date().toISOString(),
      });
      await this.#updateOne(operation, id, statement, false);
    });
  }

  /** Appends a chunk in one statement; a chunk of a cycle already buffered is ignored, as core's adapters do. */
  async updateBufferedObservations(input: UpdateBufferedObservationsInput): Promise<void> {
    const operation = 'updateBufferedObservations';
    return storageOperation(operation, { id: input?.id ?? null }, async () => {
      const id = requireText(operation, 'id', input.id);
      const chunk = requirePlainObject(operation, 'chunk', input.chunk) as unknown as UpdateBufferedObservationsInput['chunk'];
      const cycleId = requireText(operation, 'chunk.cycleId', chunk.cycleId);
      const stored = newBufferedChunk(chunk, `ombuf-${crypto.randomUUID()}`, new Date());
      const statement = appendChunk(this.#table, {
        id,
        chunk: JSON.stringify(stored),
        cycleId,
        lastBufferedAtTime: input.lastBufferedAtTime ? isoTimestamp(operation, 'lastBufferedAtTime', input.lastBufferedAtTime) : null,
        now: new Date().toISOString(),
      });
      await this.#updateOne(operation, id, statement, true);
    });
  }

  /**
   * Activates buffered chunks, planned by D1 from the row as it is. The chunks persisted in D1 are the
   * ones activated (as LibSQLStore does); `bufferedChunks` from the caller is not trusted over them,
   * since a Worker's copy may be stale.
   */
  async swapBufferedToActive(input: SwapBufferedToActiveInput): Promise<SwapBufferedToActiveResult> {
    const operation = 'swapBufferedToActive';
    return storageOperation(operation, { id: input?.id ?? null }, async () => {
      const id = requireText(operation, 'id', input.id);
      const ratio = requireCount(operation, 'activationRatio', input.activationRatio);
      const retentionFloor = requireCount(operation, 'messageTokensThreshold', input.messageTokensThreshold) * (1 - ratio);
      const currentPendingTokens = requireCount(operation, 'currentPendingTokens', input.currentPendingTokens);
      const target = {
        id,
        target: Math.max(0, currentPendingTokens - retentionFloor),
        maxOvershoot: retentionFloor * 0.95,
        currentPendingTokens,
        minRemaining: Math.min(1000, retentionFloor),
        forceMaxActivation: !!input.forceMaxActivation,
      };
      const lastObservedAt = input.lastObservedAt ? isoTimestamp(operation, 'lastObservedAt', input.lastObservedAt) : null;
      const activation = { ...target, lastObservedAt, now: new Date().toISOString() };
      const chunks = this.#ctx.driver.atomicBatch ? await this.#activate(operation, activation) : await this.#activateStepwise(operation, activation);
      return chunks.length ? activationResult(chunks) : { ...NOTHING_ACTIVATED };
    });
  }

  /**
   * One atomic batch: an existence check, then one statement reads the chunks the plan takes and the next
   * applies the same plan, both computed by D1 from the same row state.
   */
  async #activate(operation: string, a: Activation): Promise<BufferedObservationChunk[]> {
    const [found, selected, updated] = await this.#ctx.driver.batch([
      selectExists(this.#table, a.id),
      selectActivatedChunks(this.#table, a),
      activateChunks(this.#table, a),
    ]);
    if (!found!.rows.length) throw notFound(operation, a.id);
    return updated!.changes ? selected!.rows.map((row) => JSON.parse(row.chunk as string) as BufferedObservationChunk) : [];
  }

  /**
   * Where a batch is not a transaction (a custom `client`), another Worker could change the buffer
   * between the read and the update of `#activate`, and the chunks reported would not be the ones
   * activated. Here one statement reads the buffer and the chunks its plan takes, and the update applies
   * only to exactly that buffer; a Worker that lost the race reads again.
   */
  async #activateStepwise(operation: string, a: Activation): Promise<BufferedObservationChunk[]> {
    for (let attempt = 1; ; attempt++) {
      const [snapshot] = await this.#ctx.driver.all<{ buffered: string | null; activated: string }>(selectActivationSnapshot(this.#table, a));
      if (!snapshot) throw notFound(operation, a.id);
      if (!snapshot.buffered || snapshot.buffered === '[]') return [];
      const { changes } = await this.#ctx.driver.run(activateChunks(this.#table, { ...a, expectedChunks: snapshot.buffered }));
      if (changes) return JSON.parse(snapshot.activated) as BufferedObservationChunk[];
      if (attempt >= STEPWISE_ACTIVATION_ATTEMPTS) {
        throw new Error(`The buffered observations of ${a.id} changed under each of ${attempt} activation attempts`);
      }
    }
  }

  /**
   * Inserts the generation after `currentRecord` unless that generation (or a later one) exists: of two
   * Workers reflecting the same record, one creates it and the other gets a USER error (`STALE_RECORD`),
   * which `@mastra/memory` logs as a failed reflection. Without that guard both would insert (as
   * LibSQLStore does) and a thread would have two current generations; the UNIQUE index backs it up.
   */
  async createReflectionGeneration(input: CreateReflectionGenerationInput): Promise<ObservationalMemoryRecord> {
    const operation = 'createReflectionGeneration';
    return storageOperation(operation, { currentRecordId: input?.currentRecord?.id ?? null }, async () => {
      const reflection = requireString(operation, 'reflection', input.reflection);
      const row = this.#nextGenerationRow(operation, input.currentRecord, reflection, input.tokenCount);
      const statement = insertGeneration(this.#table, row);
      checkStatementValues(operation, `Observational memory record ${row.id}`, [statement]);
      const { rows } = await this.#ctx.driver.run(statement);
      if (!rows[0]) {
        throw userError(
          operation,
          `Generation ${row.generationCount} of ${row.lookupKey} already exists: currentRecord is not the latest generation (another Worker may have reflected it first)`,
          { currentRecordId: input.currentRecord.id, generationCount: row.generationCount as number },
          'STALE_RECORD',
        );
      }
      return omFromRow(rows[0]);
    });
  }

  /** The row of a new reflection generation following `current`, as LibSQLStore writes it. */
  #nextGenerationRow(operation: string, current: ObservationalMemoryRecord, reflection: string, tokenCount: number) {
    requirePlainObject(operation, 'currentRecord', current);
    this.#lookupKey(operation, current.threadId, current.resourceId);
    const now = new Date();
    const record: ObservationalMemoryRecord = {
      id: crypto.randomUUID(),
      scope: requireScope(operation, current.scope),
      threadId: current.threadId,
      resourceId: current.resourceId,
      createdAt: now,
      updatedAt: now,
      lastObservedAt: current.lastObservedAt ? new Date(isoTimestamp(operation, 'currentRecord.lastObservedAt', current.lastObservedAt)) : undefined,
      originType: 'reflection',
      generationCount: requireIndex(operation, 'currentRecord.generationCount', current.generationCount) + 1,
      activeObservations: reflection,
      totalTokensObserved: current.totalTokensObserved,
      observationTokenCount: requireCount(operation, 'tokenCount', tokenCount),
      ...FRESH_PROCESSING_STATE,
      config: current.config,
      metadata: current.metadata,
      observedTimezone: current.observedTimezone,
    };
    return omToRow(record, now.toISOString());
  }

  async updateBufferedReflection(input: UpdateBufferedReflectionInput): Promise<void> {
    const operation = 'updateBufferedReflection';
    return storageOperation(operation, { id: input?.id ?? null }, async () => {
      const id = requireText(operation, 'id', input.id);
      const statement = appendReflection(this.#table, {
        id,
        reflection: requireString(operation, 'reflection', input.reflection),
        tokenCount: requireCount(operation, 'tokenCount', input.tokenCount),
        inputTokenCount: requireCount(operation, 'inputTokenCount', input.inputTokenCount),
        lineCount: requireIndex(operation, 'reflectedObservationLineCount', input.reflectedObservationLineCount),
        now: new Date().toISOString(),
      });
      await this.#updateOne(operation, id, statement, false);
    });
  }

  /**
   * Creates the next generation from the buffered reflection and clears it from the current record, in
   * one atomic batch whose insert reads the current row's observations in D1. Identity, config and
   * counters of the new generation come from `currentRecord`, as in LibSQLStore. Of two Workers swapping
   * the same reflection, one creates the generation and the other gets a USER error (also over the
   * custom client, whose batch is not a transaction: the statements themselves guard it).
   */
  async swapBufferedReflectionToActive(input: SwapBufferedReflectionToActiveInput): Promise<ObservationalMemoryRecord> {
    const operation = 'swapBufferedReflectionToActive';
    return storageOperation(operation, { id: input?.currentRecord?.id ?? null }, async () => {
      const currentId = requireText(operation, 'currentRecord.id', input.currentRecord?.id);
      // The observations are computed by D1 from the current row; the placeholder is never sent.
      const row = this.#nextGenerationRow(operation, input.currentRecord, '', input.tokenCount);
      const statements = [
        selectExists(this.#table, currentId),
        insertReflectedGeneration(this.#table, currentId, row),
        clearBufferedReflection(this.#table, { id: currentId, newId: row.id as string, now: row.updatedAt as string }),
      ];
      checkStatementValues(operation, `Observational memory record ${currentId}`, statements);
      const [found, inserted] = await this.#ctx.driver.batch(statements);
      if (!found!.rows.length) throw notFound(operation, currentId);
      if (!inserted!.rows[0]) {
        throw userError(operation, 'No buffered reflection to swap (none is buffered, or its generation already exists)', { id: currentId });
      }
      return omFromRow(inserted!.rows[0]);
    });
  }

  // The four flag setters are plain writes, not test-and-set: core's contract returns void, @mastra/memory
  // never reads an outcome, and it treats a flag it finds set by another process as stale and clears it
  // (`isOpActiveInProcess`), so the flags only coordinate work inside one process. What keeps Workers
  // from overwriting each other is in the data: the guarded inserts and in-D1 read-modify-writes above.

  async setReflectingFlag(id: string, isReflecting: boolean): Promise<void> {
    return this.#set('setReflectingFlag', id, () => ({ isReflecting: !!isReflecting }));
  }

  async setObservingFlag(id: string, isObserving: boolean): Promise<void> {
    return this.#set('setObservingFlag', id, () => ({ isObserving: !!isObserving }));
  }

  /** `lastBufferedAtTokens` is recorded only when given. */
  async setBufferingObservationFlag(id: string, isBuffering: boolean, lastBufferedAtTokens?: number): Promise<void> {
    const operation = 'setBufferingObservationFlag';
    return this.#set(operation, id, () => ({
      isBufferingObservation: !!isBuffering,
      lastBufferedAtTokens: lastBufferedAtTokens === undefined ? null : requireCount(operation, 'lastBufferedAtTokens', lastBufferedAtTokens),
    }));
  }

  async setBufferingReflectionFlag(id: string, isBuffering: boolean): Promise<void> {
    return this.#set('setBufferingReflectionFlag', id, () => ({ isBufferingReflection: !!isBuffering }));
  }

  async setPendingMessageTokens(id: string, tokenCount: number): Promise<void> {
    const operation = 'setPendingMessageTokens';
    return this.#set(operation, id, () => ({ pendingMessageTokens: requireCount(operation, 'tokenCount', tokenCount) }));
  }

  /** Sets plain columns of one record; `values` is built inside the operation so bad input maps to a USER error. */
  async #set(operation: string, id: string, values: () => Record<string, boolean | number | null>): Promise<void> {
    return storageOperation(operation, { id: typeof id === 'string' ? id : null }, async () => {
      requireText(operation, 'id', id);
      await this.#updateOne(operation, id, setColumns(this.#table, id, values(), new Date().toISOString()), true);
    });
  }

  /** Used by thread cloning: stores a complete record as given. */
  async insertObservationalMemoryRecord(record: ObservationalMemoryRecord): Promise<void> {
    const operation = 'insertObservationalMemoryRecord';
    return storageOperation(operation, { id: record?.id ?? null }, async () => {
      requirePlainObject(operation, 'record', record);
      const id = requireText(operation, 'id', record.id);
      this.#lookupKey(operation, record.threadId, record.resourceId);
      requireText(operation, 'resourceId', record.resourceId);
      requireScope(operation, record.scope);
      isoTimestamp(operation, 'createdAt', record.createdAt);
      isoTimestamp(operation, 'updatedAt', record.updatedAt);
      const statement = insertRow(this.#table, omToRow(record));
      checkStatementValues(operation, `Observational memory record ${id}`, [statement]);
      await this.#ctx.driver.run(statement);
    });
  }

  async clearObservationalMemory(threadId: string | null, resourceId: string): Promise<void> {
    return storageOperation('clearObservationalMemory', { threadId, resourceId }, async () => {
      const lookupKey = this.#lookupKey('clearObservationalMemory', threadId, resourceId);
      await this.#ctx.driver.run(deleteAll(this.#table, lookupKey), { idempotent: true });
    });
  }

  /** Deep-merges `config` into the stored config inside D1 (`json_patch`), with core's `deepMergeConfig` semantics. */
  async updateObservationalMemoryConfig(input: UpdateObservationalMemoryConfigInput): Promise<void> {
    const operation = 'updateObservationalMemoryConfig';
    return storageOperation(operation, { id: input?.id ?? null }, async () => {
      const id = requireText(operation, 'id', input.id);
      const config = requirePlainObject(operation, 'config', input.config);
      const nullSentinel = `__d1_om_null_${crypto.randomUUID()}__`;
      const patch = JSON.stringify(config, (_key, value: unknown) => (value === null ? nullSentinel : value));
      await this.#updateOne(operation, id, mergeConfig(this.#table, { id, patch, nullSentinel, now: new Date().toISOString() }), true);
    });
  }
}

/** What an activation reports, from the chunks it took (in order). */
function activationResult(chunks: BufferedObservationChunk[]): SwapBufferedToActiveResult {
  const latest = chunks[chunks.length - 1];
  const observations = chunks.map((c) => c.observations).join('\n\n');
  return {
    chunksActivated: chunks.length,
    messageTokensActivated: chunks.reduce((sum, c) => sum + (c.messageTokens ?? 0), 0),
    observationTokensActivated: chunks.reduce((sum, c) => sum + c.tokenCount, 0),
    messagesActivated: chunks.reduce((sum, c) => sum + (c.messageIds?.length ?? 0), 0),
    activatedCycleIds: chunks.map((c) => c.cycleId).filter((cycleId) => !!cycleId),
    activatedMessageIds: chunks.flatMap((c) => c.messageIds ?? []),
    observations,
    perChunk: chunks.map((c) => ({
      cycleId: c.cycleId ?? '',
      messageTokens: c.messageTokens ?? 0,
      observationTokens: c.tokenCount,
      messageCount: c.messageIds?.length ?? 0,
      observations: c.observations,
    })),
    suggestedContinuation: latest?.suggestedContinuation ?? undefined,
    currentTask: latest?.currentTask ?? undefined,
  };
}
