import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { D1Store } from '../../src';
import { resolveStoreConfig } from '../../src/config';
import { ALL_TABLES } from '../../src/store';

const tableCount = async (prefix: string) => {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name LIKE ?").bind(`${prefix}%`).first<{ n: number }>();
  return row?.n ?? 0;
};

describe('D1Store inside workerd, on a real D1 binding', () => {
  it('initializes every table, then writes and reads through its driver', async () => {
    const config = { id: 'smoke', binding: env.DB, tablePrefix: 'smoke_' };
    const store = new D1Store(config);
    await store.init();
    expect(await tableCount('smoke_')).toBe(ALL_TABLES.length);

    const { driver, tables } = resolveStoreConfig(config);
    const now = new Date().toISOString();
    await driver.batch(
      [
        {
          sql: `INSERT INTO ${tables('mastra_threads')} (id, resourceId, title, metadata, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)`,
          params: ['t1', 'r1', 'hello from workerd', JSON.stringify({ runtime: 'workerd' }), now, now],
        },
      ],
      { idempotent: false },
    );
    const rows = await driver.all<{ title: string; metadata: string }>({
      sql: `SELECT title, metadata FROM ${tables('mastra_threads')} WHERE id = ?`,
      params: ['t1'],
    });
    expect(rows).toEqual([{ title: 'hello from workerd', metadata: '{"runtime":"workerd"}' }]);
  });

  it('accepts a withSession() session as its binding', async () => {
    const store = new D1Store({ id: 'smoke-session', binding: env.DB.withSession('first-primary'), tablePrefix: 'session_' });
    await store.init();
    expect(await tableCount('session_')).toBe(ALL_TABLES.length);
  });
});
