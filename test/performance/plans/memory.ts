import { at, messages, thread } from '../../../bench/data';
import { STORED, GROUPS, FILTERED_BUDGET, range, expectIndexed, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

export default {
  memory: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const memory = await domain(store, 'memory');
      await memory.saveThread({ thread: thread('t1', 'user-1') });
      await memory.saveThread({ thread: thread('t2', 'user-2', 1) });
      const list = messages('t1', 'user-1', 30);
      await memory.saveMessages({ messages: list });
      await expectIndexed(prefix, counter, async () => {
        await memory.getThreadById({ threadId: 't1' });
        await memory.getResourceById({ resourceId: 'user-1' });
        await memory.listThreads({ filter: { resourceId: 'user-1' }, perPage: 20, page: 0, orderBy: { field: 'updatedAt', direction: 'DESC' } });
        await memory.listThreads({ filter: { resourceId: 'user-1' }, perPage: 20, page: 0, orderBy: { field: 'createdAt', direction: 'ASC' } });
        await memory.listMessages({ threadId: 't1', resourceId: 'user-1', perPage: 10, page: 0, orderBy: { field: 'createdAt', direction: 'DESC' } });
        await memory.listMessages({ threadId: 't1', perPage: false });
        await memory.listMessages({ threadId: 't1', perPage: 10, include: [{ id: list[5]!.id, withPreviousMessages: 2, withNextMessages: 2 }] });
        await memory.listMessages({ threadId: 't1', perPage: 10, filter: { dateRange: { start: list[3]!.createdAt, end: list[20]!.createdAt } } });
        await memory.listMessagesById({ messageIds: list.slice(0, 5).map((m) => m.id) });
        await memory.updateThread({ id: 't1', title: 'Renamed', metadata: { pinned: true } });
        await memory.updateResource({ resourceId: 'user-1', workingMemory: '# Notes' });
        await memory.saveMessages({ messages: messages('t1', 'user-1', 2, 100) });
        await memory.updateMessages({ messages: list.slice(0, 3).map((m) => ({ id: m.id, content: { format: 2 as const, parts: [{ type: 'text' as const, text: 'edited' }] } })) });
        await memory.deleteMessages(list.slice(25, 27).map((m) => m.id));
        await memory.deleteThread({ threadId: 't2' });
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const memory = await domain(store, 'memory');
      await seed(prefix, 'mastra_threads', range(STORED).map((i) => ({ ...thread(`thread-${i}`, `user-${i % GROUPS}`, i), metadata: {} })));
      await seed(
        prefix,
        'mastra_messages',
        range(STORED).map((i) => ({ id: `m-${i}`, thread_id: `thread-${i % GROUPS}`, resourceId: `user-${i % GROUPS}`, role: 'user', type: 'v2', content: '{"format":2,"parts":[]}', createdAt: at(i) })),
      );
      await rowsRead(counter, {
        'listThreads by resource': [() => memory.listThreads({ filter: { resourceId: 'user-7' }, perPage: 20, page: 0 }), FILTERED_BUDGET],
        'listMessages of a thread': [() => memory.listMessages({ threadId: 'thread-7', perPage: 20, page: 0 }), FILTERED_BUDGET],
        'listMessages of a thread and resource': [() => memory.listMessages({ threadId: 'thread-7', resourceId: 'user-7', perPage: 20, page: 0 }), FILTERED_BUDGET],
      });
    },
  },
} satisfies PlanCases;
