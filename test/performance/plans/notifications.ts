import { expect } from 'vitest';
import { at } from '../../../bench/data';
import { STORED, GROUPS, MATCHES, FILTERED_BUDGET, range, fullScans, expectIndexed, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

export default {
  notifications: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const notifications = await domain(store, 'notifications');
      const base = { threadId: 't1', source: 'ci', kind: 'build', summary: 'red', agentId: 'ops', resourceId: 'u' };
      await notifications.createNotification({ ...base, id: 'n1', deliverAt: at(1) });
      await notifications.createNotification({ ...base, id: 'n2', summaryAt: at(2), dedupeKey: 'd' });
      // The coalescing lookup rides inside the INSERT, which the lookup filter leaves out: check it here.
      counter.reset();
      await notifications.createNotification({ ...base, dedupeKey: 'd', coalesceKey: 'c' });
      expect(await fullScans(counter.sqlLog[0]!, prefix)).toEqual([]);
      await expectIndexed(prefix, counter, async () => {
        await notifications.getNotification({ threadId: 't1', id: 'n1' });
        await notifications.listNotifications({ threadId: 't1' });
        await notifications.listNotifications({ threadId: 't1', status: ['pending', 'delivered'], limit: 20 });
        await notifications.listNotifications({ threadId: 't1', priority: 'high', source: 'ci', search: 'red' });
        await notifications.listDueNotifications({ now: at(10), limit: 100 });
        await notifications.listDueNotifications({ now: at(10), agentId: 'ops', resourceId: 'u' });
        await notifications.updateNotification({ threadId: 't1', id: 'n1', status: 'delivered', deliverAt: null });
        await notifications.updateNotificationsStatus({ threadId: 't1', ids: ['n1', 'n2', 'missing'], status: 'seen' });
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const notifications = await domain(store, 'notifications');
      await seed(
        prefix,
        'mastra_notifications',
        range(STORED).map((i) => ({
          id: `n-${i}`,
          threadId: `thread-${i % GROUPS}`,
          source: 'ci',
          kind: 'build',
          priority: 'medium',
          status: i % 2 ? 'pending' : 'seen',
          summary: `notification ${i}`,
          coalescedCount: 1,
          deliveryAttempts: 0,
          createdAt: at(i),
          updatedAt: at(i),
          // The first MATCHES are due (half by deliverAt, half by summaryAt), the rest later or never.
          deliverAt: i < MATCHES && i % 4 === 1 ? at(i) : i % 3 ? at(STORED * 10 + i) : null,
          summaryAt: i < MATCHES && i % 4 === 3 ? at(i) : null,
        })),
      );
      await rowsRead(counter, {
        getNotification: [() => notifications.getNotification({ threadId: 'thread-7', id: 'n-7' }), 2],
        'listNotifications of a thread': [() => notifications.listNotifications({ threadId: 'thread-7', limit: 20 }), FILTERED_BUDGET],
        'listNotifications of a thread by status': [() => notifications.listNotifications({ threadId: 'thread-7', status: 'pending' }), FILTERED_BUDGET],
        listDueNotifications: [() => notifications.listDueNotifications({ now: at(STORED), limit: 100 }), FILTERED_BUDGET],
      });
    },
  },
} satisfies PlanCases;
