import { MastraError } from '@mastra/core/error';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';

describeConformance('threadState', 'ThreadStateStorageD1', (t) => {
  t.it('sets, replaces, reads and deletes one value per (thread, type)', async () => {
    const state = await t.domain();
    expect(await state.getState({ threadId: 't1', type: 'task' })).toBeUndefined();
    const tasks = [{ id: 'a', content: 'write it', status: 'pending', activeForm: 'Writing it' }];
    await state.setState({ threadId: 't1', type: 'task', value: tasks });
    await state.setState({ threadId: 't1', type: 'goal', value: { objective: 'ship', status: 'active', runsUsed: 0, startedAt: 1, updatedAt: 1 } });
    expect(await state.getState({ threadId: 't1', type: 'task' })).toEqual(tasks);
    await state.setState({ threadId: 't1', type: 'task', value: [] });
    expect(await state.getState({ threadId: 't1', type: 'task' })).toEqual([]);
    await state.deleteState({ threadId: 't1', type: 'task' });
    expect(await state.getState({ threadId: 't1', type: 'task' })).toBeUndefined();
    expect(await state.getState({ threadId: 't1', type: 'goal' })).toMatchObject({ objective: 'ship' });
  });

  t.it('is shared by every store on the same database and prefix, and invisible to another prefix', async () => {
    const prefix = `ts${Math.random().toString(36).slice(2, 8)}_`;
    const writer = await t.domain({ tablePrefix: prefix });
    await writer.setState({ threadId: 't', type: 'task', value: { n: 1 } });
    expect(await (await t.domain({ tablePrefix: prefix })).getState({ threadId: 't', type: 'task' })).toEqual({ n: 1 });
    expect(await (await t.domain()).getState({ threadId: 't', type: 'task' })).toBeUndefined();
  });

  t.it('refuses a missing thread id or type, or a value that cannot be stored, as USER errors writing nothing', async () => {
    const state = await t.domain();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const call of [
      () => state.setState({ threadId: '', type: 'task', value: 1 }),
      () => state.setState({ threadId: 't', type: undefined as unknown as string, value: 1 }),
      () => state.setState({ threadId: 't', type: 'task', value: cyclic }),
      () => state.setState({ threadId: 't', type: 'task', value: 'x'.repeat(2_000_001) }),
      () => state.getState({ threadId: 't', type: '' }),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect((error as MastraError).category).toBe('USER');
    }
    expect(await state.getState({ threadId: 't', type: 'task' })).toBeUndefined();
  });

  t.it('empties with dangerouslyClearAll', async () => {
    const state = await t.domain();
    await state.setState({ threadId: 't', type: 'task', value: [1] });
    await state.dangerouslyClearAll();
    expect(await state.getState({ threadId: 't', type: 'task' })).toBeUndefined();
  });
});
