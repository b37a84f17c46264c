import type { StorageDomains } from '@mastra/core/storage';
import { describe, it } from 'vitest';
import type { D1Store, D1StoreConfig } from '../../src';
import { CLIENT_KINDS, useHarness, type ClientKind, type Harness } from './harness';

// The conformance factory: a domain's behaviour tests, written once, run over every way of reaching D1
// (Workers binding, REST over HTTP to the local emulator, custom client). A client that cannot do
// something is listed with the reason; nothing is skipped silently.

type DomainKey = keyof StorageDomains;
type Domain<K extends DomainKey> = NonNullable<StorageDomains[K]>;

/** What a conformance test gets: the client kind under test and fresh stores on it. */
export interface ConformanceContext<K extends DomainKey> {
  readonly kind: ClientKind;
  readonly h: Harness;
  /** A new, initialised D1Store on its own prefix over this client kind. */
  store(config?: Partial<D1StoreConfig> & { tablePrefix?: string }): Promise<D1Store>;
  /** The domain under test of a new, initialised store. */
  domain(config?: Partial<D1StoreConfig> & { tablePrefix?: string }): Promise<Domain<K>>;
  /**
   * `it`, except on the client kinds listed in `unsupported`, where the test is reported as skipped with
   * its reason (e.g. a custom client's batch is not atomic).
   */
  it(name: string, body: () => Promise<void>, unsupported?: Partial<Record<ClientKind, string>>): void;
}

/** Declares `body`'s tests once per client kind, in a `describe` named after the domain and the kind. */
export function describeConformance<K extends DomainKey>(key: K, title: string, body: (context: ConformanceContext<K>) => void): void {
  const h = useHarness();
  describe.each(CLIENT_KINDS)(`${title} on %s`, (kind) => {
    const store = (config?: Partial<D1StoreConfig> & { tablePrefix?: string }) => h.freshStore(kind, config);
    body({
      kind,
      h,
      store,
      async domain(config) {
        return (await (await store(config)).getStore(key)) as Domain<K>;
      },
      it(name, test, unsupported = {}) {
        const reason = unsupported[kind];
        if (reason) it.skip(`${name} (not on ${kind}: ${reason})`, test);
        else it(name, test);
      },
    });
  });
}
