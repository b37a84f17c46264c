import { describe, expect, it } from 'vitest';
import { faultyD1, TRANSIENT_D1_MESSAGES } from '../support/faults';
import { CLIENT_KINDS, customClientOver, uniquePrefix, useHarness, type ClientKind } from '../support/harness';
import { at, expectUserError, memoryOf, message, thread } from './memory-fixtures';

const h = useHarness();

const memoryOn = (kind: ClientKind) => memoryOf(h.freshStore(kind));

describe.each(CLIENT_KINDS)('memory threads on %s', (kind) => {
  it('saves, reads (with resource guard), upserts and deletes a thread', async () => {
    const memory = await memoryOn(kind);
    expect(memory.supportsPartialThreadUpdate).toBe(true);
    expect(await memory.getThreadById({ threadId: 'nope' })).toBeNull();
    expect(await memory.getThreadById({ threadId: '' })).toBeNull();
    await memory.saveThread({ thread: thread('t1') });
    expect(await memory.getThreadById({ threadId: 't1' })).toEqual(thread('t1'));
    expect(await memory.getThreadById({ threadId: 't1', resourceId: 'other' })).toBeNull();
    expect(await memory.getThreadById({ threadId: 't1', resourceId: 'res-1' })).not.toBeNull();

    await memory.saveThread({ thread: thread('t1', 'res-2', { title: 'renamed', metadata: { a: 1 }, updatedAt: at(5) }) });
    expect(await memory.getThreadById({ threadId: 't1' })).toEqual(thread('t1', 'res-2', { title: 'renamed', metadata: { a: 1 }, updatedAt: at(5) }));

    await memory.saveMessages({ messages: [message('m1', 't1', 1), message('m2', 't1', 2)] });
    await memory.deleteThread({ threadId: 't1' });
    expect(await memory.getThreadById({ threadId: 't1' })).toBeNull();
    expect((await memory.listMessagesById({ messageIds: ['m1', 'm2'] })).messages).toEqual([]);
  });

  it('deleteThread also removes the thread-scoped Observational Memory, not the resource-scoped one', async () => {
    const memory = await memoryOn(kind);
    await memory.saveThread({ thread: thread('t1') });
    await memory.initializeObservationalMemory({ threadId: 't1', resourceId: 'res-1', scope: 'thread', config: {} });
    await memory.initializeObservationalMemory({ threadId: null, resourceId: 'res-1', scope: 'resource', config: {} });
    await memory.deleteThread({ threadId: 't1' });
    expect(await memory.getObservationalMemory('t1', 'res-1')).toBeNull();
    expect(await memory.getObservationalMemory(null, 'res-1')).not.toBeNull();
  });

  it('updateThread is partial: omitted title or metadata stay, metadata is shallow-merged in D1', async () => {
    const memory = await memoryOn(kind);
    await memory.saveThread({ thread: thread('t1', 'res-1', { metadata: { keep: 1, nested: { a: 1, b: 2 }, flag: true } }) });
    const renamed = await memory.updateThread({ id: 't1', title: 'New title' });
    expect(renamed.title).toBe('New title');
    expect(renamed.metadata).toEqual({ keep: 1, nested: { a: 1, b: 2 }, flag: true });
    expect(renamed.updatedAt.getTime()).toBeGreaterThan(at(0).getTime());

    const merged = await memory.updateThread({ id: 't1', metadata: { nested: { c: 3 }, extra: null, flag: false } });
    expect(merged.title).toBe('New title');
    expect(merged.metadata).toEqual({ keep: 1, nested: { c: 3 }, extra: null, flag: false });
    expect(await memory.getThreadById({ threadId: 't1' })).toEqual(merged);

    const patched = await memory.patchThread({ id: 't1', metadata: { more: 'x' } });
    expect(patched.title).toBe('New title');
    expect(patched.metadata).toMatchObject({ keep: 1, more: 'x' });
    await expectUserError(memory.updateThread({ id: 'missing', title: 'x' }));
  });

  it('updateThread with a title that is not a string is a USER error naming it, and changes nothing', async () => {
    const memory = await memoryOn(kind);
    await memory.saveThread({ thread: thread('t1') });
    await expectUserError(memory.updateThread({ id: 't1', title: { text: 'x' } as never, metadata: { changed: true } }), 'title');
    await expectUserError(memory.updateThread({ id: 't1', title: 7 as never }), 'title');
    expect(await memory.getThreadById({ threadId: 't1' })).toEqual(thread('t1'));
    expect((await memory.updateThread({ id: 't1', title: null as never })).title).toBe(thread('t1').title);
  });

  it('updateThreadMetadata never loses an update between two store instances', async () => {
    // A second D1Store over the same tables stands in for another Worker: core's in-process queue cannot help.
    const prefix = uniquePrefix();
    const memory = await memoryOf(h.freshStore(kind, { tablePrefix: prefix }));
    const other = await memoryOf(h.store(kind, { tablePrefix: prefix }));
    await memory.saveThread({ thread: thread('t1', 'res-1', { metadata: {} }) });
    const writes = [memory, other].flatMap((m, i) =>
      Array.from({ length: 3 }, (_, j) => m.updateThreadMetadata({ id: 't1', update: () => ({ [`k${i}_${j}`]: j }) })),
    );
    await Promise.all(writes);
    const final = await memory.getThreadById({ threadId: 't1' });
    expect(Object.keys(final!.metadata!).sort()).toEqual(['k0_0', 'k0_1', 'k0_2', 'k1_0', 'k1_1', 'k1_2']);
    expect(await memory.updateThreadMetadata({ id: 'missing', update: () => ({ a: 1 }) })).toBeNull();
    expect(await memory.updateThreadMetadata({ id: 't1', resourceId: 'other', update: () => ({ a: 1 }) })).toBeNull();
  });

  it('updateThreadResourceId moves the thread and all its messages, keeping createdAt', async () => {
    const memory = await memoryOn(kind);
    await memory.saveThread({ thread: thread('t1') });
    await memory.saveMessages({ messages: [message('m1', 't1', 1), message('m2', 't1', 2)] });
    const moved = await memory.updateThreadResourceId({ threadId: 't1', resourceId: 'res-9' });
    expect(moved.resourceId).toBe('res-9');
    expect(moved.createdAt).toEqual(at(0));
    const { messages } = await memory.listMessages({ threadId: 't1' });
    expect(messages.map((m) => m.resourceId)).toEqual(['res-9', 'res-9']);
    const same = await memory.updateThreadResourceId({ threadId: 't1', resourceId: 'res-9' });
    expect(same.updatedAt).toEqual(moved.updatedAt);
    await expect(memory.updateThreadResourceId({ threadId: 'missing', resourceId: 'x' })).rejects.toThrow(/not found/);
  });

  it('listThreads filters by resource and metadata (AND), orders and pages in one round trip', async () => {
    const memory = await memoryOn(kind);
    for (let i = 0; i < 5; i++) {
      await memory.saveThread({
        thread: thread(`t${i}`, i < 4 ? 'res-1' : 'res-2', { createdAt: at(i), updatedAt: at(10 - i), metadata: { parity: i % 2 === 0 ? 'even' : 'odd', n: i, on: i < 2 } }),
      });
    }
    const all = await memory.listThreads({ filter: { resourceId: 'res-1' } });
    expect(all.threads.map((t) => t.id)).toEqual(['t3', 't2', 't1', 't0']);
    expect(all).toMatchObject({ total: 4, page: 0, perPage: 100, hasMore: false });

    const byUpdated = await memory.listThreads({ filter: { resourceId: 'res-1' }, orderBy: { field: 'updatedAt', direction: 'ASC' } });
    expect(byUpdated.threads.map((t) => t.id)).toEqual(['t3', 't2', 't1', 't0']);

    const page1 = await memory.listThreads({ filter: { resourceId: 'res-1' }, perPage: 3, page: 1, orderBy: { field: 'createdAt', direction: 'ASC' } });
    expect(page1.threads.map((t) => t.id)).toEqual(['t3']);
    expect(page1).toMatchObject({ total: 4, page: 1, perPage: 3, hasMore: false });
    const page0 = await memory.listThreads({ filter: { resourceId: 'res-1' }, perPage: 3, page: 0 });
    expect(page0.hasMore).toBe(true);

    const even = await memory.listThreads({ filter: { metadata: { parity: 'even', on: true } } });
    expect(even.threads.map((t) => t.id)).toEqual(['t0']);
    const byNumber = await memory.listThreads({ filter: { metadata: { n: 4 } } });
    expect(byNumber.threads.map((t) => t.id)).toEqual(['t4']);
    const everything = await memory.listThreads({ perPage: false });
    expect(everything).toMatchObject({ total: 5, perPage: false, hasMore: false });
    expect((await memory.listThreads({ filter: { resourceId: 'nobody' } })).threads).toEqual([]);

    // Any number of keys: the whole filter is one bound parameter.
    const wide = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`k${i}`, i % 3 === 0 ? i : i % 3 === 1 ? `v${i}` : i % 2 === 0]));
    await memory.saveThread({ thread: thread('wide', 'res-3', { metadata: wide }) });
    expect((await memory.listThreads({ filter: { metadata: wide } })).threads.map((t) => t.id)).toEqual(['wide']);
    expect((await memory.listThreads({ filter: { metadata: { ...wide, k0: 1 } } })).total).toBe(0);
  });

  it('rejects bad input with USER errors and writes nothing', async () => {
    const memory = await memoryOn(kind);
    await expectUserError(memory.listThreads({ page: -1 }));
    await expectUserError(memory.listThreads({ perPage: -5 }));
    await expectUserError(memory.listThreads({ perPage: false, page: 2 }));
    await expectUserError(memory.listThreads({ filter: { metadata: { 'bad-key': 1 } } }));
    await expectUserError(memory.listThreads({ filter: { metadata: { __proto__x: 1, ok: { nested: 1 } } } }));
    await expectUserError(memory.saveThread({ thread: { ...thread('t1'), resourceId: '' } }));
    await expectUserError(memory.saveThread({ thread: { ...thread(''), resourceId: 'r' } }));
    await expectUserError(memory.saveThread({ thread: { ...thread('t1'), metadata: { big: 'x'.repeat(2_000_001) } } }));
    expect(await memory.getThreadById({ threadId: 't1' })).toBeNull();
  });
});

