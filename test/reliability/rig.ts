import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { MemoryStorage, ObservabilityStorage, ScoresStorage, WorkflowsStorage } from '@mastra/core/storage';
import { D1Store, type D1StoreConfig } from '../../src';
import { faultyD1, type FaultyD1 } from '../support/faults';
import { customClientOver, uniquePrefix, useHarness } from '../support/harness';
import { startRestEmulator, type RestEmulator } from '../support/rest-emulator';
import { attachFigures, countTest, tally } from './figures';
import { DOMAIN_KEYS } from '../../src/domains/registry';

/**
 * The transports with an atomic batch. The custom `client` option runs a batch statement by statement
 * (documented as not atomic), so all-or-nothing claims are made for these two only.
 */
export const ATOMIC_KINDS = ['binding', 'rest'] as const;
export type AtomicKind = (typeof ATOMIC_KINDS)[number];
/** Every transport the rig can reach D1 through, the custom `client` option included. */
export type RigKind = AtomicKind | 'custom';

type StoreOptions = Partial<D1StoreConfig> & { tablePrefix?: string };

/** Fast retries keep fault tests quick; the policy's shape is what is under test, not its delays. */
export const FAST_RETRY = { attempts: 3, baseDelayMs: 2, maxDelayMs: 10 };

/** A store, its prefix, and its tables' quoted names for raw reads that bypass the store. */
export interface Opened {
  store: D1Store;
  prefix: string;
  table(name: string): string;
  /** `SELECT COUNT(*)` of a table of this store, read directly from D1. */
  count(table: string, where: string, ...params: unknown[]): Promise<number>;
}

/** An opened store with its four domains at hand. */
export interface Domains extends Opened {
  memory: MemoryStorage;
  workflows: WorkflowsStorage;
  scores: ScoresStorage;
  observability: ObservabilityStorage;
}

/** A harness whose stores reach D1 through the fault-injecting wrapper: by binding, over REST or by custom client. */
export interface Rig {
  readonly faults: FaultyD1;
  /** A REST emulator whose database is the faulty wrapper (HTTP-level faults: `queueFault`). */
  readonly emulator: RestEmulator;
  store(kind: RigKind, options?: StoreOptions): D1Store;
  freshStore(kind: RigKind, options?: StoreOptions): Promise<D1Store>;
  /** `freshStore()` on a new prefix, with the prefix and a raw table-name helper for checking rows directly. */
  open(kind: RigKind, options?: StoreOptions): Promise<Opened>;
  /** Opens a store for the enclosing `describe` (in its `beforeAll`); read its fields inside tests only. */
  useDomains(kind: RigKind): Domains;
  /** Runs a raw query on the database, bypassing the wrapper (no counts, no faults). */
  rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
}

/**
 * Call once at the top of a reliability test file. After every test it asserts that no statement
 * broke D1's 100-parameter or 100 KB limits, and it counts checks and faults for FIGURES.md.
 */
export function useRig(fileUrl: string): Rig {
  const h = useHarness();
  let faults: FaultyD1 | undefined;
  let emulator: RestEmulator | undefined;
  beforeAll(async () => {
    faults = faultyD1(h.d1.db);
    const started = await startRestEmulator(faults.db);
    emulator = {
      ...started,
      queueFault: (...queued) => {
        tally.httpFaults += queued.length;
        started.queueFault(...queued);
      },
    };
  });
  afterEach(() => {
    rig.faults.disarm();
    countTest(rig.faults.violations.length);
    expect(rig.faults.violations, 'statements over D1 limits').toEqual([]);
  });
  // vitest requires a destructuring pattern as a hook's first (fixtures) argument; the test module is the second.
  afterAll(async ({}, file) => {
    await emulator?.close();
    if (faults) attachFigures(file, fileUrl, faults.counters);
  });

  const rig: Rig = {
    get faults() {
      if (!faults) throw new Error('rig not started');
      return faults;
    },
    get emulator() {
      if (!emulator) throw new Error('rig not started');
      return emulator;
    },
    store(kind, options = {}) {
      const { apiBaseUrl, accountId, databaseId, apiToken } = rig.emulator;
      const connection =
        kind === 'binding' ? { binding: rig.faults.db } : kind === 'custom' ? { client: customClientOver(rig.faults.db) } : { apiBaseUrl, accountId, databaseId, apiToken };
      return new D1Store({ id: `rel-${kind}`, tablePrefix: uniquePrefix('r'), retry: FAST_RETRY, ...connection, ...options } as D1StoreConfig);
    },
    async freshStore(kind, options) {
      const store = rig.store(kind, options);
      await store.init();
      return store;
    },
    async open(kind, options = {}) {
      const prefix = options.tablePrefix ?? uniquePrefix('r');
      const store = await rig.freshStore(kind, { ...options, tablePrefix: prefix });
      const table = (name: string) => `"${prefix}${name}"`;
      const count = async (name: string, where: string, ...params: unknown[]) =>
        (await rig.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table(name)} WHERE ${where}`, ...params))[0]!.n;
      return { store, prefix, table, count };
    },
    useDomains(kind) {
      let current: Domains | undefined;
      beforeAll(async () => {
        const opened = await rig.open(kind);
        const domains = Object.fromEntries(await Promise.all(DOMAIN_KEYS.map(async (key) => [key, await opened.store.getStore(key)])));
        current = { ...opened, ...domains } as Domains;
      });
      return new Proxy({} as Domains, {
        get(_target, key) {
          if (!current) throw new Error('useDomains: read the store inside a test, after beforeAll');
          return current[key as keyof Domains];
        },
      });
    },
    async rows<T>(sql: string, ...params: unknown[]) {
      const { results } = await h.d1.db.prepare(sql).bind(...params).all();
      return (results ?? []) as T[];
    },
  };
  return rig;
}
