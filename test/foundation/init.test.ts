import { describe, expect, it } from 'vitest';
import { schemaSql } from '../../src';
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
      expect.arrayContaining(['mastra_threads', 'mastra_messages', 'mastra_resources', 'mastra_workflow_snapshot', 'mastra_scorers', 'mastra_ai_spans'].map((n) => prefix + n)),
    );
  });

  it('is idempotent: twice, concurrently, and from a second instance', async () => {
    const prefix = uniquePrefix();
    const store = h.store(kind, { tablePrefix: prefix });
    await Promise.all([store.init(), store.init(), store.init()]);
    await store.init();
    await Promise.all(Array.from({ length: 5 }, () => h.store(kind, { tablePrefix: prefix }).init()));
    expect((await tableNames(prefix)).length).toBeGreaterThanOrEqual(7);
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
    // A view where a table belongs makes the schema batch fail (D1 cannot index a view).
    await h.d1.db.prepare(`CREATE VIEW "${prefix}mastra_threads" AS SELECT 1 AS id`).all();
    const store = h.store(kind, { tablePrefix: prefix });
    await expect(store.init()).rejects.toThrow(/views may not be indexed/);
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
  it('is the DDL init() runs, and applying it by hand gives the same tables', async () => {
    const prefix = uniquePrefix();
    const statements = schemaSql({ tablePrefix: prefix });
    expect(statements.every((s) => /^CREATE (UNIQUE )?(TABLE|INDEX) IF NOT EXISTS /.test(s))).toBe(true);
    await h.d1.db.batch(statements.map((s) => h.d1.db.prepare(s)));
    const byHand = await tableNames(prefix);
    const other = uniquePrefix();
    await h.freshStore('binding', { tablePrefix: other });
    expect((await tableNames(other)).map((n) => n.slice(other.length))).toEqual(byHand.map((n) => n.slice(prefix.length)));
  });
});

describe('init() round trips on an up-to-date database', () => {
  it('is ONE batch over a binding, and none on a second init() of the same instance', async () => {
    const faults = faultyD1(h.d1.db);
    const prefix = uniquePrefix();
    await h.freshStore('binding', { tablePrefix: prefix });
    const store = h.store('binding', { tablePrefix: prefix, binding: faults.db });
    faults.mark();
    await Promise.all([store.init(), store.init()]);
    expect(faults.since().roundTrips).toBe(1);
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

  it('is one query per statement over a custom client (its batch is sequential), and none the second time', async () => {
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
    const statements = schemaSql({ tablePrefix: prefix });
    const tables = statements.filter((s) => s.startsWith('CREATE TABLE')).length;
    expect(queries).toBe(statements.length + tables);
    await store.init();
    expect(queries).toBe(statements.length + tables);
  });
});
