import { MemoryStorage, TABLE_MESSAGES, TABLE_RESOURCES, TABLE_THREADS, type StorageCloneThreadInput, type StorageCopyThreadOutput, type StorageListMessagesByResourceIdInput, type StorageListMessagesInput, type StorageListMessagesOutput, type StorageListThreadsInput, type StorageListThreadsOutput, type StorageResourceType, type CreateObservationalMemoryInput, type CreateReflectionGenerationInput, type ObservationalMemoryHistoryOptions, type ObservationalMemoryRecord, type SwapBufferedReflectionToActiveInput, type SwapBufferedToActiveInput, type SwapBufferedToActiveResult, type UpdateActiveObservationsInput, type UpdateBufferedObservationsInput, type UpdateBufferedReflectionInput, type UpdateObservationalMemoryConfigInput } from '@mastra/core/storage';
import type { MastraDBMessage, StorageThreadType } from '@mastra/core/memory';
import { storageOperation } from '../../errors';
import type { D1DomainConfig } from '../../config';
import { D1Domain } from '../base';
import { copyThread } from './clone';
import { listMessages, listMessagesByResourceId } from './list-messages';
import { listThreads } from './list-threads';
import { deleteMessages, listMessagesById, saveMessages, updateMessages } from './messages';
import { ObservationalMemoryD1 } from './observational';
import { getResource, saveResource, updateResource } from './resources';
import { deleteThread, getThread, saveThread, updateThread, updateThreadMetadata, updateThreadResourceId } from './threads';
import { MEMORY_TABLES } from './schema';

