import type { CreateObservationalMemoryInput, CreateReflectionGenerationInput, ObservationalMemoryHistoryOptions, ObservationalMemoryRecord, SwapBufferedReflectionToActiveInput, SwapBufferedToActiveInput, SwapBufferedToActiveResult, UpdateActiveObservationsInput, UpdateBufferedObservationsInput, UpdateBufferedReflectionInput, UpdateObservationalMemoryConfigInput } from '@mastra/core/storage';
import type { DomainContext } from '../context';

const pending = (method: string): never => {
  throw new Error(`Observational Memory: ${method} is not implemented yet`);
};

/** Observational Memory records in D1; `MemoryStorageD1` delegates its OM methods here. */
export class ObservationalMemoryD1 {
  readonly #ctx: DomainContext;

  constructor(ctx: DomainContext) {
    this.#ctx = ctx;
  }

  async getObservationalMemory(threadId: string | null, resourceId: string): Promise<ObservationalMemoryRecord | null> {
    return pending('getObservationalMemory');
  }
  async getObservationalMemoryHistory(threadId: string | null, resourceId: string, limit?: number, options?: ObservationalMemoryHistoryOptions): Promise<ObservationalMemoryRecord[]> {
    return pending('getObservationalMemoryHistory');
  }
  async initializeObservationalMemory(input: CreateObservationalMemoryInput): Promise<ObservationalMemoryRecord> {
    return pending('initializeObservationalMemory');
  }
  async updateActiveObservations(input: UpdateActiveObservationsInput): Promise<void> {
    return pending('updateActiveObservations');
  }
  async updateBufferedObservations(input: UpdateBufferedObservationsInput): Promise<void> {
    return pending('updateBufferedObservations');
  }
  async swapBufferedToActive(input: SwapBufferedToActiveInput): Promise<SwapBufferedToActiveResult> {
    return pending('swapBufferedToActive');
  }
  async createReflectionGeneration(input: CreateReflectionGenerationInput): Promise<ObservationalMemoryRecord> {
    return pending('createReflectionGeneration');
  }
  async updateBufferedReflection(input: UpdateBufferedReflectionInput): Promise<void> {
    return pending('updateBufferedReflection');
  }
  async swapBufferedReflectionToActive(input: SwapBufferedReflectionToActiveInput): Promise<ObservationalMemoryRecord> {
    return pending('swapBufferedReflectionToActive');
  }
  async setReflectingFlag(id: string, isReflecting: boolean): Promise<void> {
    return pending('setReflectingFlag');
  }
  async setObservingFlag(id: string, isObserving: boolean): Promise<void> {
    return pending('setObservingFlag');
  }
  async setBufferingObservationFlag(id: string, isBuffering: boolean, lastBufferedAtTokens?: number): Promise<void> {
    return pending('setBufferingObservationFlag');
  }
  async setBufferingReflectionFlag(id: string, isBuffering: boolean): Promise<void> {
    return pending('setBufferingReflectionFlag');
  }
  async insertObservationalMemoryRecord(record: ObservationalMemoryRecord): Promise<void> {
    return pending('insertObservationalMemoryRecord');
  }
  async clearObservationalMemory(threadId: string | null, resourceId: string): Promise<void> {
    return pending('clearObservationalMemory');
  }
  async setPendingMessageTokens(id: string, tokenCount: number): Promise<void> {
    return pending('setPendingMessageTokens');
  }
  async updateObservationalMemoryConfig(input: UpdateObservationalMemoryConfigInput): Promise<void> {
    return pending('updateObservationalMemoryConfig');
  }
}
