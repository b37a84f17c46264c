import type { BackgroundTask } from '@mastra/core/background-tasks';
import { MastraError } from '@mastra/core/error';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';

const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n));

function task(id: string, overrides: Partial<BackgroundTask> = {}): BackgroundTask {
  return { id, status: 'pending', toolName: 'slow', toolCallId: `call-${id}`, args: { id }, agentId: 'agent-a', runId: 'run-1', createdAt: day(0), retryCount: 0, maxRetries: 0, timeoutMs: 1000, ...overrides };
}

async function userErrorOf(call: () => Promise<unknown>): Promise<MastraError> {
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MastraError);
  expect((error as MastraError).category).toBe('USER');
  return error as MastraError;
}

describeConformance('backgroundTasks', 'BackgroundTasksStorageD1', (t) => {
  t.it('creates, reads and updates a task field by field; a present undefined clears a field', async () => {
    const tasks = await t.domain();
    const full = task('t1', { threadId: 'th', resourceId: 'user', suspendPayload: { ask: 'ok?' }, suspendedAt: day(1), status: 'suspended' });
    await tasks.createTask(full);
    expect(await tasks.getTask('t1')).toEqual(full);
    expect(await tasks.getTask('missing')).toBeNull();

    expect(await tasks.updateTask('t1', { status: 'running', startedAt: day(2), suspendPayload: undefined, suspendedAt: undefined })).toBe(true);
    const running = await tasks.getTask('t1');
    expect(running).toEqual({ ...full, status: 'running', startedAt: day(2), suspendPayload: undefined, suspendedAt: undefined });
    expect(running).not.toHaveProperty('suspendPayload');

    expect(await tasks.updateTask('t1', { status: 'completed', result: null, completedAt: day(3), retryCount: 2 })).toBe(true);
    expect(await tasks.getTask('t1')).toMatchObject({ status: 'completed', result: null, completedAt: day(3), retryCount: 2 });
    expect(await tasks.updateTask('t1', { error: { message: 'boom', stack: 's' } })).toBe(true);
    expect((await tasks.getTask('t1'))?.error).toEqual({ message: 'boom', stack: 's' });

    expect(await tasks.updateTask('t1', {})).toBe(false);
    expect(await tasks.updateTask('missing', { status: 'running' })).toBe(false);
  });

  t.it('updateTask with expectedStatus is a compare-and-set', async () => {
    const tasks = await t.domain();
    await tasks.createTask(task('t1'));
    expect(await tasks.updateTask('t1', { status: 'running' }, { expectedStatus: 'suspended' })).toBe(false);
    expect((await tasks.getTask('t1'))?.status).toBe('pending');
    expect(await tasks.updateTask('t1', { status: 'running' }, { expectedStatus: 'pending' })).toBe(true);
    expect(await tasks.updateTask('t1', { status: 'running' }, { expectedStatus: 'pending' })).toBe(false);
    expect(await tasks.updateTask('t1', { status: 'cancelled', completedAt: day(1) }, { expectedStatus: 'running' })).toBe(true);
  });

  t.it('of two stores claiming the same task at once, exactly one wins', async () => {
    const prefix = `bg${Math.random().toString(36).slice(2, 8)}_`;
    const [a, b] = [await t.domain({ tablePrefix: prefix }), await t.domain({ tablePrefix: prefix })];
    const ids = Array.from({ length: 8 }, (_, i) => `race-${i}`);
    for (const id of ids) await a.createTask(task(id));
    const claims = await Promise.all(
      ids.flatMap((id) => [a, b].map(async (store, worker) => ({ id, worker, won: await store.updateTask(id, { status: 'running', startedAt: day(worker + 1) }, { expectedStatus: 'pending' }) }))),
    );
    for (const id of ids) {
      const winners = claims.filter((c) => c.id === id && c.won);
      expect(winners).toHaveLength(1);
      expect((await b.getTask(id))?.startedAt).toEqual(day(winners[0]!.worker + 1));
    }
    expect(await b.getRunningCount()).toBe(ids.length);
  });

  t.it('lists with filters, order, pages and the total', async () => {
    const tasks = await t.domain();
    const all = [
      task('a', { createdAt: day(1), status: 'running', startedAt: day(5), threadId: 'th1' }),
      task('b', { createdAt: day(2), status: 'completed', completedAt: day(6), threadId: 'th1', resourceId: 'u1' }),
      task('c', { createdAt: day(3), status: 'failed', completedAt: day(4), agentId: 'agent-b', toolName: 'fast' }),
      task('d', { createdAt: day(4), status: 'pending', runId: 'run-2' }),
    ];
    for (const one of all) await tasks.createTask(one);
    const ids = async (filter: Parameters<typeof tasks.listTasks>[0]) => {
      const { tasks: page, total } = await tasks.listTasks(filter);
      return { ids: page.map((x) => x.id), total };
    };
    expect(await ids({})).toEqual({ ids: ['a', 'b', 'c', 'd'], total: 4 });
    expect(await ids({ orderDirection: 'desc', perPage: 2, page: 0 })).toEqual({ ids: ['d', 'c'], total: 4 });
    expect(await ids({ orderDirection: 'desc', perPage: 2, page: 1 })).toEqual({ ids: ['b', 'a'], total: 4 });
    expect(await ids({ perPage: 0 })).toEqual({ ids: [], total: 4 });
    expect(await ids({ status: ['completed', 'failed'], orderBy: 'completedAt' })).toEqual({ ids: ['c', 'b'], total: 2 });
    expect(await ids({ status: 'running' })).toEqual({ ids: ['a'], total: 1 });
    expect(await ids({ status: [] })).toEqual({ ids: [], total: 0 });
    expect(await ids({ threadId: 'th1', resourceId: 'u1' })).toEqual({ ids: ['b'], total: 1 });
    expect(await ids({ agentId: 'agent-b', toolName: 'fast', toolCallId: 'call-c' })).toEqual({ ids: ['c'], total: 1 });
    expect(await ids({ runId: 'run-2', agentId: '' })).toEqual({ ids: ['d'], total: 1 });
    expect(await ids({ fromDate: day(2), toDate: day(4) })).toEqual({ ids: ['b', 'c'], total: 2 });
    expect(await ids({ dateFilterBy: 'completedAt', fromDate: day(5) })).toEqual({ ids: ['b'], total: 1 });
  });

  t.it('counts running tasks, overall and per agent', async () => {
    const tasks = await t.domain();
    await tasks.createTask(task('a', { status: 'running' }));
    await tasks.createTask(task('b', { status: 'running', agentId: 'agent-b' }));
    await tasks.createTask(task('c'));
    expect(await tasks.getRunningCount()).toBe(2);
    expect(await tasks.getRunningCountByAgent('agent-a')).toBe(1);
    expect(await tasks.getRunningCountByAgent('nobody')).toBe(0);
  });

  t.it('deletes one task, or the tasks matching every criterion of a filter, and nothing without one', async () => {
    const tasks = await t.domain();
    await tasks.createTask(task('old', { status: 'completed', completedAt: day(1), threadId: 'th1' }));
    await tasks.createTask(task('new', { status: 'completed', completedAt: day(9), threadId: 'th1' }));
    await tasks.createTask(task('other', { status: 'completed', completedAt: day(1), threadId: 'th2' }));
    await tasks.createTask(task('live', { status: 'running' }));
    await tasks.deleteTasks({});
    expect((await tasks.listTasks({})).total).toBe(4);
    await tasks.deleteTasks({ status: ['completed'], toDate: day(5), dateFilterBy: 'completedAt', threadId: 'th1' });
    expect((await tasks.listTasks({})).tasks.map((x) => x.id)).toEqual(['live', 'new', 'other']);
    await tasks.deleteTask('live');
    await tasks.deleteTask('missing');
    expect(await tasks.getTask('live')).toBeNull();
  });

  t.it('refuses bad input and a duplicate id as USER errors naming the field, writing nothing', async () => {
    const tasks = await t.domain();
    await tasks.createTask(task('t1'));
    expect((await userErrorOf(() => tasks.createTask(task('t1', { toolName: 'replaced' })))).id).toMatch(/CREATE_TASK_TASK_EXISTS$/);
    expect((await tasks.getTask('t1'))?.toolName).toBe('slow');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: [() => Promise<unknown>, string][] = [
      [() => tasks.createTask(task('t2', { toolName: undefined as never })), 'toolName'],
      [() => tasks.createTask(task('t2', { status: 'bogus' as never })), 'status'],
      [() => tasks.createTask(task('t2', { args: undefined as never })), 'args'],
      [() => tasks.createTask(task('t2', { createdAt: undefined as never })), 'createdAt'],
      [() => tasks.createTask(task('t2', { timeoutMs: 1.5 })), 'timeoutMs'],
      [() => tasks.createTask(task('t2', { result: cyclic })), 'result'],
      [() => tasks.updateTask('t1', { status: undefined }), 'status'],
      [() => tasks.updateTask('t1', { status: 'done' as never }), 'status'],
      [() => tasks.updateTask('t1', { status: 'running', startedAt: 'not a date' as never }), 'startedAt'],
      [() => tasks.updateTask('t1', { status: 'running' }, { expectedStatus: 'nope' as never }), 'expectedStatus'],
      [() => tasks.updateTask('', { status: 'running' }), 'taskId'],
      [() => tasks.getTask(undefined as never), 'taskId'],
      [() => tasks.listTasks({ orderBy: 'constructor' as never }), 'orderBy'],
      [() => tasks.listTasks({ orderDirection: 'up' as never }), 'orderDirection'],
      [() => tasks.listTasks({ dateFilterBy: 'toString' as never, fromDate: day(1) }), 'dateFilterBy'],
      [() => tasks.listTasks({ perPage: -1 }), 'perPage'],
      [() => tasks.listTasks({ status: ['running', 'x' as never] }), 'status[1]'],
      [() => tasks.deleteTasks({ fromDate: '2025-01-01' as never }), 'fromDate'],
      [() => tasks.getRunningCountByAgent(''), 'agentId'],
    ];
    for (const [call, field] of bad) expect((await userErrorOf(call)).message, field).toContain(field);
    expect(await tasks.getTask('t2')).toBeNull();
    expect(await tasks.getTask('t1')).toEqual(task('t1'));
  });

  t.it('is shared by stores on the same prefix, invisible to another, and emptied by dangerouslyClearAll', async () => {
    const prefix = `bg${Math.random().toString(36).slice(2, 8)}_`;
    const writer = await t.domain({ tablePrefix: prefix });
    await writer.createTask(task('t1'));
    expect((await (await t.domain({ tablePrefix: prefix })).getTask('t1'))?.id).toBe('t1');
    expect(await (await t.domain()).getTask('t1')).toBeNull();
    await writer.dangerouslyClearAll();
    expect((await writer.listTasks({})).total).toBe(0);
  });
});
