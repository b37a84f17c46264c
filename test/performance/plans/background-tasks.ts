import { at } from '../../../bench/data';
import { STORED, GROUPS, FILTERED_BUDGET, range, expectIndexed, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

export default {
  backgroundTasks: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const tasks = await domain(store, 'backgroundTasks');
      const base = { toolName: 'slow', args: {}, agentId: 'agent-1', runId: 'run-1', retryCount: 0, maxRetries: 0, timeoutMs: 1_000 };
      for (let i = 0; i < 6; i++) {
        await tasks.createTask({ ...base, id: `task-${i}`, toolCallId: `call-${i}`, threadId: `thread-${i % 2}`, resourceId: 'user-1', status: i % 2 ? 'running' : 'completed', createdAt: at(i), completedAt: at(i + 1) });
      }
      await expectIndexed(prefix, counter, async () => {
        await tasks.getTask('task-1');
        await tasks.listTasks({ perPage: 20, page: 0 });
        await tasks.listTasks({ status: 'running' });
        await tasks.listTasks({ status: 'pending', orderBy: 'createdAt', orderDirection: 'asc' });
        await tasks.listTasks({ status: ['completed', 'failed'], orderBy: 'completedAt', orderDirection: 'desc', perPage: 20 });
        await tasks.listTasks({ agentId: 'agent-1', status: ['running'], perPage: 20 });
        await tasks.listTasks({ threadId: 'thread-1', perPage: 20 });
        await tasks.listTasks({ resourceId: 'user-1', perPage: 20 });
        await tasks.listTasks({ runId: 'run-1', agentId: 'agent-1', threadId: 'thread-1', resourceId: 'user-1', status: 'running' });
        await tasks.listTasks({ toolCallId: 'call-1', runId: 'run-1', agentId: 'agent-1', toolName: 'slow', status: 'suspended' });
        await tasks.getRunningCount();
        await tasks.getRunningCountByAgent('agent-1');
        await tasks.updateTask('task-1', { status: 'completed', completedAt: at(9) }, { expectedStatus: 'running' });
        await tasks.deleteTasks({ status: ['completed'], toDate: at(3), dateFilterBy: 'completedAt' });
        await tasks.deleteTask('task-3');
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const tasks = await domain(store, 'backgroundTasks');
      await seed(
        prefix,
        'mastra_background_tasks',
        range(STORED).map((i) => ({
          id: `task-${i}`,
          tool_call_id: `call-${i}`,
          tool_name: 'slow',
          agent_id: `agent-${i % GROUPS}`,
          run_id: `run-${i % GROUPS}`,
          thread_id: `thread-${i % GROUPS}`,
          status: i % GROUPS === 7 ? 'running' : 'completed',
          args: {},
          retry_count: 0,
          max_retries: 0,
          timeout_ms: 1_000,
          createdAt: at(i),
          completedAt: i % GROUPS === 7 ? null : at(i + 1),
        })),
      );
      const page = { page: 0, perPage: 20 };
      await rowsRead(counter, {
        getTask: [() => tasks.getTask('task-7'), 2],
        'listTasks by agent': [() => tasks.listTasks({ agentId: 'agent-7', ...page }), FILTERED_BUDGET],
        'listTasks by thread': [() => tasks.listTasks({ threadId: 'thread-7', ...page }), FILTERED_BUDGET],
        'listTasks of running tasks': [() => tasks.listTasks({ status: 'running', ...page }), FILTERED_BUDGET],
        getRunningCount: [() => tasks.getRunningCount(), FILTERED_BUDGET],
        getRunningCountByAgent: [() => tasks.getRunningCountByAgent('agent-7'), FILTERED_BUDGET],
      });
    },
  },
} satisfies PlanCases;
