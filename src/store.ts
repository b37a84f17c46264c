import { MastraCompositeStore, type StorageDomains } from '@mastra/core/storage';
import { resolveStoreConfig, type D1DomainContext, type D1StoreConfig } from './config';
import { MemoryStorageD1 } from './domains/memory';
import { ObservabilityStorageD1 } from './domains/observability';
import { ScoresStorageD1 } from './domains/scores';
import { WorkflowsStorageD1 } from './domains/workflows';
import { toMastraError } from './errors';
import type { TableSpec } from './sql/ddl';
import { createTableNamer } from './sql/identifiers';
import { ensureSchema, initOnce, schemaStatements } from './sql/schema';

/** Every table this package creates, across all domains. */
export const ALL_TABLES: readonly TableSpec[] = [
  ...MemoryStorageD1.tables,
  ...WorkflowsStorageD1.tables,
  ...ScoresStorageD1.tables,
  ...ObservabilityStorageD1.tables,
];

/**
 * The exact DDL `init()` runs, one statement per entry, for creating the tables ahead of time
 * (e.g. as a `wrangler d1 migrations` file) and running with `disableInit: true`.
 */
export function schemaSql(options: { tablePrefix?: string } = {}): string[] {
  return schemaStatements(createTableNamer(options.tablePrefix ?? ''), ALL_TABLES);
}

/**
 * Mastra storage on Cloudflare D1: pass it as `storage` to `new Mastra({...})`.
 *
 * @example
 * ```ts
 * // In a Worker
 * const storage = new D1Store({ id: 'app', binding: env.DB });
 * // From Node, over the REST API
 * const storage = new D1Store({ id: 'app', accountId, databaseId, apiToken });
 * const memory = await storage.getStore('memory');
 * ```
 */
export class D1Store extends MastraCompositeStore {
  declare stores: StorageDomains;
  readonly #init: () => Promise<void>;

  /** Validates `config` (throwing a USER `MastraError` that names the bad field) and builds every domain. */
  constructor(config: D1StoreConfig) {
    const { id, disableInit, driver, tables } = resolveStoreConfig(config);
    super({ id, name: 'D1Store', disableInit });
    this.#init = initOnce(async () => {
      try {
        await ensureSchema(driver, tables, ALL_TABLES);
      } catch (error) {
        throw toMastraError('init', error);
      }
    });
    const context: D1DomainContext = { driver, tables, init: () => this.init() };
    this.stores = {
      memory: new MemoryStorageD1(context),
      workflows: new WorkflowsStorageD1(context),
      scores: new ScoresStorageD1(context),
      observability: new ObservabilityStorageD1(context),
    };
  }

  /**
   * Creates every table and index of every domain in one batch (one round trip on an up-to-date
   * database). Concurrent callers share one run; a failed run is retried by the next call.
   */
  override init(): Promise<void> {
    return this.#init();
  }

  /** Nothing to release: a binding has no connection to close and REST is stateless. */
  override async close(): Promise<void> {}
}
