import { ErrorCategory, MastraError } from '@mastra/core/error';
import type { MemoryStorage } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import type { D1DatabaseLike } from '../../src/client/types';
import { CLIENT_KINDS, uniquePrefix, useHarness, type ClientKind } from '../support/harness';
import { at, expectUserError, memoryOf, messages, thread } from './memory-fixtures';

const h = useHarness();

async function seeded(kind: ClientKind): Promise<MemoryStorage> {
  const memory = await memoryOf(h.freshStore(kind));
  await memory.saveThread({ thread: thread('src', 'res-1', { title: 'Origin', metadata: { topic: 'tea' } }) });
  await memory.saveMessages({ messages: messages('m', 'src', 5, 1) });
  return memory;
}

// A custom client's batch is not atomic, so copying is refused there (test/reliability/custom-client.test.ts).
describe.each(CLIENT_KINDS.filter((kind) => kind !== 'custom'))('memory thread copy on %s', (kind) => {
  it('copyThread copies every message inside D1 under new ids and records clone metadata', async () => {
    const memory = await seeded(kind);
    const { thread: copy, messageIdMap } = await memory.copyThread({ sourceThreadId: 'src', newThreadId: 'copy', metadata: { extra: 1 } });
    expect(copy).toMatchObject({ id: 'copy', resourceId: 'res-1', title: 'Clone of Origin' });
    expect(copy.metadata).toMatchObject({ extra: 1, clone: { sourceThreadId: 'src', lastMessageId: 'm-4' } });
    expect(Object.keys(messageIdMap!)).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4']);

    const { messages: copied } = await memory.listMessages({ threadId: 'copy', perPage: false });
    const { messages: source } = await memory.listMessages({ threadId: 'src', perPage: false });
    expect(copied.map((m) => m.id)).toEqual(source.map((m) => messageIdMap![m.id]));
    expect(copied.map(({ id: _id, threadId: _t, ...rest }) => rest)).toEqual(source.map(({ id: _id, threadId: _t, ...rest }) => rest));
    const stored = await memory.getThreadById({ threadId: 'copy' });
    expect(stored!.metadata).toMatchObject({ extra: 1, clone: { sourceThreadId: 'src', lastMessageId: 'm-4' } });
  });

  it('cloneThread applies message limits, date ranges, id filters, a new resource and title', async () => {
    const memory = await seeded(kind);
    const limited = await memory.cloneThread({ sourceThreadId: 'src', options: { messageLimit: 2 } });
    expect(limited.clonedMessages.map((m) => m.content)).toEqual(messages('m', 'src', 5, 1).slice(3).map((m) => m.content));
    expect(limited.thread.id).toMatch(/[0-9a-f-]{36}/);

    const ranged = await memory.cloneThread({ sourceThreadId: 'src', resourceId: 'res-2', title: 'Mine', options: { messageFilter: { startDate: at(2), endDate: at(4) } } });
    expect(ranged.thread).toMatchObject({ resourceId: 'res-2', title: 'Mine' });
    expect(Object.keys(ranged.messageIdMap!)).toEqual(['m-1', 'm-2', 'm-3']);
    expect(ranged.clonedMessages.every((m) => m.resourceId === 'res-2' && m.threadId === ranged.thread.id)).toBe(true);

    const picked = await memory.copyThread({ sourceThreadId: 'src', options: { messageFilter: { messageIds: ['m-4', 'm-0'] } } });
    expect(Object.keys(picked.messageIdMap!)).toEqual(['m-0', 'm-4']);
    const empty = await memory.copyThread({ sourceThreadId: 'src', options: { messageFilter: { messageIds: ['none'] } } });
    expect(empty.thread.metadata).toEqual({ clone: expect.objectContaining({ sourceThreadId: 'src' }) });
    expect((empty.thread.metadata!.clone as Record<string, unknown>).lastMessageId).toBeUndefined();
  });

  it('a missing source or a taken target id is a USER error and creates nothing', async () => {
    const memory = await seeded(kind);
    for (const args of [{ sourceThreadId: 'missing', newThreadId: 'n1' }, { sourceThreadId: 'src', newThreadId: 'src' }]) {
      const error = await memory.copyThread(args).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect((error as MastraError).category).toBe(ErrorCategory.USER);
    }
    expect(await memory.getThreadById({ threadId: 'n1' })).toBeNull();
    expect((await memory.listMessages({ threadId: 'src' })).total).toBe(5);
  });

  it('bad options are USER errors naming the option, and create nothing', async () => {
    const memory = await seeded(kind);
    const bad: [string, Record<string, unknown>][] = [
      ['options.messageFilter.startDate', { messageFilter: { startDate: 'garbage' } }],
      ['options.messageFilter.endDate', { messageFilter: { endDate: new Date(Number.NaN) } }],
      ['options.messageFilter.messageIds', { messageFilter: { messageIds: 'm-1' } }],
      ['options.messageFilter.messageIds[1]', { messageFilter: { messageIds: ['m-1', 2] } }],
      ['options.messageLimit', { messageLimit: 1.5 }],
      ['options.messageLimit', { messageLimit: '2' }],
    ];
    for (const [field, options] of bad) {
      await expectUserError(memory.cloneThread({ sourceThreadId: 'src', newThreadId: 'n1', options: options as never }), field);
      await expectUserError(memory.copyThread({ sourceThreadId: 'src', newThreadId: 'n1', options: options as never }), field);
    }
    await expectUserError(memory.copyThread({ sourceThreadId: 'src', newThreadId: 'n1', title: { a: 1 } as never }), 'title');
    await expectUserError(memory.copyThread({ sourceThreadId: 'src', newThreadId: 'n1', metadata: 'x' as never }), 'metadata');
    expect(await memory.getThreadById({ threadId: 'n1' })).toBeNull();
  });
});

