import { describe, expect, it } from 'vitest';
import { schemaSql, ScoresStorageD1 } from '../../src';
import { ALL_TABLES } from '../../src/domains/registry';
import type { D1Client } from '../../src/client/types';
import { faultyD1 } from '../support/faults';
import { CLIENT_KINDS, customClientOver, uniquePrefix, useHarness } from '../support/harness';

const h = useHarness();

async function tableNames(prefix: string): Promise<string[]> {
  const { results } = await h.d1.db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE ? ORDER BY name")
    .bind(`${prefix}%`)
    .all();
  return (results as { name: string }[]).map((r) => r.name);
}

describe.each(CLIENT_KINDS)('init() over %s', (kind) => {
  it('creates every table with the prefix applied', async () => {
    const prefix = uniquePrefix();
    await h.freshStore(kind, { tablePrefix: prefix });
    const names = await tableNames(prefix);
    expect(names).toEqual(
      expect.arrayContaining(ALL_TABLES.map((spec) => prefix + spec.name)),
    );
  });

  it('is idempotent: twice, concurrently, and from a second instance', async () => {
    const prefix = uniquePrefix();
    const store = h.store(kind, { tablePrefix: prefix });
    await Promise.all([store.init(), store.init(), store.init()]);
    await store.init();
    await Promise.all(Array.from({ length: 5 }, () => h.store(kind, { tablePrefix: prefix }).init()));
    expect(await tableNames(prefix)).toHaveLength(ALL_TABLES.length + 1);
  });

  it('adds a column that an older table lacks', async () => {
    const prefix = uniquePrefix();
    await h.d1.db.prepare(`CREATE TABLE "${prefix}mastra_threads" ("id" TEXT PRIMARY KEY, "title" TEXT)`).all();
    await h.freshStore(kind, { tablePrefix: prefix });
    const { results } = await h.d1.db.prepare('SELECT name FROM pragma_table_info(?)').bind(`${prefix}mastra_threads`).all();
    expect((results as { name: string }[]).map((r) => r.name)).toEqual(
      expect.arrayContaining(['id', 'title', 'resourceId', 'metadata', 'createdAt', 'updatedAt']),
    );
  });

  it('can run again on the same instance after a failed run', async () => {
    const prefix = uniquePrefix();
    // A view where a table belongs makes the schema batch fail (D1 cannot add a column to a view).
    await h.d1.db.prepare(`CREATE VIEW "${prefix}mastra_threads" AS SELECT 1 AS id`).all();
    const store = h.store(kind, { tablePrefix: prefix });
    await expect(store.init()).rejects.toThrow(/view/);
    await h.d1.db.prepare(`DROP VIEW "${prefix}mastra_threads"`).all();
    await store.init();
    expect(await tableNames(prefix)).toContain(`${prefix}mastra_threads`);
  });
});

describe('disableInit', () => {
  it('is recorded for Mastra, and an explicit init() still creates the tables', async () => {
    const prefix = uniquePrefix();
    const store = h.store('binding', { tablePrefix: prefix, disableInit: true });
    expect(store.disableInit).toBe(true);
    expect(await tableNames(prefix)).toEqual([]);
    await store.init();
    expect((await tableNames(prefix)).length).toBeGreaterThan(0);
  });
});

describe('schemaSql()', () => {
  it('is the DDL init() runs, ends with the schema marker, and a store on a database made from it initialises with one read', async () => {
    const prefix = uniquePrefix();
    const statements = schemaSql({ tablePrefix: prefix });
    expect(statements.slice(0, -1).every((s) => /^(CREATE (UNIQUE )?(TABLE|INDEX|TRIGGER) IF NOT EXISTS |DELETE FROM |DROP INDEX IF EXISTS )/.test(s))).toBe(true);
    expect(statements.at(-1)).toMatch(new RegExp(`^INSERT INTO "${prefix}mastra_d1_schema"`));
    await h.d1.db.batch(statements.map((s) => h.d1.db.prepare(s)));
    const byHand = await tableNames(prefix);
    const other = uniquePrefix();
    await h.freshStore('binding', { tablePrefix: other });
    expect((await tableNames(other)).map((n) => n.slice(other.length))).toEqual(byHand.map((n) => n.slice(prefix.length)));

    const faults = faultyD1(h.d1.db);
    await h.store('binding', { tablePrefix: prefix, binding: faults.db }).init();
    expect(faults.since()).toEqual({ statements: 1, roundTrips: 1 });
  });
});

