import type { MastraBase } from '@mastra/core/base';
import {
  executeRetentionPrune,
  resolveRetentionTargets,
  retentionCutoffMs,
  type PruneOptions,
  type PruneResult,
  type RetentionPruneTarget,
  type RetentionTablesDescriptor,
  type StorageDomains,
  type TableRetentionPolicy,
} from '@mastra/core/storage';
import { isDuration, resolveDomainConfig, type D1DomainConfig, type D1DomainContext, type DomainConstructorArg } from '../config';
import { storageOperation, userError } from '../errors';
import { createIndexSql, type TableSpec } from '../sql/ddl';
import { prefixedName, quoteIdentifier } from '../sql/identifiers';
import { ensureSchema, initOnce } from '../sql/schema';

/** A domain's driver, table namer and `init()`. */
export type DomainContext = Required<D1DomainContext>;

/** A storage domain key of `@mastra/core` (`memory`, `workflows`, ...). */
export type DomainKey = keyof StorageDomains;

/** What makes a core domain base class a D1 domain: its key, its tables and what retention may prune. */
export interface DomainDefinition {
  key: DomainKey;
  tables: readonly TableSpec[];
  /**
   * Core's `retentionTables` for this domain (table names without the prefix) and the order `prune()`
   * visits them in: children before the rows they belong to.
   */
  retention?: { tables: RetentionTablesDescriptor; order: readonly string[] };
}

/** The members every D1 domain class gets from `D1Domain`. */
export interface D1DomainMembers {
  init(): Promise<void>;
  dangerouslyClearAll(): Promise<void>;
  prune(policies: Record<string, TableRetentionPolicy>, options?: PruneOptions): Promise<PruneResult[]>;
}

/** The static side of a D1 domain class: what the registry, `init()` and the tests read. */
export interface D1DomainStatics {
  /** The key this domain has in `D1Store.stores`. */
  readonly domain: DomainKey;
  /** The tables and indexes this domain creates. */
  readonly tables: readonly TableSpec[];
  /** Core's retention descriptor: the tables `prune()` may delete from, and their anchor columns. */
  readonly retentionTables: RetentionTablesDescriptor;
}

type AbstractClass<T> = abstract new (...args: any[]) => T;
type DomainClass<T> = (abstract new (config: D1DomainConfig) => T & D1DomainMembers & { readonly ctx: DomainContext }) & D1DomainStatics;

/**
 * Resolves a domain class's constructor argument. Standalone, `init()` creates the domain's own tables
 * once (its own schema marker scope is its key); inside `D1Store` it is the store's `init()`, which
 * brings every domain's tables up in one go.
 */
function domainContext(config: DomainConstructorArg, definition: DomainDefinition): DomainContext {
  const context = resolveDomainConfig(config);
  return { ...context, init: context.init ?? initOnce(() => ensureSchema(context.driver, context.tables, definition.tables, definition.key)) };
}

/** A policy core's helpers would fail on mid-prune, refused up front as the caller's mistake. */
function checkPolicy(field: string, policy: TableRetentionPolicy): void {
  if (!isDuration(policy?.maxAge)) throw userError('prune', `${field}.maxAge must be a duration: milliseconds >= 0, or a string such as 30d or 12h`, { field: `${field}.maxAge` });
  const { batchSize } = policy;
  if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && batchSize > 0)) {
    throw userError('prune', `${field}.batchSize must be a positive integer`, { field: `${field}.batchSize` });
  }
}

function retentionIndex(target: RetentionPruneTarget): TableSpec {
  return { name: target.table, columns: {}, indexes: [{ name: `retention_${target.column}_idx`, columns: [target.column] }] };
}

/**
 * Makes a core domain base class (e.g. `ScoresStorage`) a D1 domain: the constructor takes a
 * `D1DomainConfig`, and `init()`, `dangerouslyClearAll()` (every table of the domain, one batch) and
 * `prune()` (core's retention lifecycle, each batch one `DELETE` served by an index on the anchor) are
 * written once here. The domain class itself holds only its SQL and its semantics, reaching D1 through
 * `this.ctx`.
 */
export function D1Domain<T extends object>(Base: AbstractClass<T>, definition: DomainDefinition): DomainClass<T> {
  abstract class Domain extends (Base as unknown as AbstractClass<MastraBase>) {
    static readonly domain = definition.key;
    static readonly tables = definition.tables;
    static readonly retentionTables: RetentionTablesDescriptor = definition.retention?.tables ?? {};
    /** The driver, the table namer and the shared `init()`. */
    readonly ctx: DomainContext;

    constructor(...args: any[]) {
      super();
      this.ctx = domainContext(args[0] as DomainConstructorArg, definition);
    }

    init(): Promise<void> {
      return this.ctx.init();
    }

    /** Empties every table of this domain (this prefix only) in one atomic batch. */
    async dangerouslyClearAll(): Promise<void> {
      const statements = definition.tables.map((spec) => ({ sql: `DELETE FROM ${this.ctx.tables(spec.name)}`, params: [] }));
      await storageOperation('dangerouslyClearAll', {}, () => this.ctx.driver.batch(statements, { idempotent: true }));
    }

    /**
     * Deletes rows older than each configured policy's `maxAge`, table by table in dependency order,
     * `batchSize` rows per statement, within core's caps (`maxBatches`, `maxRows`, `pauseMs`, `signal`).
     */
    async prune(policies: Record<string, TableRetentionPolicy>, options?: PruneOptions): Promise<PruneResult[]> {
      if (!definition.retention) return [];
      const { driver, tables } = this.ctx;
      const targets = resolveRetentionTargets({ policies, descriptor: definition.retention.tables, order: [...definition.retention.order] });
      for (const [key, policy] of Object.entries(policies)) if (Object.hasOwn(definition.retention.tables, key)) checkPolicy(`retention.${definition.key}.${key}`, policy);
      const results = await storageOperation('prune', { domain: definition.key }, () =>
        executeRetentionPrune({
          domain: definition.key,
          targets,
          options,
          beforeTarget: async (target) => {
            if (!target.indexed) return;
            // As in LibSQLStore, a failed index build (on a huge table it can outlast D1's 30 s statement
            // limit) slows the deletes down but does not stop them.
            try {
              await driver.run({ sql: createIndexSql(tables, retentionIndex(target))[0]!, params: [] }, { idempotent: true });
            } catch (error) {
              this.logger?.warn?.(`Failed to create the retention index on ${target.table}(${target.column}); pruning without it`, error);
            }
          },
          cutoffFor: (target, now) => {
            const cutoff = retentionCutoffMs(target.policy, now);
            return target.anchorType === 'epoch-ms' ? cutoff : new Date(cutoff).toISOString();
          },
          deleteBatch: async (target, cutoff, limit) => {
            const table = tables(target.table);
            const anchor = quoteIdentifier(target.column);
            const { changes } = await driver.run(
              { sql: `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${anchor} < ? LIMIT ?)`, params: [cutoff, limit] },
              { idempotent: true },
            );
            return changes;
          },
        }),
      );
      return results.map((result) => ({ ...result, table: prefixedName(tables.prefix, result.table) }));
    }
  }
  return Domain as unknown as DomainClass<T>;
}