describe('memory thread copy racing a delete', () => {
  it('a source message deleted between the read and the write rolls the copy back with a CONFLICT error', async () => {
    const prefix = uniquePrefix();
    let beforeNextBatch: (() => Promise<unknown>) | undefined;
    // Runs `beforeNextBatch` just before the next batch: here, between copyThread's read and its write.
    const racing: D1DatabaseLike = {
      prepare: (sql) => h.d1.db.prepare(sql),
      async batch(statements) {
        const race = beforeNextBatch;
        beforeNextBatch = undefined;
        await race?.();
        return h.d1.db.batch(statements);
      },
    };
    const memory = await memoryOf(h.freshStore('binding', { tablePrefix: prefix, binding: racing }));
    await memory.saveThread({ thread: thread('src') });
    await memory.saveMessages({ messages: messages('m', 'src', 3, 1) });
    beforeNextBatch = async () => {
      beforeNextBatch = () => h.d1.db.prepare(`DELETE FROM "${prefix}mastra_messages" WHERE id = ?`).bind('m-1').all();
    };
    const error = await memory.copyThread({ sourceThreadId: 'src', newThreadId: 'n1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MastraError);
    expect(error).toMatchObject({ id: 'MASTRA_STORAGE_CLOUDFLARE_D1_CLONE_THREAD_CONFLICT', category: ErrorCategory.THIRD_PARTY });
    expect(await memory.getThreadById({ threadId: 'n1' })).toBeNull();
    expect((await memory.listMessages({ threadId: 'n1' })).total).toBe(0);
  });
});

describe('memory round trips (counted at the REST emulator)', () => {
  it('every memory call is one request, except a copy (two) and a metadata compare-and-set (read + write)', async () => {
    const memory = await memoryOf(h.freshStore('rest'));
    await memory.saveThread({ thread: thread('t1') });
    const requests = () => h.emulator.requests.length;

    let before = requests();
    await memory.saveMessages({ messages: messages('bulk', 't1', 1_000, 1) });
    expect(requests() - before).toBe(1);
    const batch = h.emulator.requests.at(-1)!;
    expect(Math.max(...batch.map((s) => s.params.length))).toBeLessThanOrEqual(100);

    before = requests();
    const page = await memory.listMessages({ threadId: 't1', perPage: 40, page: 0, orderBy: { field: 'createdAt', direction: 'DESC' }, include: [{ id: 'bulk-10', withPreviousMessages: 2, withNextMessages: 2 }] });
    expect(requests() - before).toBe(1);
    expect(page.total).toBe(1_000);
    expect(page.messages).toHaveLength(45);

    before = requests();
    await memory.listThreads({ filter: { resourceId: 'res-1' } });
    await memory.getThreadById({ threadId: 't1' });
    await memory.updateThread({ id: 't1', metadata: { a: 1 } });
    await memory.updateMessages({ messages: Array.from({ length: 10 }, (_, i) => ({ id: `bulk-${i}`, role: 'assistant' as const })) });
    await memory.updateResource({ resourceId: 'res-1', workingMemory: 'wm' });
    expect(requests() - before).toBe(5);

    const oneEach = [
      () => memory.saveThread({ thread: thread('t2') }),
      () => memory.getResourceById({ resourceId: 'res-1' }),
      () => memory.listMessagesById({ messageIds: messages('bulk', 't1', 300).map((m) => m.id) }),
      () => memory.listMessagesByResourceId({ resourceId: 'res-1', perPage: 10, include: [{ id: 'bulk-500', withNextMessages: 1 }] }),
      () => memory.listMessages({ threadId: ['t1', 't2'], perPage: false }),
      () => memory.deleteMessages(['bulk-998', 'bulk-999']),
      () => memory.updateThreadResourceId({ threadId: 't2', resourceId: 'res-2' }),
    ];
    for (const call of oneEach) {
      before = requests();
      await call();
      expect(requests() - before).toBe(1);
    }
    before = requests();
    await memory.updateThreadMetadata({ id: 't1', update: () => ({ seen: true }) });
    expect(requests() - before).toBe(2);

    before = requests();
    const { messageIdMap } = await memory.copyThread({ sourceThreadId: 't1' });
    expect(requests() - before).toBe(2);
    expect(Object.keys(messageIdMap!)).toHaveLength(998);

    before = requests();
    await memory.deleteThread({ threadId: 't1' });
    expect(requests() - before).toBe(1);
  });
});
