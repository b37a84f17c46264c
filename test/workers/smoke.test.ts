import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { D1Store } from '../../src';
import { ALL_TABLES } from '../../src/domains/registry';
import { snapshot } from '../conformance/workflows-fixtures';

const tableCount = async (prefix: string) => {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name LIKE ?").bind(`${prefix}%`).first<{ n: number }>();
  return row?.n ?? 0;
};

describe('D1Store inside workerd, on a real D1 binding', () => {
  it('initializes every table, then round-trips a thread and a workflow snapshot', async () => {
    const store = new D1Store({ id: 'smoke', binding: env.DB, tablePrefix: 'smoke_' });
    await store.init();
    expect(await tableCount('smoke_')).toBe(ALL_TABLES.length + 1);

    const memory = (await store.getStore('memory'))!;
    const now = new Date();
    await memory.saveThread({ thread: { id: 't1', resourceId: 'r1', title: 'hello from workerd', metadata: { runtime: 'workerd' }, createdAt: now, updatedAt: now } });
    expect(await memory.getThreadById({ threadId: 't1' })).toMatchObject({ id: 't1', title: 'hello from workerd', metadata: { runtime: 'workerd' } });

    const workflows = (await store.getStore('workflows'))!;
    await workflows.persistWorkflowSnapshot({ workflowName: 'smoke', runId: 'run-1', snapshot: snapshot('run-1') });
    expect(await workflows.loadWorkflowSnapshot({ workflowName: 'smoke', runId: 'run-1' })).toMatchObject({ runId: 'run-1', context: { input: { n: 1 } } });
  });

  it('accepts a withSession() session as its binding', async () => {
    const store = new D1Store({ id: 'smoke-session', binding: env.DB.withSession('first-primary'), tablePrefix: 'session_' });
    await store.init();
    expect(await tableCount('session_')).toBe(ALL_TABLES.length + 1);
    expect(await (await store.getStore('memory'))!.getThreadById({ threadId: 'missing' })).toBeNull();
  });
});

describe('D1Store inside workerd, over the REST API', () => {
  it('initializes and round-trips a thread with fetch from the Worker', async () => {
    const store = new D1Store({ id: 'smoke-rest', ...env.REST, tablePrefix: 'rest_', timeoutMs: 10_000 });
    await store.init();
    const memory = (await store.getStore('memory'))!;
    const now = new Date();
    await memory.saveThread({ thread: { id: 't1', resourceId: 'r1', title: 'over REST', metadata: {}, createdAt: now, updatedAt: now } });
    expect(await memory.getThreadById({ threadId: 't1' })).toMatchObject({ id: 't1', title: 'over REST' });
  });
});