// A transient failure of the compare-and-set write leaves its outcome unknown: the call re-reads and
// tries again, and a write that did land (its reply lost) is recognized rather than applied twice.
describe.each(['binding', 'custom'] as const)('updateThreadMetadata when its write fails transiently, on %s', (kind) => {
  it.each([
    ['before the write ran', false],
    ['after the write ran', true],
  ])('re-reads and applies the update exactly once (failure %s)', async (_when, afterExecute) => {
    const faults = faultyD1(h.d1.db);
    const memory = await memoryOf(h.freshStore(kind, kind === 'binding' ? { binding: faults.db } : { client: customClientOver(faults.db) }));
    await memory.saveThread({ thread: thread('t1', 'res-1', { metadata: { count: 0, keep: 'x' } }) });
    // Statement 1 reads the thread, statement 2 is the swap.
    faults.arm({ statement: 2, message: TRANSIENT_D1_MESSAGES[0], afterExecute });
    const updated = await memory.updateThreadMetadata({ id: 't1', update: (t) => ({ count: Number(t.metadata?.count) + 1 }) });
    expect(faults.fired).toBe(true);
    // Never re-sent blindly: a re-read, then a new swap only if the first did not land.
    expect(faults.since().statements).toBe(afterExecute ? 3 : 4);
    expect(updated!.metadata).toEqual({ count: 1, keep: 'x' });
    expect((await memory.getThreadById({ threadId: 't1' }))!.metadata).toEqual({ count: 1, keep: 'x' });
  });
});

