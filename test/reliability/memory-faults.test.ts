import type { MastraDBMessage } from '@mastra/core/agent';
import type { StorageThreadType } from '@mastra/core/memory';
import type { MemoryStorage } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { PERMANENT_D1_MESSAGES, TRANSIENT_D1_MESSAGES } from '../support/faults';
import { failure } from './assertions';
import { newMessages, newThread, textOf, uid } from './builders';
import { verified } from './figures';
import { ATOMIC_KINDS, useRig } from './rig';
import { settle, sweepRead, sweepStatements } from './sweep';
import { MemoryStorageD1 } from '../../src';

const rig = useRig(import.meta.url);

describe.each(ATOMIC_KINDS)('memory under faults on %s', (kind) => {
  const s = rig.useDomains(kind);

  const messageCount = (threadId: string) => s.count('mastra_messages', 'thread_id = ?', threadId);
  const threadCount = (threadId: string) => s.count('mastra_threads', 'id = ?', threadId);

  async function threadWith(messageCount: number): Promise<{ thread: StorageThreadType; messages: MastraDBMessage[] }> {
    const thread = await s.memory.saveThread({ thread: newThread() });
    const messages = newMessages(thread, messageCount);
    if (messageCount > 0) await s.memory.saveMessages({ messages });
    return { thread, messages };
  }

  it('saveMessages of 250: a failure at any statement leaves all or none, the thread\'s updatedAt included', async () => {
    const updatedAt = async (threadId: string) => (await rig.rows<{ updatedAt: string }>(`SELECT "updatedAt" FROM ${s.table('mastra_threads')} WHERE id = ?`, threadId))[0]!.updatedAt;
    const statements = await sweepStatements(rig, {
      setup: async () => {
        const thread = await s.memory.saveThread({ thread: newThread() });
        return { thread, messages: newMessages(thread, 250), updatedAt: await updatedAt(thread.id) };
      },
      act: ({ messages }) => s.memory.saveMessages({ messages }),
      check: async ({ thread, updatedAt: before }, outcome) => {
        expect(await messageCount(thread.id)).toBe(outcome === 'resolved' ? 250 : 0);
        if (outcome === 'rejected') expect(await updatedAt(thread.id)).toBe(before);
        else expect(await updatedAt(thread.id)).not.toBe(before);
        verified(251);
      },
    });
    expect(statements).toBeGreaterThan(2);
  });

  it('deleteThread: a failure at any statement leaves the thread and its messages together', async () => {
    await sweepStatements(rig, {
      setup: () => threadWith(20),
      act: ({ thread }) => s.memory.deleteThread({ threadId: thread.id }),
      check: async ({ thread }, outcome) => {
        const expected = outcome === 'resolved' ? [0, 0] : [1, 20];
        expect([await threadCount(thread.id), await messageCount(thread.id)]).toEqual(expected);
        verified(21);
      },
    });
  });

  it('updateMessages of 10: a failure at any statement applies all or nothing', async () => {
    await sweepStatements(rig, {
      setup: () => threadWith(10),
      act: ({ messages }) =>
        s.memory.updateMessages({
          messages: messages.map((m) => ({ id: m.id, content: { ...m.content, parts: [{ type: 'text' as const, text: `edited ${m.id}` }], content: `edited ${m.id}` } })),
        }),
      check: async ({ thread, messages }, outcome) => {
        const { messages: stored } = await s.memory.listMessagesById({ messageIds: messages.map((m) => m.id) });
        expect(stored).toHaveLength(10);
        const edited = stored.filter((m) => textOf(m) === `edited ${m.id}`).length;
        expect(edited).toBe(outcome === 'resolved' ? 10 : 0);
        expect(await messageCount(thread.id)).toBe(10);
        verified(10);
      },
    });
  });

  it('cloneThread of 30 messages: a failure at any statement creates the whole clone or nothing', async () => {
    await sweepStatements(rig, {
      setup: async () => ({ ...(await threadWith(30)), newThreadId: uid('clone') }),
      act: ({ thread, newThreadId }) => s.memory.cloneThread({ sourceThreadId: thread.id, newThreadId }),
      check: async ({ thread, newThreadId }, outcome) => {
        // cloneThread is copyThread (one atomic write) then a read of the copy: a failed read-back
        // rejects with the clone complete. Complete or absent are both whole; half a clone is not.
        const clone = [await threadCount(newThreadId), await messageCount(newThreadId)];
        if (outcome === 'resolved') expect(clone).toEqual([1, 30]);
        else expect([[0, 0], [1, 30]]).toContainEqual(clone);
        expect([await threadCount(thread.id), await messageCount(thread.id)]).toEqual([1, 30]);
        verified(62);
      },
    });
  });

  it('deleteMessages of 10 out of 20: a failure at any statement deletes all 10 or none', async () => {
    await sweepStatements(rig, {
      setup: () => threadWith(20),
      act: ({ messages }) => s.memory.deleteMessages(messages.filter((_, i) => i % 2 === 0).map((m) => m.id)),
      check: async ({ thread }, outcome) => {
        expect(await messageCount(thread.id)).toBe(outcome === 'resolved' ? 10 : 20);
        verified(20);
      },
    });
  });

  it('updateThreadResourceId: a failure at any statement moves the thread and all its messages or nothing', async () => {
    await sweepStatements(rig, {
      setup: () => threadWith(15),
      act: ({ thread }) => s.memory.updateThreadResourceId({ threadId: thread.id, resourceId: `moved-${thread.id}` }),
      check: async ({ thread }, outcome) => {
        const owner = outcome === 'resolved' ? `moved-${thread.id}` : thread.resourceId;
        expect(await s.count('mastra_threads', 'id = ? AND "resourceId" = ?', thread.id, owner)).toBe(1);
        expect(await s.count('mastra_messages', 'thread_id = ? AND "resourceId" = ?', thread.id, owner)).toBe(15);
        verified(16);
      },
    });
  });

  it('dangerouslyClearAll of memory: a failure at any statement clears every memory table or none', async () => {
    await sweepStatements(rig, {
      setup: async () => {
        const opened = await rig.open(kind);
        const memory = (await opened.store.getStore('memory'))!;
        const thread = await memory.saveThread({ thread: newThread() });
        await memory.saveMessages({ messages: newMessages(thread, 5) });
        await memory.saveResource({ resource: { id: thread.resourceId, workingMemory: 'wm', createdAt: new Date(), updatedAt: new Date() } });
        await memory.initializeObservationalMemory({ threadId: null, resourceId: thread.resourceId, scope: 'resource', config: {} });
        return { opened, memory };
      },
      act: ({ memory }) => memory.dangerouslyClearAll(),
      check: async ({ opened }, outcome) => {
        const tables = MemoryStorageD1.tables.map((spec) => spec.name);
        const counts = Object.fromEntries(await Promise.all(tables.map(async (table) => [table, await opened.count(table, '1')])));
        const seeded = { mastra_threads: 1, mastra_messages: 5, mastra_resources: 1, mastra_observational_memory: 1 };
        expect(counts).toEqual(outcome === 'resolved' ? Object.fromEntries(tables.map((table) => [table, 0])) : seeded);
        verified(8);
      },
    });
  });

  it('updateMessages moving 5 messages to another thread: a failure at any statement moves all or none', async () => {
    await sweepStatements(rig, {
      setup: async () => ({ ...(await threadWith(8)), target: await s.memory.saveThread({ thread: newThread() }) }),
      act: ({ messages, target }) => s.memory.updateMessages({ messages: messages.slice(0, 5).map((m) => ({ id: m.id, threadId: target.id })) }),
      check: async ({ thread, target }, outcome) => {
        const moved = outcome === 'resolved' ? 5 : 0;
        expect([await messageCount(thread.id), await messageCount(target.id)]).toEqual([8 - moved, moved]);
        verified(8);
      },
    });
  });

  it('reads with several statements (page, total, include): a failure at any statement throws, never a short answer', async () => {
    const { thread, messages } = await threadWith(30);
    const include = [{ id: messages[3]!.id, withPreviousMessages: 2, withNextMessages: 2 }];
    const reads = [
      () => s.memory.listMessages({ threadId: thread.id, perPage: 5, page: 1, include }),
      () => s.memory.listThreads({ filter: { resourceId: thread.resourceId }, perPage: 2, page: 0 }),
      () => s.memory.listMessagesByResourceId({ resourceId: thread.resourceId, perPage: 4, page: 2 }),
    ];
    for (const read of reads) await sweepRead(rig, read);
  });

  it('saveMessages retries every transient D1 error at every round trip and stores each message exactly once', async () => {
    const thread = await s.memory.saveThread({ thread: newThread() });
    rig.faults.mark();
    await s.memory.saveMessages({ messages: newMessages(thread, 5) });
    const roundTrips = rig.faults.since().roundTrips;
    for (const message of TRANSIENT_D1_MESSAGES) {
      for (let r = 1; r <= roundTrips; r++) {
        for (const afterExecute of [false, true]) {
          const target = await s.memory.saveThread({ thread: newThread() });
          const messages = newMessages(target, 12);
          rig.faults.arm({ roundTrip: r, message, afterExecute });
          await s.memory.saveMessages({ messages });
          expect(rig.faults.fired).toBe(true);
          expect(await messageCount(target.id)).toBe(12);
          const { messages: listed } = await s.memory.listMessages({ threadId: target.id, perPage: false });
          expect(listed.map((m) => m.id)).toEqual(messages.map((m) => m.id));
          verified(12);
        }
      }
    }
  });

  it.each(PERMANENT_D1_MESSAGES)('saveMessages throws "%s" after one attempt and writes nothing', async (message) => {
    const thread = await s.memory.saveThread({ thread: newThread() });
    rig.faults.arm({ roundTrip: 1, message, repeat: 3 });
    await failure(s.memory.saveMessages({ messages: newMessages(thread, 10) }));
    expect(rig.faults.since().roundTrips).toBe(1);
    expect(await messageCount(thread.id)).toBe(0);
  });

  it('deleteThread and updateMessages survive a transient error whose first attempt applied', async () => {
    const { thread, messages } = await threadWith(8);
    rig.faults.mark();
    await s.memory.updateMessages({ messages: [{ id: messages[0]!.id, role: 'assistant' }] });
    const updateTrips = rig.faults.since().roundTrips;
    rig.faults.arm({ roundTrip: updateTrips, message: TRANSIENT_D1_MESSAGES[0], afterExecute: true });
    const updated = await settle(s.memory.updateMessages({ messages: messages.map((m) => ({ id: m.id, content: { ...m.content, parts: [{ type: 'text' as const, text: 'x' }], content: 'x' } })) }));
    if (updated.outcome === 'rejected') expect(rig.faults.since().roundTrips).toBe(updateTrips);
    const { messages: after } = await s.memory.listMessagesById({ messageIds: messages.map((m) => m.id) });
    expect(after.map(textOf)).toEqual(messages.map(() => 'x'));

    rig.faults.arm({ roundTrip: 1, message: TRANSIENT_D1_MESSAGES[2], afterExecute: true, repeat: 1 });
    await settle(s.memory.deleteThread({ threadId: thread.id }));
    expect([await threadCount(thread.id), await messageCount(thread.id)]).toEqual([0, 0]);
  });

  it('reads hit by one transient error are retried and answer in full', async () => {
    const { thread, messages } = await threadWith(12);
    for (const message of TRANSIENT_D1_MESSAGES) {
      rig.faults.arm({ roundTrip: 1, message });
      expect((await s.memory.getThreadById({ threadId: thread.id }))!.id).toBe(thread.id);
      rig.faults.arm({ roundTrip: 1, message });
      expect((await s.memory.listMessages({ threadId: thread.id, perPage: false })).messages.map((m) => m.id)).toEqual(messages.map((m) => m.id));
      rig.faults.arm({ roundTrip: 1, message });
      expect((await s.memory.listThreads({ filter: { resourceId: thread.resourceId }, perPage: false })).threads.map((t) => t.id)).toContain(thread.id);
      verified(14);
    }
  });

  describe('a failing read throws instead of returning null or []', () => {
    const reads: [string, (m: MemoryStorage) => Promise<unknown>][] = [
      ['getThreadById', (m) => m.getThreadById({ threadId: 'any' })],
      ['listThreads', (m) => m.listThreads({ filter: { resourceId: 'resource-1' } })],
      ['listMessages', (m) => m.listMessages({ threadId: 'any' })],
      ['listMessagesById', (m) => m.listMessagesById({ messageIds: ['a', 'b'] })],
      ['getResourceById', (m) => m.getResourceById({ resourceId: 'any' })],
    ];
    it.each(reads)('%s, on a permanent error', async (_name, read) => {
      rig.faults.arm({ roundTrip: 1, message: PERMANENT_D1_MESSAGES[1], repeat: 5 });
      await failure(read(s.memory));
      expect(rig.faults.since().roundTrips).toBe(1);
    });
    it.each(reads)('%s, on a transient error that outlasts the retries', async (_name, read) => {
      rig.faults.arm({ roundTrip: 1, message: TRANSIENT_D1_MESSAGES[0], repeat: 10 });
      await failure(read(s.memory));
      expect(rig.faults.since().roundTrips).toBe(3);
    });
    it.each(reads)('%s, on a missing table', async (_name, read) => {
      rig.faults.arm({ roundTrip: 1 });
      await failure(read(s.memory));
    });
  });
});
