import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { D1Store } from '../../src';

describe('D1Store inside workerd', () => {
  it('initializes on a real binding', async () => {
    const store = new D1Store({ id: 'smoke', binding: env.DB, tablePrefix: 'smoke_' });
    await store.init();
    const { results } = await env.DB.prepare("SELECT name FROM sqlite_schema WHERE type='table' AND name LIKE 'smoke_%'").all();
    expect(results.length).toBeGreaterThan(5);
  });
});
