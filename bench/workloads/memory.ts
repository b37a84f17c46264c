/** Threads and messages: what every agent with Memory does on each turn, and what Studio reads. */
import type { MastraDBMessage } from '@mastra/core/agent';
import type { StorageThreadType } from '@mastra/core/memory';
import type { StorageListMessagesOutput, StorageListThreadsOutput } from '@mastra/core/storage';
import { messages, thread } from '../data';
import { seedMessages } from '../seed';
import type { Subject } from '../subjects';
import { expectCount, workload, type Workload } from '../workload';

const RESOURCE = 'user-42';
const THREAD = 'thread-main';
const memory = (s: Subject) => s.domain('memory');

async function threadWith(s: Subject, threadId: string, count: number): Promise<MastraDBMessage[]> {
  await (await memory(s)).saveThread({ thread: thread(threadId, RESOURCE) });
  const list = messages(threadId, RESOURCE, count);
  if (count > 0) await seedMessages(s, list);
  return list;
}

/**
 * The main thread with 1,000 messages, and 4 sibling threads of the same user with 250 each: a user
 * has many threads, and a query on (thread, resource) must not read the whole user's history.
 */
async function busyResource(s: Subject): Promise<MastraDBMessage[]> {
  for (let t = 0; t < 4; t++) await threadWith(s, `thread-sibling-${t}`, 250);
  return threadWith(s, THREAD, 1000);
}

const newestPage = { resourceId: RESOURCE, perPage: 40, page: 0, orderBy: { field: 'createdAt', direction: 'DESC' } } as const;

const listed = (r: unknown) => r as StorageListMessagesOutput;

function saveMessagesOf(count: number, reps: Workload['reps']): Workload {
  return workload<void, MastraDBMessage[]>({
    group: 'memory',
    name: `saveMessages of ${count.toLocaleString('en-US')}`,
    floor: 1,
    reps,
    setup: async (s) => void (await threadWith(s, THREAD, 0)),
    before: async (_s, _shared, rep) => messages(THREAD, RESOURCE, count, 100_000 + rep * count, `r${rep}-`),
    run: async (s, _shared, list) => (await memory(s)).saveMessages({ messages: list }),
    check: (r) => expectCount('saved', (r as { messages: unknown[] }).messages?.length, count),
  });
}

/** The three ids whose neighbours `include` asks for: old messages, outside the newest page. */
const INCLUDE_AT = [200, 500, 800];