describe('init() on an up-to-date database: one statement, however many domains', () => {
  it('is ONE statement in one round trip over a binding, and none on a second init() of the same instance', async () => {
    const faults = faultyD1(h.d1.db);
    const prefix = uniquePrefix();
    await h.freshStore('binding', { tablePrefix: prefix });
    const store = h.store('binding', { tablePrefix: prefix, binding: faults.db });
    faults.mark();
    await Promise.all([store.init(), store.init()]);
    expect(faults.since()).toEqual({ statements: 1, roundTrips: 1 });
    faults.mark();
    await store.init();
    expect(faults.since().roundTrips).toBe(0);
  });

  it('is ONE request over REST, and none on a second init() of the same instance', async () => {
    const prefix = uniquePrefix();
    await h.freshStore('rest', { tablePrefix: prefix });
    const store = h.store('rest', { tablePrefix: prefix });
    const before = h.emulator.requests.length;
    await store.init();
    expect(h.emulator.requests.length - before).toBe(1);
    await store.init();
    expect(h.emulator.requests.length - before).toBe(1);
  });

  it('is ONE query over a custom client, and none the second time', async () => {
    const prefix = uniquePrefix();
    await h.freshStore('custom', { tablePrefix: prefix });
    const real = customClientOver(h.d1.db);
    let queries = 0;
    const client: D1Client = {
      query(args) {
        queries += 1;
        return real.query(args);
      },
    };
    const store = h.store('custom', { tablePrefix: prefix, client });
    await store.init();
    expect(queries).toBe(1);
    await store.init();
    expect(queries).toBe(1);
  });
});

describe('the schema marker', () => {
  const marker = (prefix: string) => `"${prefix}mastra_d1_schema"`;

  it('records the schema hash and prefix of the store scope', async () => {
    const prefix = uniquePrefix();
    await h.freshStore('binding', { tablePrefix: prefix });
    const { results } = await h.d1.db.prepare(`SELECT scope, hash, "tablePrefix" FROM ${marker(prefix)}`).all();
    expect(results).toEqual([{ scope: 'store', hash: expect.stringMatching(/^[0-9a-f]{16}$/), tablePrefix: prefix }]);
  });

  it('when stale, runs the full DDL again (re-creating what is missing) and rewrites the marker', async () => {
    const prefix = uniquePrefix();
    await h.freshStore('binding', { tablePrefix: prefix });
    await h.d1.db.prepare(`DROP TABLE "${prefix}mastra_scorers"`).all();
    await h.d1.db.prepare(`UPDATE ${marker(prefix)} SET hash = 'stale'`).all();
    const faults = faultyD1(h.d1.db);
    await h.store('binding', { tablePrefix: prefix, binding: faults.db }).init();
    expect(faults.since().roundTrips).toBe(2);
    expect(await tableNames(prefix)).toContain(`${prefix}mastra_scorers`);
    const { results } = await h.d1.db.prepare(`SELECT hash FROM ${marker(prefix)}`).all();
    expect((results![0] as { hash: string }).hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('trusts a current marker: a table dropped by hand comes back once the marker row is deleted', async () => {
    const prefix = uniquePrefix();
    await h.freshStore('binding', { tablePrefix: prefix });
    await h.d1.db.prepare(`DROP TABLE "${prefix}mastra_scorers"`).all();
    const trusting = await h.freshStore('binding', { tablePrefix: prefix });
    await expect((await trusting.getStore('scores'))!.getScoreById({ id: 'x' })).rejects.toThrow(/no such table/);
    await h.d1.db.prepare(`DELETE FROM ${marker(prefix)}`).all();
    const repaired = await h.freshStore('binding', { tablePrefix: prefix });
    expect(await (await repaired.getStore('scores'))!.getScoreById({ id: 'x' })).toBeNull();
  });

  it('finishes on a legacy table whose column names differ only in letter case, adding only what is missing', async () => {
    const prefix = uniquePrefix();
    await h.d1.db.prepare(`CREATE TABLE "${prefix}mastra_threads" (id TEXT PRIMARY KEY, resourceid TEXT, title TEXT, createdat TEXT, updatedat TEXT)`).all();
    const faults = faultyD1(h.d1.db);
    await h.store('binding', { tablePrefix: prefix, binding: faults.db, retry: false }).init();
    // The marker read, the schema batch that finds columns missing, the column probe, the migration.
    expect(faults.since().roundTrips).toBe(4);
    const { results } = await h.d1.db.prepare('SELECT name FROM pragma_table_info(?)').bind(`${prefix}mastra_threads`).all();
    expect((results as { name: string }[]).map((r) => r.name)).toEqual(['id', 'resourceid', 'title', 'createdat', 'updatedat', 'metadata']);
  });

  it('is kept per scope: a domain class built on its own records its key', async () => {
    const prefix = uniquePrefix();
    const scores = new ScoresStorageD1({ binding: h.d1.db, tablePrefix: prefix });
    await scores.init();
    const { results } = await h.d1.db.prepare(`SELECT scope FROM ${marker(prefix)}`).all();
    expect(results).toEqual([{ scope: 'scores' }]);
    expect(await tableNames(prefix)).toEqual([`${prefix}mastra_d1_schema`, `${prefix}mastra_scorers`]);
  });
});
