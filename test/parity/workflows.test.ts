import type { WorkflowsStorage } from '@mastra/core/storage';
import { LibSQLStore } from '@mastra/libsql';
import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../support/harness';
import { snapshot, success } from '../conformance/workflows-fixtures';

// Every WorkflowsStorage method is called the same way on D1Store and on LibSQLStore (the oracle);
// the answers must be equal. Only values generated at call time differ legitimately: the timestamps of
// a run created by updateWorkflowResults, and its empty snapshot's `timestamp`.

const h = useHarness();
let d1: WorkflowsStorage;
let libsql: WorkflowsStorage;

beforeAll(async () => {
  const oracle = new LibSQLStore({ id: 'parity-libsql', url: ':memory:' });
  await oracle.init();
  libsql = (await oracle.getStore('workflows'))!;
  d1 = (await (await h.freshStore('binding')).getStore('workflows'))!;
});

/** Calls `call` on both stores; both must succeed with the same (normalized) answer. */
async function same<T>(call: (store: WorkflowsStorage) => Promise<T>, normalize: (value: T) => unknown = (v) => v): Promise<void> {
  const [ours, theirs] = await Promise.all([call(d1), call(libsql)]);
  expect(normalize(ours)).toEqual(normalize(theirs));
}

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
const generated = (value: unknown) =>
  JSON.parse(JSON.stringify(value, (key, v) => (key === 'timestamp' || key === 'createdAt' || key === 'updatedAt' ? undefined : v)));

describe('WorkflowsStorageD1 matches LibSQLStore', () => {
  it('persists, loads, finds and deletes runs alike', async () => {
    await same((s) => s.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r1', resourceId: 'u1', snapshot: snapshot('r1'), createdAt: at(1), updatedAt: at(1) }));
    await same((s) => s.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r1', snapshot: snapshot('r1', { status: 'suspended' }), createdAt: at(9), updatedAt: at(2) }));
    await same((s) => s.persistWorkflowSnapshot({ workflowName: 'v', runId: 'r1', snapshot: snapshot('r1', { status: 'success' }), createdAt: at(3), updatedAt: at(3) }));
    await same((s) => s.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r2', resourceId: 'u2', snapshot: snapshot('r2', { status: 'suspended' }), createdAt: at(4), updatedAt: at(4) }));
    await same((s) => s.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r3', resourceId: 'u1', snapshot: snapshot('r3', { status: 'success' }), createdAt: at(5), updatedAt: at(5) }));

    const threaded = snapshot('r4', { context: { input: { messageListState: { memoryInfo: { threadId: 't1' } } } } as never });
    await same((s) => s.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r4', snapshot: threaded, createdAt: at(6), updatedAt: at(6) }));

    await same((s) => s.loadWorkflowSnapshot({ workflowName: 'w', runId: 'r1' }));
    await same((s) => s.loadWorkflowSnapshot({ workflowName: 'w', runId: 'none' }));
    await same((s) => s.getWorkflowRunById({ runId: 'r1' }));
    await same((s) => s.getWorkflowRunById({ runId: 'r1', workflowName: 'w' }));
    await same((s) => s.getWorkflowRunById({ runId: 'none' }));
    await same((s) => s.deleteWorkflowRunById({ runId: 'r1', workflowName: 'v' }));
    await same((s) => s.getWorkflowRunById({ runId: 'r1' }));
  });

  it('lists runs alike for every filter and page', async () => {
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
    for (const input of inputs) await same((s) => s.listWorkflowRuns(input));
  });

  it('merges step results and applies state alike', async () => {
    const key = { workflowName: 'w', runId: 'r2' };
    await same((s) => s.updateWorkflowResults({ ...key, stepId: 'a', result: success({ v: 1 }), requestContext: { x: 1 } }));
    await same((s) => s.updateWorkflowResults({ ...key, stepId: 'each', result: success([null, null]), requestContext: { y: { z: null } } }));
    await same((s) => s.updateWorkflowResults({ ...key, stepId: 'each', result: success([null, 'second']), requestContext: {} }));
    await same((s) => s.updateWorkflowResults({ ...key, stepId: 'each', result: success([{ __mastra_pending__: true }, null], { extra: 1 }), requestContext: {} }));
    await same((s) => s.loadWorkflowSnapshot(key));

    await same((s) => s.updateWorkflowState({ ...key, opts: { status: 'running', expectedStatus: 'pending' } }));
    await same((s) => s.updateWorkflowState({ ...key, opts: { status: 'running', expectedStatus: ['suspended', 'waiting'], suspendedPaths: { a: [1] } } }));
    await same((s) => s.updateWorkflowState({ ...key, opts: { status: 'success', result: success('done'), error: undefined } }));
    await same((s) => s.updateWorkflowState({ workflowName: 'w', runId: 'none', opts: { status: 'running' } }));
    await same((s) => s.loadWorkflowSnapshot(key));
    await same((s) => s.listWorkflowRuns({ status: 'success' }), (r) => r.runs.map((run) => run.runId));

    // A run that does not exist yet is created by its first step result.
    await same((s) => s.updateWorkflowResults({ workflowName: 'w', runId: 'fresh', stepId: 's', result: success(1), requestContext: { a: 1 } }));
    await same((s) => s.getWorkflowRunById({ runId: 'fresh' }), generated);
  });

  it('clears everything alike', async () => {
    await same((s) => s.dangerouslyClearAll());
    await same((s) => s.listWorkflowRuns());
  });
});
