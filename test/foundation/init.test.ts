import { describe, expect, it } from 'vitest';
import { schemaSql } from '../../src';
import { CLIENT_KINDS, uniquePrefix, useHarness } from '../support/harness';

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
