/**
 * The two packages under test, each on its own fresh Miniflare D1 behind a counting binding.
 */
import { D1Store as OriginalD1Store } from '@mastra/cloudflare-d1';
import type { MastraCompositeStore, StorageDomains } from '@mastra/core/storage';
import { D1Store } from '../src';
import { countingD1, type CountingD1, type D1Like } from './counting-d1';
import { startWorkerD1 } from './worker-d1';

/** Which package a subject runs. */
export type Impl = 'ours' | 'original';
/** Both packages, in the order the table shows them. */
export const IMPLS: readonly Impl[] = ['ours', 'original'];
/** Package names for the legend. */
export const IMPL_LABEL: Record<Impl, string> = { ours: 'mastra-cloudflare-d1', original: '@mastra/cloudflare-d1@1.0.1' };

/** A domain the subject does not have at all (the original has no observability). */
export class MissingDomain extends Error {}

/** One package on one fresh database. */
export interface Subject {
  readonly impl: Impl;
  /** The counting binding every store of this subject uses. */
  readonly d1: CountingD1;
  /** The unwrapped binding, for seeding and checks outside the measurement. */
  readonly raw: D1Like;
  /** The store built at open time, not yet initialized. */
  readonly store: MastraCompositeStore;
  /** A new store instance of the same package on the same database, on `prefix` (default: the subject's). */
  newStore(prefix?: string): MastraCompositeStore;
  /** The named domain of `store`, or a `MissingDomain` error. */
  domain<K extends keyof StorageDomains>(name: K): Promise<NonNullable<StorageDomains[K]>>;
  /** The physical name of a Mastra table for this subject's prefix. */
  table(name: string): string;
  close(): Promise<void>;
}

const PREFIX = 'bench_';

function build(impl: Impl, binding: D1Like, prefix: string): MastraCompositeStore {
  const config = { id: `bench-${impl}`, binding, tablePrefix: prefix };
  // The original types its binding off @cloudflare/workers-types; it only calls prepare/bind/first/all.
  return impl === 'ours' ? new D1Store(config as never) : new OriginalD1Store(config as never);
}

/** Starts a fresh Miniflare D1 and builds `impl`'s store over a counting binding to it. */
export async function openSubject(impl: Impl): Promise<Subject> {
  const { binding: raw, dispose } = await startWorkerD1(`bench-${impl}`);
  const d1 = countingD1(raw);
  const store = build(impl, d1.binding, PREFIX);
  return {
    impl,
    d1,
    raw,
    store,
    newStore: (prefix = PREFIX) => build(impl, d1.binding, prefix),
    async domain(name) {
      const domain = await store.getStore(name);
      if (!domain) throw new MissingDomain(`no ${name} domain`);
      return domain;
    },
    table: (name) => `${PREFIX}${name}`,
    close: dispose,
  };
}