export const memoryWorkloads: Workload[] = [
  workload<void, StorageThreadType>({
    group: 'memory',
    name: 'saveThread',
    floor: 1,
    before: async (_s, _shared, rep) => thread(`thread-new-${rep}`, RESOURCE, rep),
    run: async (s, _shared, t) => (await memory(s)).saveThread({ thread: t }),
  }),
  workload({
    group: 'memory',
    name: 'getThreadById',
    floor: 1,
    setup: (s) => threadWith(s, THREAD, 0),
    run: async (s) => (await memory(s)).getThreadById({ threadId: THREAD }),
    check: (r) => ((r as StorageThreadType | null)?.id === THREAD ? undefined : 'thread not found'),
  }),
  workload<void, number>({
    group: 'memory',
    name: 'updateThread',
    floor: 1,
    setup: async (s) => void (await threadWith(s, THREAD, 0)),
    before: async (_s, _shared, rep) => rep,
    run: async (s, _shared, rep) => (await memory(s)).updateThread({ id: THREAD, title: `Renamed ${rep}`, metadata: { pinned: true, rep } }),
    check: (r, _shared, rep) => ((r as StorageThreadType).title === `Renamed ${rep}` ? undefined : 'title not updated'),
  }),
  saveMessagesOf(1, {}),
  saveMessagesOf(10, {}),
  saveMessagesOf(100, { ours: 3, original: 2 }),
  saveMessagesOf(1000, { ours: 3, original: 1 }),
  workload({
    group: 'memory',
    name: 'listMessages: newest 40 of 1,000',
    floor: 1,
    setup: busyResource,
    run: async (s) => (await memory(s)).listMessages({ threadId: THREAD, ...newestPage }),
    check: (r) => expectCount('messages', listed(r).messages?.length, 40) ?? expectCount('total', listed(r).total, 1000),
  }),
  workload<MastraDBMessage[]>({
    group: 'memory',
    name: 'listMessages: same + include 3 ids ±2',
    floor: 1,
    setup: busyResource,
    run: async (s, list) =>
      (await memory(s)).listMessages({
        threadId: THREAD,
        ...newestPage,
        include: INCLUDE_AT.map((i) => ({ id: list[i]!.id, threadId: THREAD, withPreviousMessages: 2, withNextMessages: 2 })),
      }),
    check: (r) => expectCount('messages', listed(r).messages?.length, 40 + INCLUDE_AT.length * 5),
  }),
  workload({
    group: 'memory',
    name: 'listMessages: perPage false over 1,000',
    floor: 1,
    setup: (s) => threadWith(s, THREAD, 1000),
    run: async (s) => (await memory(s)).listMessages({ threadId: THREAD, perPage: false }),
    check: (r) => expectCount('messages', listed(r).messages?.length, 1000),
  }),
  workload({
    group: 'memory',
    name: 'listThreads: 20 of 200 by updatedAt',
    floor: 1,
    setup: async (s) => {
      const m = await memory(s);
      for (let i = 0; i < 200; i++) await m.saveThread({ thread: thread(`thread-${i}`, RESOURCE, i) });
    },
    run: async (s) =>
      (await memory(s)).listThreads({ filter: { resourceId: RESOURCE }, perPage: 20, page: 0, orderBy: { field: 'updatedAt', direction: 'DESC' } }),
    check: (r) => {
      const out = r as StorageListThreadsOutput;
      return expectCount('threads', out.threads?.length, 20) ?? expectCount('total', out.total, 200);
    },
  }),
  workload<MastraDBMessage[], number>({
    group: 'memory',
    name: 'updateMessages of 10',
    floor: 1,
    setup: (s) => threadWith(s, THREAD, 40),
    before: async (_s, _shared, rep) => rep,
    run: async (s, list, rep) =>
      (await memory(s)).updateMessages({
        messages: list.slice(0, 10).map((m) => ({ id: m.id, content: { format: 2 as const, parts: [{ type: 'text' as const, text: `edited ${rep}` }] } })),
      }),
    check: (r) => expectCount('updated', (r as unknown[]).length, 10),
  }),
  workload<void, string>({
    group: 'memory',
    name: 'deleteThread with 1,000 messages',
    floor: 1,
    reps: { ours: 3, original: 3 },
    before: async (s, _shared, rep) => {
      await threadWith(s, `thread-doomed-${rep}`, 1000);
      return `thread-doomed-${rep}`;
    },
    run: async (s, _shared, threadId) => (await memory(s)).deleteThread({ threadId }),
  }),
  workload<void, MastraDBMessage[]>({
    group: 'memory',
    name: 'chat turn (5 awaited store calls)',
    floor: 5,
    setup: async (s) => void (await threadWith(s, THREAD, 20)),
    before: async (_s, _shared, rep) => messages(THREAD, RESOURCE, 2, 100_000 + rep * 2, `turn${rep}-`),
    // As an Agent with Memory awaits them on a turn in an existing thread (mastra-storage.md).
    run: async (s, _shared, exchange) => {
      const m = await memory(s);
      await m.getThreadById({ threadId: THREAD });
      await m.getResourceById({ resourceId: RESOURCE });
      await m.listMessages({ threadId: THREAD, ...newestPage });
      const saved = await m.saveMessages({ messages: exchange });
      await m.getThreadById({ threadId: THREAD });
      return saved;
    },
    check: (r) => expectCount('saved', (r as { messages: unknown[] }).messages?.length, 2),
  }),
];