describe.each(CLIENT_KINDS)('memory resources on %s', (kind) => {
  it('saves, reads, and updateResource creates when missing and merges metadata', async () => {
    const memory = await memoryOn(kind);
    expect(await memory.getResourceById({ resourceId: 'r1' })).toBeNull();
    const created = await memory.updateResource({ resourceId: 'r1', workingMemory: '# Notes\n- likes tea' });
    expect(created).toMatchObject({ id: 'r1', workingMemory: '# Notes\n- likes tea', metadata: {} });
    expect(await memory.getResourceById({ resourceId: 'r1' })).toEqual(created);

    const merged = await memory.updateResource({ resourceId: 'r1', metadata: { a: 1, nested: { x: 1 } } });
    expect(merged).toMatchObject({ workingMemory: '# Notes\n- likes tea', metadata: { a: 1, nested: { x: 1 } } });
    const again = await memory.updateResource({ resourceId: 'r1', workingMemory: 'v2', metadata: { nested: { y: 2 } } });
    expect(again).toMatchObject({ workingMemory: 'v2', metadata: { a: 1, nested: { y: 2 } } });
    expect(again.createdAt).toEqual(created.createdAt);

    const resource = { id: 'r2', workingMemory: 'wm', metadata: { k: 'v' }, createdAt: at(1), updatedAt: at(2) };
    expect(await memory.saveResource({ resource })).toEqual(resource);
    expect(await memory.getResourceById({ resourceId: 'r2' })).toEqual(resource);
    await memory.saveResource({ resource: { ...resource, workingMemory: 'replaced', metadata: undefined } });
    expect(await memory.getResourceById({ resourceId: 'r2' })).toMatchObject({ workingMemory: 'replaced', metadata: null });

    await expectUserError(memory.updateResource({ resourceId: '' }));
    await expectUserError(memory.updateResource({ resourceId: 'r3', workingMemory: 'x'.repeat(2_000_001) }));
    expect(await memory.getResourceById({ resourceId: 'r3' })).toBeNull();
  });

  it('dangerouslyClearAll empties threads, messages and resources of this prefix only', async () => {
    const memory = await memoryOn(kind);
    const neighbour = await memoryOn(kind);
    for (const m of [memory, neighbour]) {
      await m.saveThread({ thread: thread('t1') });
      await m.saveMessages({ messages: [message('m1', 't1', 1)] });
      await m.updateResource({ resourceId: 'r1', workingMemory: 'x' });
    }
    await memory.dangerouslyClearAll();
    expect(await memory.getThreadById({ threadId: 't1' })).toBeNull();
    expect(await memory.getResourceById({ resourceId: 'r1' })).toBeNull();
    expect((await memory.listMessagesById({ messageIds: ['m1'] })).messages).toEqual([]);
    expect(await neighbour.getThreadById({ threadId: 't1' })).not.toBeNull();
  });
});
