import type { BackgroundTask } from '@mastra/core/background-tasks';
import { describe, it } from 'vitest';
import { useParity } from '../support/parity';

const p = useParity('backgroundTasks');

const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n));

function task(id: string, n: number, overrides: Partial<BackgroundTask> = {}): BackgroundTask {
  return { id, status: 'pending', toolName: 'slow', toolCallId: `call-${id}`, args: { n }, agentId: 'agent-a', runId: 'run-1', createdAt: day(n), retryCount: 0, maxRetries: 1, timeoutMs: 1000, ...overrides };
}

describe('BackgroundTasksStorageD1 matches LibSQLStore', () => {
  it('creates, reads, updates, lists, counts and deletes alike', async () => {
    await p.same((s) => s.createTask(task('a', 1, { status: 'running', startedAt: day(2), threadId: 'th1', resourceId: 'u1' })));
    await p.same((s) => s.createTask(task('b', 2, { status: 'suspended', suspendPayload: { ask: 'ok?' }, suspendedAt: day(3), threadId: 'th1' })));
    await p.same((s) => s.createTask(task('c', 3, { status: 'completed', result: { value: 42 }, completedAt: day(4), agentId: 'agent-b', toolName: 'fast' })));
    await p.same((s) => s.createTask(task('d', 4, { status: 'failed', error: { message: 'boom' }, completedAt: day(5), runId: 'run-2', result: null })));
    await p.same((s) => s.createTask(task('e', 5, { status: 'running', agentId: 'agent-b', args: {} })));
    for (const id of ['a', 'b', 'c', 'd', 'missing']) await p.same((s) => s.getTask(id));

    await p.same((s) => s.getRunningCount());
    await p.same((s) => s.getRunningCountByAgent('agent-b'));
    await p.same((s) => s.getRunningCountByAgent('nobody'));

    await p.same((s) => s.listTasks({}));
    await p.same((s) => s.listTasks({ orderDirection: 'desc', perPage: 2, page: 1 }));
    await p.same((s) => s.listTasks({ perPage: 2 }));
    await p.same((s) => s.listTasks({ page: 3 }));
    await p.same((s) => s.listTasks({ perPage: 0 }));
    await p.same((s) => s.listTasks({ status: ['completed', 'failed'], orderBy: 'completedAt', orderDirection: 'desc' }));
    await p.same((s) => s.listTasks({ status: 'running', agentId: 'agent-b' }));
    await p.same((s) => s.listTasks({ status: [] }));
    await p.same((s) => s.listTasks({ threadId: 'th1', resourceId: 'u1', toolName: 'slow', toolCallId: 'call-a', runId: 'run-1' }));
    await p.same((s) => s.listTasks({ agentId: '', status: '' as never }));
    await p.same((s) => s.listTasks({ fromDate: day(2), toDate: day(4) }));
    await p.same((s) => s.listTasks({ dateFilterBy: 'suspendedAt', fromDate: day(1), orderBy: 'startedAt' }));

    // The manager's dispatch, resume, cancel and recovery writes.
    await p.same((s) => s.updateTask('b', { status: 'running', startedAt: day(6), suspendPayload: undefined, suspendedAt: undefined }, { expectedStatus: 'suspended' }));
    await p.same((s) => s.updateTask('b', { status: 'running' }, { expectedStatus: 'suspended' }));
    await p.same((s) => s.getTask('b'));
    await p.same((s) => s.updateTask('a', { status: 'pending', startedAt: undefined }));
    await p.same((s) => s.updateTask('a', { status: 'completed', result: null, error: undefined, completedAt: day(7), retryCount: 1 }, { expectedStatus: 'pending' }));
    await p.same((s) => s.getTask('a'));
    await p.same((s) => s.updateTask('a', {}));
    await p.same((s) => s.updateTask('missing', { status: 'running' }));
    await p.same((s) => s.updateTask('e', { status: 'failed', error: { message: 'Worker process terminated', stack: 'at x' }, completedAt: day(8) }));
    await p.same((s) => s.getTask('e'));

    await p.same((s) => s.deleteTasks({}));
    await p.same((s) => s.deleteTasks({ status: ['completed'], toDate: day(5), dateFilterBy: 'completedAt' }));
    await p.same((s) => s.deleteTasks({ agentId: 'agent-a', runId: 'run-2', status: 'failed', fromDate: day(4) }));
    await p.same((s) => s.listTasks({}));
    await p.same((s) => s.deleteTask('b'));
    await p.same((s) => s.deleteTask('missing'));
    await p.same((s) => s.listTasks({}));
    await p.same((s) => s.dangerouslyClearAll());
    await p.same((s) => s.listTasks({}));
  });

  it('both refuse a task missing a required field, and a present undefined status or id', async () => {
    await p.bothRefuse((s) => s.createTask(task('x', 1, { toolName: undefined as never })));
    await p.bothRefuse((s) => s.createTask(task('x', 1, { args: undefined as never })));
    await p.bothRefuse((s) => s.createTask(task('x', 1, { createdAt: undefined as never })));
    await p.same((s) => s.getTask('x'));
    await p.same((s) => s.createTask(task('y', 1)));
    await p.bothRefuse((s) => s.updateTask('y', { status: undefined }));
    await p.bothRefuse((s) => s.getTask(undefined as never));
    await p.same((s) => s.getTask('y'));
  });
});

describe('BackgroundTasksStorageD1 prunes as LibSQLStore does', () => {
  it('deletes tasks completed before maxAge, in batches, and never a live one', async () => {
    for (const [id, n] of [['a', 1], ['b', 2], ['c', 3]] as const) await p.same((s) => s.createTask(task(id, n, { status: 'completed', completedAt: day(n + 1) })));
    await p.same((s) => s.createTask(task('live', 4, { status: 'running' })));
    await p.same((s) => s.createTask(task('recent', 5, { status: 'completed', completedAt: new Date() })));
    const stripPrefix = (results: unknown) => (results as { table: string }[]).map((r) => ({ ...r, table: r.table.replace(p.prefix, '') }));
    await p.same((s) => s.prune({ backgroundTasks: { maxAge: '30d', batchSize: 2 } }, { maxBatches: 1 }), { normalize: stripPrefix });
    await p.same((s) => s.prune({ backgroundTasks: { maxAge: '30d', batchSize: 2 } }), { normalize: stripPrefix });
    await p.same((s) => s.listTasks({}));
  });
});
