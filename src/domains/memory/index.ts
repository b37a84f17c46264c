import { MemoryStorage } from '@mastra/core/storage';
import type { D1DomainConfig } from '../../config';
import { domainSetup, type DomainContext } from '../context';
import { MEMORY_TABLES } from './schema';

const pending = (method: string): never => {
  throw new Error(`MemoryStorageD1.${method} is not implemented yet`);
};

/** Threads, messages, resources (working memory) and Observational Memory, stored in D1. */
export class MemoryStorageD1 extends MemoryStorage {
  /** The tables this domain creates. */
  static readonly tables = MEMORY_TABLES;
  readonly #ctx: DomainContext;

  constructor(config: D1DomainConfig) {
    super();
    this.#ctx = domainSetup(config, MEMORY_TABLES);
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
}
