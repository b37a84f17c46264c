import { afterAll, beforeAll } from 'vitest';
import { D1Store, type D1StoreConfig } from '../../src';
import type { D1Client, D1DatabaseLike } from '../../src/client/types';
import { startLocalD1, type LocalD1 } from './d1';
import { startRestEmulator, type RestEmulator } from './rest-emulator';

/** The three ways to reach D1; every conformance test runs once for each. */
export const CLIENT_KINDS = ['binding', 'rest', 'custom'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** A custom client in `@mastra/cloudflare-d1`'s shape, answering from a real D1. */
export function customClientOver(db: D1DatabaseLike): D1Client {
  return {
    async query({ sql, params }) {
      return { result: [await db.prepare(sql).bind(...params).all()] };
    },
  };
}

let prefixCounter = 0;
/** A table prefix no other test in this database uses. */
export function uniquePrefix(label = 't'): string {
  prefixCounter += 1;
  return `${label}${prefixCounter}_${Math.random().toString(36).slice(2, 8)}_`;
}

/** The part of a `D1Store` config that picks the transport. */
export type Connection =
  | { binding: D1DatabaseLike }
  | { client: D1Client }
  | { apiBaseUrl: string; accountId: string; databaseId: string; apiToken: string };

/** One D1 and one REST emulator over it, shared by a test file. */
export interface Harness {
  readonly d1: LocalD1;
  readonly emulator: RestEmulator;
  /** The connection part of a `D1Store` config for a client kind. */
  connection(kind: ClientKind): Connection;
  /** A new `D1Store` on its own table prefix (unless given), not yet initialized. */
  store(kind: ClientKind, config?: Partial<D1StoreConfig> & { tablePrefix?: string }): D1Store;
  /** `store()` and `init()`. */
  freshStore(kind: ClientKind, config?: Partial<D1StoreConfig> & { tablePrefix?: string }): Promise<D1Store>;
}

/** Starts a harness before the file's tests and stops it after them. */
export function useHarness(): Harness {
  let d1: LocalD1 | undefined;
  let emulator: RestEmulator | undefined;
  beforeAll(async () => {
    d1 = await startLocalD1();
    emulator = await startRestEmulator(d1.db);
  });
  afterAll(async () => {
    await emulator?.close();
    await d1?.dispose();
  });

  const harness: Harness = {
    get d1() {
      if (!d1) throw new Error('harness not started');
      return d1;
    },
    get emulator() {
      if (!emulator) throw new Error('harness not started');
      return emulator;
    },
    connection(kind) {
      switch (kind) {
        case 'binding':
          return { binding: harness.d1.db };
        case 'custom':
          return { client: customClientOver(harness.d1.db) };
        case 'rest': {
          const { apiBaseUrl, accountId, databaseId, apiToken } = harness.emulator;
          return { apiBaseUrl, accountId, databaseId, apiToken };
        }
      }
    },
    store(kind, config = {}) {
      return new D1Store({ id: `test-${kind}`, tablePrefix: uniquePrefix(), ...harness.connection(kind), ...config } as D1StoreConfig);
    },
    async freshStore(kind, config) {
      const store = harness.store(kind, config);
      await store.init();
      return store;
    },
  };
  return harness;
}
