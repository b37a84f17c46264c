import { describe, expect, it } from 'vitest';
import { resolveStoreConfig, type D1StoreConfig } from '../../src/config';
import { CLIENT_KINDS, useHarness, type ClientKind } from '../support/harness';

const h = useHarness();

/** The store for this prefix, initialized, and the driver and table namer its domains share. */
async function storeWithContext(kind: ClientKind, tablePrefix: string) {
  const config = { id: `iso-${kind}`, tablePrefix, ...h.connection(kind) } as D1StoreConfig;
  const store = await h.freshStore(kind, config);
  return { store, ...resolveStoreConfig(config) };
}

const saveThread = (threads: string, id: string, title: string) => ({
  sql: `INSERT INTO ${threads} (id, resourceId, title, metadata, createdAt, updatedAt) VALUES (?, 'r1', ?, '{}', ?, ?)`,
  params: [id, title, new Date(0).toISOString(), new Date(0).toISOString()],
});
const listThreads = (threads: string) => ({ sql: `SELECT id, title FROM ${threads} ORDER BY id`, params: [] });

describe.each(CLIENT_KINDS)('two table prefixes in one database on %s', (kind) => {
  it('cannot see or overwrite each other', async () => {
    // 'iso_' is a leading substring of 'iso_iso_': the names still may not collide.
    const short = `${kind}_iso_`;
    const long = `${kind}_iso_iso_`;
    const a = await storeWithContext(kind, short);
    const b = await storeWithContext(kind, long);

    await a.driver.batch([saveThread(a.tables('mastra_threads'), 't1', 'from a')]);
    await b.driver.batch([saveThread(b.tables('mastra_threads'), 't1', 'from b'), saveThread(b.tables('mastra_threads'), 't2', 'from b')]);

    expect(await a.driver.all(listThreads(a.tables('mastra_threads')))).toEqual([{ id: 't1', title: 'from a' }]);
    expect(await b.driver.all(listThreads(b.tables('mastra_threads')))).toEqual([
      { id: 't1', title: 'from b' },
      { id: 't2', title: 'from b' },
    ]);
    await a.driver.run({ sql: `DELETE FROM ${a.tables('mastra_threads')}`, params: [] });
    expect(await b.driver.all(listThreads(b.tables('mastra_threads')))).toHaveLength(2);
  });
});

describe('the unprefixed tables', () => {
  it('live beside prefixed ones without sharing rows', async () => {
    const plain = await storeWithContext('binding', '');
    const prefixed = await storeWithContext('binding', 'tenant_');
    expect(plain.tables('mastra_threads')).toBe('"mastra_threads"');
    expect(prefixed.tables('mastra_threads')).toBe('"tenant_mastra_threads"');
    await plain.driver.batch([saveThread(plain.tables('mastra_threads'), 'p1', 'plain')]);
    expect(await prefixed.driver.all(listThreads(prefixed.tables('mastra_threads')))).toEqual([]);
  });
});
