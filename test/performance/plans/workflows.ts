import { at, snapshot } from '../../../bench/data';
import { STORED, GROUPS, MATCHES, FILTERED_BUDGET, range, expectIndexed, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

/** A run of a thread, as an agent's suspended loop or a durable loop stores it. */
function threadedSnapshot(runId: string, threadId: string, suspendedLoop: boolean) {
  const memoryInfo = { threadId, resourceId: 'user-t' };
  const context = suspendedLoop
    ? { input: {}, llm: { status: 'suspended', suspendPayload: { __streamState: { messageList: { memoryInfo } } } } }
    : { input: { messageListState: { memoryInfo } } };
  return { ...snapshot(runId, 'suspended', 200), context } as unknown as ReturnType<typeof snapshot>;
}

export default {
  workflows: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const workflows = await domain(store, 'workflows');
      for (let i = 0; i < 6; i++) {
        await workflows.persistWorkflowSnapshot({ workflowName: `wf-${i % 2}`, runId: `run-${i}`, resourceId: `user-${i % 3}`, snapshot: snapshot(`run-${i}`, i % 2 ? 'success' : 'failed', 500) });
      }
      await workflows.persistWorkflowSnapshot({ workflowName: 'wf-0', runId: 'run-t', snapshot: threadedSnapshot('run-t', 'thread-1', true) });
      await expectIndexed(prefix, counter, async () => {
        await workflows.loadWorkflowSnapshot({ workflowName: 'wf-0', runId: 'run-0' });
        await workflows.getWorkflowRunById({ runId: 'run-1', workflowName: 'wf-1' });
        await workflows.getWorkflowRunById({ runId: 'run-1' });
        await workflows.listWorkflowRuns({ workflowName: 'wf-1', status: 'success', perPage: 20, page: 0 });
        await workflows.listWorkflowRuns({ resourceId: 'user-1', perPage: 20, page: 0 });
        await workflows.listWorkflowRuns({ threadId: 'thread-1', perPage: 20, page: 0 });
        await workflows.listWorkflowRuns({ perPage: 20, page: 0 });
        await workflows.persistWorkflowSnapshot({ workflowName: 'wf-0', runId: 'run-0', snapshot: snapshot('run-0', 'success', 500) });
        await workflows.updateWorkflowResults({ workflowName: 'wf-0', runId: 'run-t', stepId: 'llm', result: { status: 'success', output: 1 } as never, requestContext: {} });
        await workflows.updateWorkflowState({ workflowName: 'wf-0', runId: 'run-2', opts: { status: 'running' } });
        await workflows.deleteWorkflowRunById({ workflowName: 'wf-1', runId: 'run-3' });
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const workflows = await domain(store, 'workflows');
      // Runs of one thread are written through the domain, which finds their thread; the bulk has none.
      for (const i of range(MATCHES)) {
        await workflows.persistWorkflowSnapshot({ workflowName: 'agentic-loop', runId: `threaded-${i}`, snapshot: threadedSnapshot(`threaded-${i}`, 'thread-7', i % 2 === 0), createdAt: at(i) });
      }
      await seed(
        prefix,
        'mastra_workflow_snapshot',
        range(STORED - MATCHES).map((i) => ({
          workflow_name: `wf-${i % 10}`,
          run_id: `run-${i}`,
          resourceId: `user-${i % GROUPS}`,
          snapshot: snapshot(`run-${i}`, i % GROUPS < 10 ? 'suspended' : 'success', 200),
          createdAt: at(i),
          updatedAt: at(i),
          snapshot_thread_id: '',
        })),
      );
      const page = { page: 0, perPage: 20 };
      await rowsRead(counter, {
        'listWorkflowRuns by thread': [() => workflows.listWorkflowRuns({ threadId: 'thread-7', ...page }), FILTERED_BUDGET],
        'listWorkflowRuns by resource': [() => workflows.listWorkflowRuns({ resourceId: 'user-7', ...page }), FILTERED_BUDGET],
        'listWorkflowRuns by workflow and status': [() => workflows.listWorkflowRuns({ workflowName: 'wf-3', status: 'suspended', ...page }), FILTERED_BUDGET],
        'listWorkflowRuns of suspended agent runs of a thread': [() => workflows.listWorkflowRuns({ workflowName: 'agentic-loop', status: 'suspended', threadId: 'thread-7', ...page }), FILTERED_BUDGET],
      });
    },
  },
} satisfies PlanCases;
