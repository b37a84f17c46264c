import type { MastraDBMessage } from '@mastra/core/memory';
import { describe, expect, it } from 'vitest';
import { CLIENT_KINDS, useHarness, type ClientKind } from '../support/harness';
import { at, expectUserError, memoryOf, message, messages, thread } from './memory-fixtures';

const h = useHarness();

const memoryOn = (kind: ClientKind) => memoryOf(h.freshStore(kind));

const ids = (list: MastraDBMessage[]) => list.map((m) => m.id);

/** Two threads of one resource (a: 6 messages, b: 3) and one thread of another resource. */
async function seeded(kind: ClientKind) {
  const memory = await memoryOn(kind);
  await memory.saveThread({ thread: thread('a') });
  await memory.saveThread({ thread: thread('b') });
  await memory.saveThread({ thread: thread('c', 'res-2') });
  await memory.saveMessages({
    messages: [...messages('a', 'a', 6, 1), ...messages('b', 'b', 3, 10), ...messages('c', 'c', 2, 20, { resourceId: 'res-2' })],
  });
  return memory;
}

describe.each(CLIENT_KINDS)('memory messages on %s', (kind) => {
  it('saveMessages upserts by id, can move a message to another thread, and bumps thread updatedAt', async () => {
    const memory = await memoryOn(kind);
    await memory.saveThread({ thread: thread('t1') });
    await memory.saveThread({ thread: thread('t2') });
    const saved = await memory.saveMessages({ messages: [message('m1', 't1', 1), message('m2', 't1', 2)] });
    expect(ids(saved.messages)).toEqual(['m1', 'm2']);
    expect((await memory.getThreadById({ threadId: 't1' }))!.updatedAt.getTime()).toBeGreaterThan(at(0).getTime());

    const edited = message('m2', 't2', 2, { content: { format: 2, parts: [{ type: 'text', text: 'edited' }] } } as Partial<MastraDBMessage>);
    await memory.saveMessages({ messages: [edited] });
    expect(ids((await memory.listMessages({ threadId: 't1' })).messages)).toEqual(['m1']);
    const [moved] = (await memory.listMessages({ threadId: 't2' })).messages;
    expect(moved).toMatchObject({ id: 'm2', threadId: 't2', content: { parts: [{ type: 'text', text: 'edited' }] } });
    expect((await memory.getThreadById({ threadId: 't2' }))!.updatedAt.getTime()).toBeGreaterThan(at(0).getTime());
    expect(await memory.saveMessages({ messages: [] })).toEqual({ messages: [] });
  });

  it('reads back what was saved, byte-exact, including content near the 2 MB limit', async () => {
    const memory = await memoryOn(kind);
    await memory.saveThread({ thread: thread('t1') });
    const text = 'é😀'.repeat(100_000) + 'x'.repeat(1_200_000);
    const big = message('big', 't1', 1, { content: { format: 2, parts: [{ type: 'text', text }], metadata: { n: 1 } } } as Partial<MastraDBMessage>);
    await memory.saveMessages({ messages: [big, message('tool', 't1', 2, { type: 'v1' } as Partial<MastraDBMessage>)] });
    const { messages: read } = await memory.listMessagesById({ messageIds: ['big', 'tool'] });
    expect(read.find((m) => m.id === 'big')).toEqual(big);
    expect(read.find((m) => m.id === 'tool')?.type).toBe('v1');
  });

  it('a message over 2 MB fails the whole call with a USER error naming it, and nothing is written', async () => {
    const memory = await memoryOn(kind);
    await memory.saveThread({ thread: thread('t1') });
    const huge = message('huge-one', 't1', 2, { content: { format: 2, parts: [{ type: 'text', text: 'x'.repeat(2_000_001) }] } } as Partial<MastraDBMessage>);
    await expectUserError(memory.saveMessages({ messages: [message('ok', 't1', 1), huge] }), 'huge-one');
    await expectUserError(memory.saveMessages({ messages: [message('ok', 't1', 1), { ...message('x', 't1', 2), threadId: '' }] }));
    await expectUserError(memory.saveMessages({ messages: [message('ok', 't1', 1), { ...message('y', 't1', 2), resourceId: undefined }] }));
    await expectUserError(memory.saveMessages({ messages: [message('ok', 't1', 1), { ...message('z', 't1', 2), role: undefined } as unknown as MastraDBMessage] }));
    await expectUserError(memory.saveMessages({ messages: [message('ok', 't1', 1), { ...message('w', 't1', 2), content: undefined } as unknown as MastraDBMessage] }));
    expect((await memory.listMessages({ threadId: 't1' })).messages).toEqual([]);
    expect((await memory.getThreadById({ threadId: 't1' }))!.updatedAt).toEqual(at(0));
  });

  it('listMessages pages oldest-first by default, newest-first on request, with total and hasMore', async () => {
    const memory = await seeded(kind);
    const first = await memory.listMessages({ threadId: 'a', perPage: 4 });
    expect(ids(first.messages)).toEqual(['a-0', 'a-1', 'a-2', 'a-3']);
    expect(first).toMatchObject({ total: 6, page: 0, perPage: 4, hasMore: true });
    const second = await memory.listMessages({ threadId: 'a', perPage: 4, page: 1 });
    expect(ids(second.messages)).toEqual(['a-4', 'a-5']);
    expect(second.hasMore).toBe(false);
    const newest = await memory.listMessages({ threadId: 'a', perPage: 2, orderBy: { field: 'createdAt', direction: 'DESC' } });
    expect(ids(newest.messages)).toEqual(['a-5', 'a-4']);
    const all = await memory.listMessages({ threadId: 'a', perPage: false });
    expect(all).toMatchObject({ total: 6, perPage: false, hasMore: false });
    expect(all.messages).toHaveLength(6);
    expect(all.messages[0]).toEqual(message('a-0', 'a', 1));
    const none = await memory.listMessages({ threadId: 'a', perPage: 0 });
    expect(none).toEqual({ messages: [], total: 0, page: 0, perPage: 0, hasMore: false });
    expect((await memory.listMessages({ threadId: 'empty' })).messages).toEqual([]);
  });

  it('listMessages takes several threads, a resource and inclusive/exclusive date ranges', async () => {
    const memory = await seeded(kind);
    const both = await memory.listMessages({ threadId: ['a', 'b'], perPage: false });
    expect(both.total).toBe(9);
    expect(ids(both.messages)).toEqual([...ids(messages('a', 'a', 6)), 'b-0', 'b-1', 'b-2']);
    expect((await memory.listMessages({ threadId: ['a', 'c'], resourceId: 'res-2' })).total).toBe(2);
    expect((await memory.listMessages({ threadId: 'a', resourceId: 'res-2' })).total).toBe(0);
    expect((await memory.listMessages({ threadId: 'c', resourceId: 'res-2' })).total).toBe(2);

    const inclusive = await memory.listMessages({ threadId: 'a', filter: { dateRange: { start: at(2), end: at(4) } } });
    expect(ids(inclusive.messages)).toEqual(['a-1', 'a-2', 'a-3']);
    const exclusive = await memory.listMessages({ threadId: 'a', filter: { dateRange: { start: at(2), end: at(4), startExclusive: true, endExclusive: true } } });
    expect(ids(exclusive.messages)).toEqual(['a-2']);
  });

  it('listMessages filters on content metadata: type and value per key, any number of keys', async () => {
    const memory = await seeded(kind);
    const wide = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i % 4 === 0 ? i : i % 4 === 1 ? `v${i}` : i % 4 === 2 ? i % 8 === 2 : null]));
    const tagged = (id: string, minute: number, metadata: Record<string, unknown>) =>
      message(id, 'a', minute, { content: { format: 2, parts: [{ type: 'text', text: id }], metadata } } as Partial<MastraDBMessage>);
    await memory.saveMessages({ messages: [tagged('wide', 50, wide), tagged('one', 51, { k0: 0, k1: 'v1' }), tagged('str', 52, { k0: '0' })] });
    expect(ids((await memory.listMessages({ threadId: 'a', filter: { metadata: wide } })).messages)).toEqual(['wide']);
    expect(ids((await memory.listMessages({ threadId: 'a', filter: { metadata: { k0: 0 } } })).messages)).toEqual(['wide', 'one']);
    expect(ids((await memory.listMessages({ threadId: 'a', filter: { metadata: { k0: '0' } } })).messages)).toEqual(['str']);
    expect(ids((await memory.listMessages({ threadId: 'a', filter: { metadata: { k3: null } } })).messages)).toEqual(['wide']);
    const page = await memory.listMessages({ threadId: 'a', perPage: 1, filter: { metadata: { k0: 0 } } });
    expect(page).toMatchObject({ total: 2, hasMore: true });
  });

  it('include adds context around messages, also from other threads, merged into the page in order', async () => {
    const memory = await seeded(kind);
    const result = await memory.listMessages({
      threadId: 'a',
      perPage: 2,
      orderBy: { field: 'createdAt', direction: 'DESC' },
      include: [
        { id: 'a-2', withPreviousMessages: 1, withNextMessages: 1 },
        { id: 'b-1', withPreviousMessages: 1 },
      ],
    });
    expect(ids(result.messages)).toEqual(['b-1', 'b-0', 'a-5', 'a-4', 'a-3', 'a-2', 'a-1']);
    expect(result).toMatchObject({ total: 6, hasMore: true });

    const onlyIncluded = await memory.listMessages({ threadId: 'a', perPage: 0, include: [{ id: 'a-0', withNextMessages: 2 }] });
    expect(ids(onlyIncluded.messages)).toEqual(['a-0', 'a-1', 'a-2']);
    expect(onlyIncluded.total).toBe(0);
    const guarded = await memory.listMessages({ threadId: 'a', resourceId: 'res-1', perPage: 1, include: [{ id: 'c-1', withPreviousMessages: 1 }] });
    expect(ids(guarded.messages)).toEqual(['a-0']);
  });

  it('listMessagesByResourceId pages every thread of a resource', async () => {
    const memory = await seeded(kind);
    const page = await memory.listMessagesByResourceId({ resourceId: 'res-1', perPage: 5, page: 1 });
    expect(ids(page.messages)).toEqual(['a-5', 'b-0', 'b-1', 'b-2']);
    expect(page).toMatchObject({ total: 9, hasMore: false });
    const range = await memory.listMessagesByResourceId({ resourceId: 'res-1', filter: { dateRange: { start: at(10) } }, orderBy: { field: 'createdAt', direction: 'DESC' } });
    expect(ids(range.messages)).toEqual(['b-2', 'b-1', 'b-0']);
    await expectUserError(memory.listMessagesByResourceId({ resourceId: '' }));
  });

  it('listMessagesById returns any number of messages, in time order after MessageList', async () => {
    const memory = await seeded(kind);
    const wanted = [...ids(messages('a', 'a', 6)), 'b-1', 'missing', ...Array.from({ length: 250 }, (_, i) => `nope-${i}`)];
    const { messages: found } = await memory.listMessagesById({ messageIds: wanted });
    expect(ids(found)).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'a-4', 'a-5', 'b-1']);
    expect(await memory.listMessagesById({ messageIds: [] })).toEqual({ messages: [] });
  });

  it('updateMessages merges content and metadata, changes role and thread, and bumps both threads', async () => {
    const memory = await seeded(kind);
    await memory.saveMessages({
      messages: [message('meta', 'a', 30, { content: { format: 2, parts: [{ type: 'text', text: 'v1' }], metadata: { keep: 1, over: 'old' } } } as Partial<MastraDBMessage>)],
    });
    const before = await memory.getThreadById({ threadId: 'b' });
    const updated = await memory.updateMessages({
      messages: [
        { id: 'meta', content: { metadata: { over: 'new', added: true } } as never },
        { id: 'a-0', role: 'assistant', threadId: 'b', content: { parts: [{ type: 'text', text: 'rewritten' }] } as never },
        { id: 'a-1' },
        { id: 'missing', role: 'user' },
      ],
    });
    expect(ids(updated)).toEqual(['a-0', 'a-1', 'meta']);
    const meta = updated.find((m) => m.id === 'meta')!;
    expect(meta.content).toEqual({ format: 2, parts: [{ type: 'text', text: 'v1' }], metadata: { keep: 1, over: 'new', added: true } });
    const moved = updated.find((m) => m.id === 'a-0')!;
    expect(moved).toMatchObject({ role: 'assistant', threadId: 'b', content: { format: 2, parts: [{ type: 'text', text: 'rewritten' }] } });
    expect((await memory.getThreadById({ threadId: 'b' }))!.updatedAt.getTime()).toBeGreaterThan(before!.updatedAt.getTime());
    expect(await memory.updateMessages({ messages: [] })).toEqual([]);
  });

  it('updateMessages with a role that is not a string is a USER error naming it, and changes nothing', async () => {
    const memory = await seeded(kind);
    const before = await memory.listMessagesById({ messageIds: ['a-0', 'a-1'] });
    await expectUserError(memory.updateMessages({ messages: [{ id: 'a-0', role: 'user' }, { id: 'a-1', role: { name: 'x' } as never }] }), 'role');
    await expectUserError(memory.updateMessages({ messages: [{ id: 'a-0', threadId: 7 as never }] }), 'threadId');
    expect(await memory.listMessagesById({ messageIds: ['a-0', 'a-1'] })).toEqual(before);
  });

  it('deleteMessages removes messages and bumps their threads', async () => {
    const memory = await seeded(kind);
    const before = await memory.getThreadById({ threadId: 'b' });
    await memory.deleteMessages(['a-0', 'b-0', 'missing']);
    expect((await memory.listMessages({ threadId: ['a', 'b'] })).total).toBe(7);
    expect((await memory.getThreadById({ threadId: 'b' }))!.updatedAt.getTime()).toBeGreaterThan(before!.updatedAt.getTime());
    await memory.deleteMessages([]);
    await expectUserError(memory.deleteMessages(['ok', '']));
  });

  it('rejects bad list arguments with USER errors', async () => {
    const memory = await memoryOn(kind);
    await expectUserError(memory.listMessages({ threadId: '' }));
    await expectUserError(memory.listMessages({ threadId: [] }));
    await expectUserError(memory.listMessages({ threadId: 't', page: -1 }));
    await expectUserError(memory.listMessages({ threadId: 't', perPage: -1 }));
    await expectUserError(memory.listMessages({ threadId: 't', perPage: 1.5 }));
    await expectUserError(memory.listMessages({ threadId: 't', filter: { metadata: { 'not ok': 1 } } }));
    await expectUserError(memory.listMessages({ threadId: 't', include: [{ id: 'x', withPreviousMessages: -1 }] }));
  });
});
