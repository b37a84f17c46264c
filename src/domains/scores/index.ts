import { ScoresStorage } from '@mastra/core/storage';
import type { D1DomainConfig } from '../../config';
import { domainSetup, type DomainContext } from '../context';
import { SCORE_TABLES } from './schema';

const pending = (method: string): never => {
  throw new Error(`ScoresStorageD1.${method} is not implemented yet`);
};

/** Evaluation scores, stored in D1. */
export class ScoresStorageD1 extends ScoresStorage {
  /** The tables this domain creates. */
  static readonly tables = SCORE_TABLES;
  readonly #ctx: DomainContext;

  constructor(config: D1DomainConfig) {
    super();
    this.#ctx = domainSetup(config, SCORE_TABLES);
  }

  override init(): Promise<void> {
    return this.#ctx.init();
  }

  override async dangerouslyClearAll(): Promise<never> {
    return pending('dangerouslyClearAll');
  }
  async getScoreById(): Promise<never> {
    return pending('getScoreById');
  }
  async saveScore(): Promise<never> {
    return pending('saveScore');
  }
  async listScoresByScorerId(): Promise<never> {
    return pending('listScoresByScorerId');
  }
  async listScoresByRunId(): Promise<never> {
    return pending('listScoresByRunId');
  }
  async listScoresByEntityId(): Promise<never> {
    return pending('listScoresByEntityId');
  }
}
