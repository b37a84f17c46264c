import { resolveStoreConfig, type D1StoreConfig } from '../../src/config';
import type { D1DatabaseLike, D1Driver } from '../../src/client/types';
import { uniquePrefix, type ClientKind, type Harness } from '../support/harness';

/** Quick retries: these tests are about which calls repeat, not about how long the backoff waits. */
export const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

/** The driver `D1Store` would build for this connection and options (retries included unless `retry: false`). */
export function driverFor(h: Harness, kind: ClientKind, options: Partial<D1StoreConfig> = {}): D1Driver {
  return resolveStoreConfig({ id: `driver-${kind}`, retry: FAST_RETRY, ...h.connection(kind), ...options } as D1StoreConfig).driver;
}

/** A scratch table `{prefix}items (id PRIMARY KEY, name UNIQUE)`, created directly on the binding. */
export async function scratchTable(db: D1DatabaseLike): Promise<string> {
  const table = `"${uniquePrefix('s')}items"`;
  await db.prepare(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, name TEXT UNIQUE)`).all();
  return table;
}

/** The names in a scratch table, read directly on the binding, in id order. */
export async function names(db: D1DatabaseLike, table: string): Promise<string[]> {
  const { results } = await db.prepare(`SELECT name FROM ${table} ORDER BY id`).all();
  return (results as { name: string }[]).map((row) => row.name);
}
