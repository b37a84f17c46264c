import { describe, it } from 'vitest';
import { useParity } from '../support/parity';

const p = useParity('threadState');

describe('ThreadStateStorageD1 matches LibSQLStore', () => {
  it('answers every call alike', async () => {
    await p.same((s) => s.getState({ threadId: 't1', type: 'task' }));
    await p.same((s) => s.setState({ threadId: 't1', type: 'task', value: [{ id: 'a', content: 'c', status: 'pending', activeForm: 'C' }] }));
    await p.same((s) => s.getState({ threadId: 't1', type: 'task' }));
    await p.same((s) => s.setState({ threadId: 't1', type: 'goal', value: { objective: 'o', status: 'active', runsUsed: 2, startedAt: 5, updatedAt: 6 } }));
    await p.same((s) => s.getState({ threadId: 't1', type: 'goal' }));
    await p.same((s) => s.setState({ threadId: 't1', type: 'task', value: 'plain text' }));
    await p.same((s) => s.getState({ threadId: 't1', type: 'task' }));
    await p.same((s) => s.setState({ threadId: 't1', type: 'nothing', value: null }));
    await p.same((s) => s.getState({ threadId: 't1', type: 'nothing' }));
    await p.same((s) => s.setState({ threadId: 't1', type: 'undefined', value: undefined }));
    await p.same((s) => s.getState({ threadId: 't1', type: 'undefined' }));
    await p.same((s) => s.deleteState({ threadId: 't1', type: 'task' }));
    await p.same((s) => s.getState({ threadId: 't1', type: 'task' }));
    await p.same((s) => s.deleteState({ threadId: 'missing', type: 'task' }));
    await p.same((s) => s.dangerouslyClearAll());
    await p.same((s) => s.getState({ threadId: 't1', type: 'goal' }));
  });
});

describe('ThreadStateStorageD1 prunes as LibSQLStore does', () => {
  it('deletes state not updated within maxAge, in batches, with the same results', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const libsqlClient = (p.libsqlStore as unknown as { client: { execute(s: { sql: string; args: string[] }): Promise<unknown> } }).client;
    for (const thread of ['a', 'b', 'c', 'd']) await p.same((s) => s.setState({ threadId: thread, type: 'task', value: [thread] }));
    for (const thread of ['a', 'b', 'c']) {
      await libsqlClient.execute({ sql: 'UPDATE mastra_thread_state SET "updatedAt" = ? WHERE "threadId" = ?', args: [old, thread] });
      await p.h.d1.db.prepare(`UPDATE "${p.prefix}mastra_thread_state" SET "updatedAt" = ? WHERE "threadId" = ?`).bind(old, thread).all();
    }
    const stripPrefix = (results: unknown) => (results as { table: string }[]).map((r) => ({ ...r, table: r.table.replace(p.prefix, '') }));
    await p.same((s) => s.prune({ threadState: { maxAge: '30d', batchSize: 2 } }, { maxBatches: 1 }), { normalize: stripPrefix });
    await p.same((s) => s.prune({ threadState: { maxAge: '30d', batchSize: 2 } }), { normalize: stripPrefix });
    for (const thread of ['a', 'b', 'c', 'd']) await p.same((s) => s.getState({ threadId: thread, type: 'task' }));
  });
});
