import { resolveDomainConfig, type D1DomainConfig, type D1DomainContext } from '../config';
import type { TableSpec } from '../sql/ddl';
import { ensureSchema, initOnce } from '../sql/schema';

/** A domain's driver, table namer and `init()`. */
export type DomainContext = Required<D1DomainContext>;

/**
 * Resolves a domain class's constructor argument. Standalone, `init()` creates the domain's own tables
 * once; inside `D1Store` it is the store's `init()`, which creates every domain's tables in one batch.
 */
export function domainSetup(config: D1DomainConfig, tables: readonly TableSpec[]): DomainContext {
  const context = resolveDomainConfig(config);
  return { ...context, init: context.init ?? initOnce(() => ensureSchema(context.driver, context.tables, tables)) };
}
