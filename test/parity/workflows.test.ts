import { ErrorCategory, MastraError } from '@mastra/core/error';
import type { WorkflowsStorage } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { snapshot, success } from '../conformance/workflows-fixtures';
import { normalize, useParity } from '../support/parity';

// Every WorkflowsStorage method is called the same way on D1Store and on LibSQLStore (the oracle); the
// answers must be equal. Only values generated at call time differ legitimately: the timestamps of a
// run created by updateWorkflowResults, and its empty snapshot's `timestamp`.

const p = useParity('workflows');

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute));
const withoutTimestamp = (value: unknown) => normalize(JSON.parse(JSON.stringify(value, (key, v) => (key === 'timestamp' ? undefined : v))));

/** A snapshot whose run belongs to `threadId`, as a durable agent loop stores it. */
const durableLoop = (runId: string, threadId: string) => snapshot(runId, { context: { input: { messageListState: { memoryInfo: { threadId } } } } as never });

/** A step result that suspends an agentic loop of `threadId`. */
const suspendedLoop = (threadId: string) => ({ status: 'suspended', suspendPayload: { __streamState: { messageList: { memoryInfo: { threadId } } } }, payload: {}, startedAt: 1 }) as never;

/** The same runs on both stores. */
async function persistRuns() {
  await p.same((s) => s.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r1', resourceId: 'u1', snapshot: snapshot('r1'), createdAt: at(1), updatedAt: at(1) }));
  await p.same((s) => s.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r1', snapshot: snapshot('r1', { status: 'suspended' }), createdAt: at(9), updatedAt: at(2) }));
  await p.same((s) => s.persistWorkflowSnapshot({ workflowName: 'v', runId: 'r1', snapshot: snapshot('r1', { status: 'success' }), createdAt: at(3), updatedAt: at(3) }));
  await p.same((s) => s.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r2', resourceId: 'u2', snapshot: snapshot('r2', { status: 'suspended' }), createdAt: at(4), updatedAt: at(4) }));
  await p.same((s) => s.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r3', resourceId: 'u1', snapshot: snapshot('r3', { status: 'success' }), createdAt: at(5), updatedAt: at(5) }));
  await p.same((s) => s.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r4', snapshot: durableLoop('r4', 't1'), createdAt: at(6), updatedAt: at(6) }));
}

describe('WorkflowsStorageD1 matches LibSQLStore', () => {
  it('persists, loads, finds and deletes runs alike', async () => {
    await persistRuns();
    await p.same((s) => s.loadWorkflowSnapshot({ workflowName: 'w', runId: 'r1' }));
    await p.same((s) => s.loadWorkflowSnapshot({ workflowName: 'w', runId: 'none' }));
    await p.same((s) => s.getWorkflowRunById({ runId: 'r1' }));
    await p.same((s) => s.getWorkflowRunById({ runId: 'r1', workflowName: 'w' }));
    await p.same((s) => s.getWorkflowRunById({ runId: 'none' }));
    await p.same((s) => s.deleteWorkflowRunById({ runId: 'r1', workflowName: 'v' }));
    await p.same((s) => s.getWorkflowRunById({ runId: 'r1' }));
  });

  it('lists runs alike for every filter and page', async () => {
    await persistRuns();
    const inputs = [
      undefined,
      { workflowName: 'w' },
      { resourceId: 'u1' },
      { status: 'suspended' as const },
      { fromDate: at(2), toDate: at(4) },
      { workflowName: 'w', page: 0, perPage: 2 },
      { workflowName: 'w', page: 1, perPage: 2 },
      { workflowName: 'w', page: 7, perPage: 2 },
      { workflowName: 'w', page: 1, perPage: false as const },
      { workflowName: 'w', perPage: 1 },
      { resourceId: 'u1', status: 'success' as const, page: 0, perPage: 10 },
      { threadId: 'nobody' },
      { threadId: 't1', workflowName: 'w' },
    ];
    for (const input of inputs) await p.same((s) => s.listWorkflowRuns(input));
  });

  it('finds runs by thread alike, whichever loop stored the thread and however it got there', async () => {
    await p.same((s) => s.persistWorkflowSnapshot({ workflowName: 'agentic-loop', runId: 'a', snapshot: snapshot('a'), createdAt: at(1), updatedAt: at(1) }));
    await p.same((s) => s.updateWorkflowResults({ workflowName: 'agentic-loop', runId: 'a', stepId: 'llm', result: suspendedLoop('t1'), requestContext: {} }));
    await p.same((s) => s.persistWorkflowSnapshot({ workflowName: 'durable', runId: 'b', snapshot: durableLoop('b', 't1'), createdAt: at(2), updatedAt: at(2) }));
    await p.same((s) => s.persistWorkflowSnapshot({ workflowName: 'durable', runId: 'c', snapshot: durableLoop('c', 't2'), createdAt: at(3), updatedAt: at(3) }));
    for (const threadId of ['t1', 't2', 'nobody']) await p.same((s) => s.listWorkflowRuns({ threadId }), { normalize: withoutTimestamp });
    // The loop resumes: its step is no longer suspended, so the run is no longer found by its thread.
    await p.same((s) => s.updateWorkflowResults({ workflowName: 'agentic-loop', runId: 'a', stepId: 'llm', result: success('done'), requestContext: {} }));
    await p.same((s) => s.listWorkflowRuns({ threadId: 't1' }), { normalize: withoutTimestamp });
  });

  it('orders runs created in the same millisecond alike, also across pages and by id', async () => {
    for (const runId of ['m', 'c', 'x', 'a']) {
      await p.same((s) => s.persistWorkflowSnapshot({ workflowName: runId === 'x' ? 'other' : 'w', runId, snapshot: snapshot(runId), createdAt: at(1), updatedAt: at(1) }));
    }
    await p.same((s) => s.persistWorkflowSnapshot({ workflowName: 'w', runId: 'x', snapshot: snapshot('x'), createdAt: at(1), updatedAt: at(1) }));
    await p.same((s) => s.listWorkflowRuns());
    await p.same((s) => s.listWorkflowRuns({ page: 0, perPage: 3 }));
    await p.same((s) => s.listWorkflowRuns({ page: 1, perPage: 3 }));
    await p.same((s) => s.getWorkflowRunById({ runId: 'x' }));
  });

  it('merges step results and applies state alike', async () => {
    await persistRuns();
    const key = { workflowName: 'w', runId: 'r2' };
    await p.same((s) => s.updateWorkflowResults({ ...key, stepId: 'a', result: success({ v: 1 }), requestContext: { x: 1 } }));
    await p.same((s) => s.updateWorkflowResults({ ...key, stepId: 'each', result: success([null, null]), requestContext: { y: { z: null } } }));
    await p.same((s) => s.updateWorkflowResults({ ...key, stepId: 'each', result: success([null, 'second']), requestContext: {} }));
    await p.same((s) => s.updateWorkflowResults({ ...key, stepId: 'each', result: success([{ __mastra_pending__: true }, null], { extra: 1 }), requestContext: {} }));
    await p.same((s) => s.loadWorkflowSnapshot(key));

    await p.same((s) => s.updateWorkflowState({ ...key, opts: { status: 'running', expectedStatus: 'pending' } }));
    await p.same((s) => s.updateWorkflowState({ ...key, opts: { status: 'running', expectedStatus: ['suspended', 'waiting'], suspendedPaths: { a: [1] } } }));
    await p.same((s) => s.updateWorkflowState({ ...key, opts: { status: 'success', result: success('done'), error: undefined } }));
    await p.same((s) => s.updateWorkflowState({ workflowName: 'w', runId: 'none', opts: { status: 'running' } }));
    await p.same((s) => s.loadWorkflowSnapshot(key));
    await p.same((s) => s.listWorkflowRuns({ status: 'success' }));

    // A run that does not exist yet is created by its first step result.
    await p.same((s) => s.updateWorkflowResults({ workflowName: 'w', runId: 'fresh', stepId: 's', result: success(1), requestContext: { a: 1 } }));
    await p.same((s) => s.getWorkflowRunById({ runId: 'fresh' }), { normalize: withoutTimestamp });
  });

  // Both stores refuse to update a run whose stored snapshot has no context and leave it as it is.
  // LibSQLStore throws a plain Error ("Snapshot not found"); this store a USER MastraError (`_NOT_FOUND`).
  it('refuses a step result or a state change for a snapshot without context, changing nothing', async () => {
    const key = { workflowName: 'w', runId: 'bare' };
    await p.same((s) => s.persistWorkflowSnapshot({ ...key, snapshot: { status: 'running' } as never, createdAt: at(1), updatedAt: at(1) }));
    const calls: ((s: WorkflowsStorage) => Promise<unknown>)[] = [
      (s) => s.updateWorkflowResults({ ...key, stepId: 's', result: success(1), requestContext: {} }),
      (s) => s.updateWorkflowState({ ...key, opts: { status: 'success' } }),
    ];
    for (const call of calls) {
      await expect(call(p.libsql)).rejects.toThrow(/Snapshot (context )?not found/);
      const error = await call(p.d1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect(error).toMatchObject({ category: ErrorCategory.USER, id: expect.stringMatching(/_NOT_FOUND$/) });
      await p.same((s) => s.loadWorkflowSnapshot(key));
    }
  });

  it('clears everything alike', async () => {
    await persistRuns();
    await p.same((s) => s.dangerouslyClearAll());
    await p.same((s) => s.listWorkflowRuns());
  });
});
