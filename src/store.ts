import { MastraCompositeStore, type StorageDomains } from '@mastra/core/storage';
import { resolveStoreConfig, type D1DomainContext, type D1StoreConfig } from './config';
import { ALL_TABLES, buildDomains } from './domains/registry';
import { toMastraError } from './errors';
import { createTableNamer } from './sql/identifiers';
import { ensureSchema, initOnce, schemaScript } from './sql/schema';

/** The schema-marker scope of a whole store (a domain class built on its own uses its key). */
const STORE_SCOPE = 'store';

/**
 * The exact DDL `init()` runs on a new database, one statement per entry, for creating the tables ahead
 * of time (e.g. as a `wrangler d1 migrations` file) and running with `disableInit: true`. It ends with the
 * schema marker, so a store's `init()` on a database made from it is a single read.
 */
export function schemaSql(options: { tablePrefix?: string } = {}): string[] {
  return schemaScript(createTableNamer(options.tablePrefix ?? ''), ALL_TABLES, STORE_SCOPE);
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
    const { id, disableInit, retention, driver, tables } = resolveStoreConfig(config);
    super({ id, name: 'D1Store', disableInit, retention });
    this.#init = initOnce(async () => {
      try {
        await ensureSchema(driver, tables, ALL_TABLES, STORE_SCOPE);
      } catch (error) {
        throw toMastraError('init', error);
      }
    });
    const context: D1DomainContext = { driver, tables, init: () => this.init() };
    this.stores = buildDomains(context) as StorageDomains;
  }

  /**
   * Creates every table and index of every domain. On a database this package version already set up
   * it is ONE statement (a read of the schema marker), whatever the number of domains. Concurrent
   * callers share one run; a failed run is retried by the next call.
   */
  override init(): Promise<void> {
    return this.#init();
  }

  /** Nothing to release: a binding has no connection to close and REST is stateless. */
  override async close(): Promise<void> {}
}
