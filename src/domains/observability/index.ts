import { ObservabilityStorage } from '@mastra/core/storage';
import type { D1DomainConfig } from '../../config';
import { domainSetup, type DomainContext } from '../context';
import { OBSERVABILITY_TABLES } from './schema';

/** Tracing spans, stored in D1. */
export class ObservabilityStorageD1 extends ObservabilityStorage {
  /** The tables this domain creates. */
  static readonly tables = OBSERVABILITY_TABLES;
  readonly #ctx: DomainContext;

  constructor(config: D1DomainConfig) {
    super();
    this.#ctx = domainSetup(config, OBSERVABILITY_TABLES);
  }

  override init(): Promise<void> {
    return this.#ctx.init();
  }

  override async dangerouslyClearAll(): Promise<void> {}
}
