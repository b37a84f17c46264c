import type { D1DomainContext, DomainConstructorArg } from '../config';
import type { TableSpec } from '../sql/ddl';
import * as all from './all';
import type { D1DomainStatics, DomainKey } from './base';

/** A domain class as the registry sees it: built from the store's shared context. */
export type RegisteredDomain = D1DomainStatics & (new (context: DomainConstructorArg) => object);

/** Every domain class, in the order `init()` creates their tables. */
export const DOMAIN_CLASSES: readonly RegisteredDomain[] = Object.values(all as unknown as Record<string, RegisteredDomain>);

/** Every domain key this package provides. */
export const DOMAIN_KEYS: readonly DomainKey[] = DOMAIN_CLASSES.map((domain) => domain.domain);

/** Every table this package creates, across all domains. */
export const ALL_TABLES: readonly TableSpec[] = DOMAIN_CLASSES.flatMap((domain) => domain.tables);

/** One instance of every domain over a shared context, keyed as `D1Store.stores` is. */
export function buildDomains(context: D1DomainContext): Record<DomainKey, object> {
  return Object.fromEntries(DOMAIN_CLASSES.map((Domain) => [Domain.domain, new Domain(context)])) as Record<DomainKey, object>;
}
