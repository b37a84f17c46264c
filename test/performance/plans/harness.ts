import { at } from '../../../bench/data';
import { STORED, range, expectIndexed, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

const session = (i: number) => ({
  id: `session-${i}`,
  ownerId: 'owner',
  resourceId: `resource-${i}`,
  threadId: `thread-${i}`,
  origin: 'top-level' as const,
  modeId: 'build',
  modelId: 'model',
  pending: [],
  createdAt: at(i),
  lastActivityAt: at(i),
});

const item = (id: string) => ({ id, kind: 'question' as const, status: 'pending' as const, sessionId: 'session-7', createdAt: at(0), updatedAt: at(0) });

export default {
  harness: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const harness = await domain(store, 'harness');
      await harness.saveSession(session(7));
      await expectIndexed(prefix, counter, async () => {
        await harness.loadSession('session-7');
        await harness.listSessions();
        await harness.updateSession('session-7', { title: 't' });
        await harness.appendPendingItem('session-7', item('p1'));
        await harness.updatePendingItem('session-7', 'p1', { status: 'responded' });
        await harness.removePendingItem('session-7', 'p1');
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const harness = await domain(store, 'harness');
      await seed(prefix, 'mastra_harness_sessions', range(STORED).map(session));
      // listSessions returns every session by contract. D1 also counts the rows json_each yields: the
      // pending helpers walk the session's list and the merge walks the item's fields, so their budgets
      // grow with the one session's pending list, never with the table.
      await rowsRead(counter, {
        loadSession: [() => harness.loadSession('session-7'), 2],
        listSessions: [() => harness.listSessions(), STORED + 10],
        updateSession: [() => harness.updateSession('session-7', { title: 't' }), 4],
        appendPendingItem: [() => harness.appendPendingItem('session-7', item('p1')), 6],
        updatePendingItem: [() => harness.updatePendingItem('session-7', 'p1', { status: 'responded' }), 30],
        removePendingItem: [() => harness.removePendingItem('session-7', 'p1'), 4],
      });
    },
  },
} satisfies PlanCases;