/** Threads, messages, resources (working memory) and Observational Memory, stored in D1. */
export class MemoryStorageD1 extends D1Domain(MemoryStorage, {
  key: 'memory',
  tables: MEMORY_TABLES,
  retention: {
    tables: {
      messages: { table: TABLE_MESSAGES, column: 'createdAt', indexed: true },
      resources: { table: TABLE_RESOURCES, column: 'createdAt', indexed: true },
      threads: { table: TABLE_THREADS, column: 'createdAt', indexed: true },
    },
    // Messages and resources before the threads they belong to, as LibSQLStore does.
    order: ['messages', 'resources', 'threads'],
  },
}) {
  override readonly supportsObservationalMemory = true;
  override readonly supportsPartialThreadUpdate = true;
  readonly #om: ObservationalMemoryD1;

  constructor(config: D1DomainConfig) {
    super(config);
    this.#om = new ObservationalMemoryD1(this.ctx);
  }

  async getThreadById(args: { threadId: string; resourceId?: string }): Promise<StorageThreadType | null> {
    return storageOperation('getThreadById', {}, () => getThread(this.ctx, args?.threadId, args?.resourceId));
  }
  async saveThread({ thread }: { thread: StorageThreadType }): Promise<StorageThreadType> {
    return storageOperation('saveThread', { threadId: thread?.id ?? null }, () => saveThread(this.ctx, thread));
  }
  async updateThread(args: { id: string; title?: string; metadata?: Record<string, unknown> }): Promise<StorageThreadType> {
    return storageOperation('updateThread', { threadId: args?.id ?? null }, () => updateThread(this.ctx, args));
  }
  override async updateThreadMetadata(args: {
    id: string;
    resourceId?: string;
    update: (thread: StorageThreadType) => Record<string, unknown> | undefined;
  }): Promise<StorageThreadType | null> {
    return storageOperation('updateThreadMetadata', { threadId: args?.id ?? null }, () => updateThreadMetadata(this.ctx, args));
  }
  async deleteThread({ threadId }: { threadId: string }): Promise<void> {
    return storageOperation('deleteThread', { threadId }, () => deleteThread(this.ctx, threadId));
  }
  override async updateThreadResourceId(args: { threadId: string; resourceId: string }): Promise<StorageThreadType> {
    return storageOperation('updateThreadResourceId', { threadId: args?.threadId ?? null }, () => updateThreadResourceId(this.ctx, args));
  }
  async listThreads(args: StorageListThreadsInput): Promise<StorageListThreadsOutput> {
    return storageOperation('listThreads', { resourceId: args?.filter?.resourceId ?? null }, () =>
      listThreads(this.ctx, args ?? {}, (metadata) => this.validateMetadataKeys(metadata)),
    );
  }
  // Errors carry LibSQLStore's operation name, `cloneThread`, for both copy and clone.
  override async copyThread(args: StorageCloneThreadInput): Promise<StorageCopyThreadOutput> {
    return storageOperation('cloneThread', { sourceThreadId: args?.sourceThreadId ?? null }, () => copyThread(this.ctx, args));
  }

  async listMessages(args: StorageListMessagesInput): Promise<StorageListMessagesOutput> {
    const threadId = Array.isArray(args?.threadId) ? args.threadId.join(',') : (args?.threadId ?? null);
    return storageOperation('listMessages', { threadId }, () => listMessages(this.ctx, args));
  }
  override async listMessagesByResourceId(args: StorageListMessagesByResourceIdInput): Promise<StorageListMessagesOutput> {
    return storageOperation('listMessagesByResourceId', { resourceId: args?.resourceId ?? null }, () => listMessagesByResourceId(this.ctx, args));
  }
  async listMessagesById({ messageIds }: { messageIds: string[] }): Promise<{ messages: MastraDBMessage[] }> {
    return storageOperation('listMessagesById', { count: messageIds?.length ?? 0 }, () => listMessagesById(this.ctx, messageIds));
  }
  async saveMessages({ messages }: { messages: MastraDBMessage[] }): Promise<{ messages: MastraDBMessage[] }> {
    return storageOperation('saveMessages', { count: messages?.length ?? 0 }, () => saveMessages(this.ctx, messages));
  }
  async updateMessages({ messages }: Parameters<MemoryStorage['updateMessages']>[0]): Promise<MastraDBMessage[]> {
    return storageOperation('updateMessages', { count: messages?.length ?? 0 }, () => updateMessages(this.ctx, messages));
  }
  override async deleteMessages(messageIds: string[]): Promise<void> {
    return storageOperation('deleteMessages', { count: messageIds?.length ?? 0 }, () => deleteMessages(this.ctx, messageIds));
  }

  override async getResourceById({ resourceId }: { resourceId: string }): Promise<StorageResourceType | null> {
    return storageOperation('getResourceById', { resourceId }, () => getResource(this.ctx, resourceId));
  }
  override async saveResource({ resource }: { resource: StorageResourceType }): Promise<StorageResourceType> {
    return storageOperation('saveResource', { resourceId: resource?.id ?? null }, () => saveResource(this.ctx, resource));
  }
  override async updateResource(args: { resourceId: string; workingMemory?: string; metadata?: Record<string, unknown> }): Promise<StorageResourceType> {
    return storageOperation('updateResource', { resourceId: args?.resourceId ?? null }, () => updateResource(this.ctx, args));
  }

  // Observational Memory lives in ./observational.ts.
  override getObservationalMemory(threadId: string | null, resourceId: string): Promise<ObservationalMemoryRecord | null> {
    return this.#om.getObservationalMemory(threadId, resourceId);
  }
  override getObservationalMemoryHistory(threadId: string | null, resourceId: string, limit?: number, options?: ObservationalMemoryHistoryOptions): Promise<ObservationalMemoryRecord[]> {
    return this.#om.getObservationalMemoryHistory(threadId, resourceId, limit, options);
  }
  override initializeObservationalMemory(input: CreateObservationalMemoryInput): Promise<ObservationalMemoryRecord> {
    return this.#om.initializeObservationalMemory(input);
  }
  override updateActiveObservations(input: UpdateActiveObservationsInput): Promise<void> {
    return this.#om.updateActiveObservations(input);
  }
  override updateBufferedObservations(input: UpdateBufferedObservationsInput): Promise<void> {
    return this.#om.updateBufferedObservations(input);
  }
  override swapBufferedToActive(input: SwapBufferedToActiveInput): Promise<SwapBufferedToActiveResult> {
    return this.#om.swapBufferedToActive(input);
  }
  override createReflectionGeneration(input: CreateReflectionGenerationInput): Promise<ObservationalMemoryRecord> {
    return this.#om.createReflectionGeneration(input);
  }
  override updateBufferedReflection(input: UpdateBufferedReflectionInput): Promise<void> {
    return this.#om.updateBufferedReflection(input);
  }
  override swapBufferedReflectionToActive(input: SwapBufferedReflectionToActiveInput): Promise<ObservationalMemoryRecord> {
    return this.#om.swapBufferedReflectionToActive(input);
  }
  override setReflectingFlag(id: string, isReflecting: boolean): Promise<void> {
    return this.#om.setReflectingFlag(id, isReflecting);
  }
  override setObservingFlag(id: string, isObserving: boolean): Promise<void> {
    return this.#om.setObservingFlag(id, isObserving);
  }
  override setBufferingObservationFlag(id: string, isBuffering: boolean, lastBufferedAtTokens?: number): Promise<void> {
    return this.#om.setBufferingObservationFlag(id, isBuffering, lastBufferedAtTokens);
  }
  override setBufferingReflectionFlag(id: string, isBuffering: boolean): Promise<void> {
    return this.#om.setBufferingReflectionFlag(id, isBuffering);
  }
  override insertObservationalMemoryRecord(record: ObservationalMemoryRecord): Promise<void> {
    return this.#om.insertObservationalMemoryRecord(record);
  }
  override clearObservationalMemory(threadId: string | null, resourceId: string): Promise<void> {
    return this.#om.clearObservationalMemory(threadId, resourceId);
  }
  override setPendingMessageTokens(id: string, tokenCount: number): Promise<void> {
    return this.#om.setPendingMessageTokens(id, tokenCount);
  }
  override updateObservationalMemoryConfig(input: UpdateObservationalMemoryConfigInput): Promise<void> {
    return this.#om.updateObservationalMemoryConfig(input);
  }
}
