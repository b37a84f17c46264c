import { D1Store as OriginalD1Store } from '@mastra/cloudflare-d1';
import type { WorkflowRunState } from '@mastra/core/workflows';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';
import { uniquePrefix } from '../support/harness';
import { snapshot, success } from './workflows-fixtures';

// listWorkflowRuns({ threadId }) finds a run by the thread core's getSnapshotMemoryInfo reads from its
// snapshot. Every write of this store keeps that thread in an indexed column; rows another writer
// stored (`@mastra/cloudflare-d1`) are matched on the snapshot itself.

const memoryInfo = (threadId: string) => ({ messageList: { memoryInfo: { threadId, resourceId: 'u' } } });
const durableLoop = (runId: string, threadId: string) => snapshot(runId, { context: { input: { messageListState: { memoryInfo: { threadId } } } } as never });
const suspendedStep = (threadId: string) => ({ status: 'suspended', suspendPayload: { __streamState: memoryInfo(threadId) }, payload: {}, startedAt: 1 }) as never;

describeConformance('workflows', 'WorkflowsStorageD1 runs by thread', ({ h, domain, store, it }) => {
  const ids = (result: { runs: { runId: string }[] }) => result.runs.map((run) => run.runId);

  it('follows the thread as snapshots, step results and state changes move it', async () => {
    const wf = await domain();
    const threadRuns = async (threadId: string) => ids(await wf.listWorkflowRuns({ threadId }));
    await wf.persistWorkflowSnapshot({ workflowName: 'loop', runId: 'a', snapshot: snapshot('a') });
    expect(await threadRuns('t1')).toEqual([]);

    await wf.updateWorkflowResults({ workflowName: 'loop', runId: 'a', stepId: 'llm', result: suspendedStep('t1'), requestContext: {} });
    expect(await threadRuns('t1')).toEqual(['a']);
    // Another step's result leaves the suspended one, and so the thread, in place.
    await wf.updateWorkflowResults({ workflowName: 'loop', runId: 'a', stepId: 'other', result: success(1), requestContext: {} });
    expect(await threadRuns('t1')).toEqual(['a']);
    // The first suspended step in key order wins, as in core's getSnapshotMemoryInfo.
    await wf.updateWorkflowResults({ workflowName: 'loop', runId: 'a', stepId: 'later', result: suspendedStep('t2'), requestContext: {} });
    expect([await threadRuns('t1'), await threadRuns('t2')]).toEqual([['a'], []]);
    await wf.updateWorkflowResults({ workflowName: 'loop', runId: 'a', stepId: 'llm', result: success('resumed'), requestContext: {} });
    expect([await threadRuns('t1'), await threadRuns('t2')]).toEqual([[], ['a']]);

    // A run created by its first step result, and the durable loop's input.
    await wf.updateWorkflowResults({ workflowName: 'loop', runId: 'b', stepId: 'input', result: { status: 'success', messageListState: { memoryInfo: { threadId: 't3' } } } as never, requestContext: {} });
    await wf.updateWorkflowResults({ workflowName: 'loop', runId: 'c', stepId: 'llm', result: suspendedStep('t3'), requestContext: {} });
    expect((await threadRuns('t3')).sort()).toEqual(['b', 'c']);

    // A state change carries no context in core's types; one that does still moves the thread.
    await wf.persistWorkflowSnapshot({ workflowName: 'durable', runId: 'd', snapshot: durableLoop('d', 't4') });
    await wf.updateWorkflowState({ workflowName: 'durable', runId: 'd', opts: { status: 'running' } });
    expect(await threadRuns('t4')).toEqual(['d']);
    await wf.updateWorkflowState({ workflowName: 'durable', runId: 'd', opts: { status: 'running', context: durableLoop('d', 't5').context } as never });
    expect([await threadRuns('t4'), await threadRuns('t5')]).toEqual([[], ['d']]);
    await wf.persistWorkflowSnapshot({ workflowName: 'durable', runId: 'd', snapshot: snapshot('d') });
    expect(await threadRuns('t5')).toEqual([]);
  });

  it('finds the runs @mastra/cloudflare-d1 stored, in a table this store then migrated', async () => {
    const tablePrefix = uniquePrefix('wflegacy');
    const original = new OriginalD1Store({ id: 'legacy', tablePrefix, binding: h.d1.db as never });
    await original.init();
    const legacy = (await original.getStore('workflows'))!;
    await legacy.persistWorkflowSnapshot({ workflowName: 'durable', runId: 'old-durable', snapshot: durableLoop('old-durable', 't1') });
    const suspended = snapshot('old-loop', { context: { input: {}, llm: suspendedStep('t1') } as never }) as WorkflowRunState;
    await legacy.persistWorkflowSnapshot({ workflowName: 'loop', runId: 'old-loop', snapshot: suspended });
    await legacy.persistWorkflowSnapshot({ workflowName: 'loop', runId: 'old-other', snapshot: durableLoop('old-other', 't2') });

    const wf = (await (await store({ tablePrefix })).getStore('workflows'))!;
    await wf.persistWorkflowSnapshot({ workflowName: 'durable', runId: 'new', snapshot: durableLoop('new', 't1') });
    expect(ids(await wf.listWorkflowRuns({ threadId: 't1' })).sort()).toEqual(['new', 'old-durable', 'old-loop']);
    expect((await wf.listWorkflowRuns({ threadId: 't1', page: 0, perPage: 2 })).total).toBe(3);
    expect(ids(await wf.listWorkflowRuns({ threadId: 't2' }))).toEqual(['old-other']);
  });
});
