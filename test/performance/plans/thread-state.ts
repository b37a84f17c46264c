import { at } from '../../../bench/data';
import { STORED, range, expectIndexed, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

export default {
  threadState: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const threadState = await domain(store, 'threadState');
      await threadState.setState({ threadId: 't1', type: 'tasks', value: [{ id: 1 }] });
      await expectIndexed(prefix, counter, async () => {
        await threadState.getState({ threadId: 't1', type: 'tasks' });
        await threadState.deleteState({ threadId: 't1', type: 'tasks' });
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const threadState = await domain(store, 'threadState');
      await seed(prefix, 'mastra_thread_state', range(STORED).map((i) => ({ threadId: `thread-${i}`, type: 'tasks', value: [{ id: i }], createdAt: at(i), updatedAt: at(i) })));
      await rowsRead(counter, { getState: [() => threadState.getState({ threadId: 'thread-7', type: 'tasks' }), 2] });
    },
  },
} satisfies PlanCases;
