import { MemoryStorage, type CreateObservationalMemoryInput, type CreateReflectionGenerationInput, type ObservationalMemoryHistoryOptions, type ObservationalMemoryRecord, type SwapBufferedReflectionToActiveInput, type SwapBufferedToActiveInput, type SwapBufferedToActiveResult, type UpdateActiveObservationsInput, type UpdateBufferedObservationsInput, type UpdateBufferedReflectionInput, type UpdateObservationalMemoryConfigInput } from '@mastra/core/storage';
import type { D1DomainConfig } from '../../config';
import { domainSetup, type DomainContext } from '../context';
import { ObservationalMemoryD1 } from './observational';
import { MEMORY_TABLES } from './schema';

const pending = (method: string): never => {
  throw new Error(`MemoryStorageD1.${method} is not implemented yet`);
};

/** Threads, messages, resources (working memory) and Observational Memory, stored in D1. */
export class MemoryStorageD1 extends MemoryStorage {
  /** The tables this domain creates. */
  static readonly tables = MEMORY_TABLES;
  override readonly supportsObservationalMemory = true;
  readonly #ctx: DomainContext;
  readonly #om: ObservationalMemoryD1;

  constructor(config: D1DomainConfig) {
    super();
    this.#ctx = domainSetup(config, MEMORY_TABLES);
    this.#om = new ObservationalMemoryD1(this.#ctx);
  }

  override init(): Promise<void> {
    return this.#ctx.init();
  }

  async dangerouslyClearAll(): Promise<void> {
    pending('dangerouslyClearAll');
  }
  async getThreadById(): Promise<never> {
    return pending('getThreadById');
  }
  async saveThread(): Promise<never> {
    return pending('saveThread');
  }
  async updateThread(): Promise<never> {
    return pending('updateThread');
  }
  async deleteThread(): Promise<never> {
    return pending('deleteThread');
  }
  async listMessages(): Promise<never> {
    return pending('listMessages');
  }
  async listMessagesById(): Promise<never> {
    return pending('listMessagesById');
  }
  async saveMessages(): Promise<never> {
    return pending('saveMessages');
  }
  async updateMessages(): Promise<never> {
    return pending('updateMessages');
  }
  async listThreads(): Promise<never> {
    return pending('listThreads');
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
