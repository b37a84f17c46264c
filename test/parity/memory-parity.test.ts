import type { MastraDBMessage } from '@mastra/core/memory';
import type { MemoryStorage } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { outcome, useParity, type Outcome } from '../support/parity';
import { at, message, messages, thread } from '../conformance/memory-fixtures';

const p = useParity('memory');

/**
 * A call on which D1Store departs from LibSQLStore on purpose. Both outcomes are pinned, so a change on
 * either side shows up; the comment at each use says why the difference is intended.
 */
async function departs(call: (memory: MemoryStorage) => Promise<unknown>, expected: { libsql: Outcome; d1: Outcome }): Promise<void> {
  expect(await outcome(() => call(p.libsql))).toEqual(expected.libsql);
  expect(await outcome(() => call(p.d1))).toEqual(expected.d1);
}

const user = (error: string): Outcome => ({ error, category: 'USER' });
const thirdParty = (error: string): Outcome => ({ error, category: 'THIRD_PARTY' });

const seedThreads = async (m: MemoryStorage) => {
  for (let i = 0; i < 5; i++) {
    await m.saveThread({
      thread: thread(`t${i}`, i < 4 ? 'res-1' : 'res-2', { createdAt: at(i), updatedAt: at(20 - i), metadata: { parity: i % 2 ? 'odd' : 'even', n: i, on: i < 2, gone: i === 3 ? null : 'x' } }),
    });
  }
};

const seedMessages = async (m: MemoryStorage) => {
  await m.saveThread({ thread: thread('a') });
  await m.saveThread({ thread: thread('b') });
  await m.saveThread({ thread: thread('c', 'res-2') });
  // Distinct timestamps: LibSQLStore orders ties arbitrarily (no tie-break), so ties would compare noise.
  await m.saveMessages({ messages: [...messages('a', 'a', 8, 1), ...messages('b', 'b', 4, 10), ...messages('c', 'c', 3, 20, { resourceId: 'res-2' })] });
  await m.saveMessages({
    messages: [message('meta', 'a', 40, { content: { format: 2, parts: [{ type: 'text', text: 'm' }], metadata: { tag: 'x', n: 2, yes: true, nothing: null } } } as Partial<MastraDBMessage>)],
  });
};

describe('memory parity: LibSQLStore vs D1Store', () => {
  it('threads: save, get, partial updates, patch, metadata update, resource move, delete', async () => {
    await p.same((m) => m.saveThread({ thread: thread('t1', 'res-1', { metadata: { a: 1, nested: { x: 1 } } }) }));
    await p.same((m) => m.saveThread({ thread: thread('t-bare', 'res-1', { metadata: undefined }) }));
    await p.same((m) => m.getThreadById({ threadId: 't-bare' }));
    await p.same((m) => m.getThreadById({ threadId: 't1' }));
    await p.same((m) => m.getThreadById({ threadId: 't1', resourceId: 'res-1' }));
    await p.same((m) => m.getThreadById({ threadId: 't1', resourceId: 'other' }));
    await p.same((m) => m.getThreadById({ threadId: 'missing' }));
    await p.same((m) => m.updateThread({ id: 't1', title: 'only title' }));
    await p.same((m) => m.updateThread({ id: 't1', metadata: { b: 2, nested: { y: 2 }, nil: null } }));
    await p.same((m) => m.updateThread({ id: 't1', title: 'both', metadata: { a: 'changed' } }));
    await p.same((m) => m.updateThread({ id: 'missing', title: 'x' }), { throws: true });
    await p.same((m) => m.patchThread({ id: 't1', metadata: { patched: true } }));
    await p.same((m) => m.updateThreadMetadata({ id: 't1', update: (t) => ({ count: Number(t.metadata?.count ?? 0) + 1 }) }));
    await p.same((m) => m.updateThreadMetadata({ id: 't1', update: () => undefined }));
    await p.same((m) => m.updateThreadMetadata({ id: 't1', resourceId: 'nope', update: () => ({ x: 1 }) }));
    await p.same((m) => m.getThreadById({ threadId: 't1' }));
    await p.same(async (m) => {
      await m.saveMessages({ messages: messages('x', 't1', 3) });
      // LibSQLStore returns the metadata of a moved thread as its raw JSONB bytes; compare the rest, then re-read.
      return { ...(await m.updateThreadResourceId({ threadId: 't1', resourceId: 'res-9' })), metadata: undefined };
    });
    await p.same((m) => m.getThreadById({ threadId: 't1' }));
    await p.same(async (m) => ({ ...(await m.updateThreadResourceId({ threadId: 't1', resourceId: 'res-9' })), metadata: undefined }));
    await p.same((m) => m.listMessages({ threadId: 't1' }));
    await p.same(async (m) => {
      await m.deleteThread({ threadId: 't1' });
      return [await m.getThreadById({ threadId: 't1' }), await m.listMessagesById({ messageIds: ['x-0', 'x-1'] })];
    });
  });

  it('listThreads: filters, orders, pages', async () => {
    await p.same(seedThreads);
    await p.same((m) => m.listThreads({}));
    await p.same((m) => m.listThreads({ filter: { resourceId: 'res-1' } }));
    await p.same((m) => m.listThreads({ filter: { resourceId: 'res-1' }, orderBy: { field: 'updatedAt', direction: 'ASC' } }));
    await p.same((m) => m.listThreads({ filter: { resourceId: 'res-1' }, orderBy: { field: 'createdAt', direction: 'ASC' }, perPage: 3, page: 1 }));
    await p.same((m) => m.listThreads({ perPage: 2, page: 0 }));
    await p.same((m) => m.listThreads({ perPage: 2, page: 5 }));
    await p.same((m) => m.listThreads({ perPage: 0 }));
    await p.same((m) => m.listThreads({ perPage: false }));
    await p.same((m) => m.listThreads({ filter: { metadata: { parity: 'even' } } }));
    await p.same((m) => m.listThreads({ filter: { metadata: { parity: 'even', on: true } } }));
    await p.same((m) => m.listThreads({ filter: { metadata: { n: 3, on: false } } }));
    await p.same((m) => m.listThreads({ filter: { resourceId: 'res-1', metadata: { gone: null } } }));
    await p.same((m) => m.listThreads({ filter: { metadata: { n: '3' } } }));
    await p.same((m) => m.listThreads({ filter: { metadata: { missing: null, parity: 'odd' } } }));
    await p.same((m) => m.listThreads({ filter: { metadata: {} } }));
    await p.same((m) => m.listThreads({ filter: { metadata: { nested: { a: 1 } } } }), { throws: true });
    await p.same((m) => m.listThreads({ filter: { metadata: { 'bad key': 1 } } }), { throws: true });
    // The query kit's pageWindow names a bad page INVALID_ARGS in every domain; LibSQLStore says INVALID_PAGE.
    await departs((m) => m.listThreads({ page: -1 }), { libsql: user('LIST_THREADS_INVALID_PAGE'), d1: user('LIST_THREADS_INVALID_ARGS') });
    await departs((m) => m.listThreads({ perPage: false, page: 1 }), { libsql: user('LIST_THREADS_INVALID_PAGE'), d1: user('LIST_THREADS_INVALID_ARGS') });
  });

  it('messages: list in every shape, with include, by id and by resource', async () => {
    await p.same(seedMessages);
    await p.same((m) => m.listMessages({ threadId: 'a' }));
    await p.same((m) => m.listMessages({ threadId: 'a', perPage: 3 }));
    await p.same((m) => m.listMessages({ threadId: 'a', perPage: 3, page: 2 }));
    await p.same((m) => m.listMessages({ threadId: 'a', perPage: 3, page: 9 }));
    await p.same((m) => m.listMessages({ threadId: 'a', perPage: 4, orderBy: { field: 'createdAt', direction: 'DESC' } }));
    await p.same((m) => m.listMessages({ threadId: 'a', perPage: false }));
    await p.same((m) => m.listMessages({ threadId: 'a', perPage: false, page: 2 }));
    await p.same((m) => m.listMessages({ threadId: 'a', perPage: 0 }));
    await p.same((m) => m.listMessages({ threadId: ['a', 'b'], perPage: 5 }));
    await p.same((m) => m.listMessages({ threadId: ['a', 'c'], resourceId: 'res-1' }));
    await p.same((m) => m.listMessages({ threadId: 'a', filter: { dateRange: { start: at(2), end: at(5) } } }));
    await p.same((m) => m.listMessages({ threadId: 'a', filter: { dateRange: { start: at(2), end: at(5), startExclusive: true, endExclusive: true } } }));
    await p.same((m) => m.listMessages({ threadId: 'a', filter: { dateRange: { end: at(3) } } }));
    await p.same((m) => m.listMessages({ threadId: 'a', filter: { metadata: { tag: 'x', n: 2, yes: true, nothing: null } } }));
    await p.same((m) => m.listMessages({ threadId: 'a', filter: { metadata: { tag: 'y' } } }));
    await p.same((m) => m.listMessages({ threadId: 'a', filter: { metadata: { n: 2.0, yes: 1 } } }));
    await p.same((m) => m.listMessages({ threadId: 'a', filter: { metadata: { n: '2' } } }));
    await p.same((m) => m.listMessages({ threadId: 'a', filter: { metadata: { yes: true, tag: 'x' } }, perPage: 1 }));
    await p.same((m) => m.listMessages({ threadId: 'a', filter: { metadata: { nothing: null } } }));
    await p.same((m) => m.listMessages({ threadId: 'a', filter: { metadata: { absent: null } } }));
    await p.same((m) => m.listMessagesByResourceId({ resourceId: 'res-1', filter: { metadata: { tag: 'x' } } }));
    await p.same((m) =>
      m.listMessages({
        threadId: 'a',
        perPage: 2,
        orderBy: { field: 'createdAt', direction: 'DESC' },
        include: [
          { id: 'a-3', withPreviousMessages: 2, withNextMessages: 1 },
          { id: 'b-1', withPreviousMessages: 1, withNextMessages: 5 },
          { id: 'c-1', withPreviousMessages: 1 },
          { id: 'missing', withNextMessages: 1 },
        ],
      }),
    );
    await p.same((m) => m.listMessages({ threadId: 'a', perPage: 8, include: [{ id: 'a-0', withNextMessages: 2 }] }));
    await p.same((m) => m.listMessages({ threadId: 'a', resourceId: 'res-1', perPage: 1, include: [{ id: 'c-1', withPreviousMessages: 2 }] }));
    await p.same((m) => m.listMessages({ threadId: 'a', perPage: 0, include: [{ id: 'b-2', withPreviousMessages: 1, withNextMessages: 1 }] }));
    await p.same((m) => m.listMessages({ threadId: 'a', perPage: 0, include: [{ id: 'missing' }] }));
    await p.same((m) => m.listMessages({ threadId: 'none', include: [{ id: 'a-1' }] }));
    await p.same((m) => m.listMessagesById({ messageIds: ['a-2', 'b-0', 'c-2', 'missing', 'meta'] }));
    await p.same((m) => m.listMessagesById({ messageIds: [] }));
    await p.same((m) => m.listMessagesByResourceId({ resourceId: 'res-1' }));
    await p.same((m) => m.listMessagesByResourceId({ resourceId: 'res-1', perPage: 4, page: 1, orderBy: { field: 'createdAt', direction: 'DESC' } }));
    await p.same((m) => m.listMessagesByResourceId({ resourceId: 'res-2', perPage: false }));
    await p.same((m) => m.listMessagesByResourceId({ resourceId: 'res-1', filter: { dateRange: { start: at(4) } }, include: [{ id: 'c-0', withNextMessages: 1 }] }));
    // A missing thread id is the caller's mistake: USER here, THIRD_PARTY in LibSQLStore (same id).
    await departs((m) => m.listMessages({ threadId: '' }), { libsql: thirdParty('LIST_MESSAGES_INVALID_THREAD_ID'), d1: user('LIST_MESSAGES_INVALID_THREAD_ID') });
    // As for listThreads: the kit's paging errors are INVALID_ARGS.
    await departs((m) => m.listMessages({ threadId: 'a', page: -1 }), { libsql: user('LIST_MESSAGES_INVALID_PAGE'), d1: user('LIST_MESSAGES_INVALID_ARGS') });
  });

  it('messages: upsert and move, update (content, metadata, role, thread), delete', async () => {
    await p.same(seedMessages);
    await p.same((m) => m.saveMessages({ messages: [message('a-1', 'b', 2, { role: 'assistant', content: { format: 2, parts: [{ type: 'text', text: 'moved' }] } } as Partial<MastraDBMessage>)] }));
    await p.same((m) => m.listMessages({ threadId: ['a', 'b'], perPage: false }));
    await p.same((m) =>
      m.updateMessages({
        messages: [
          { id: 'meta', content: { metadata: { tag: 'y', added: [1, 2] } } as never },
          { id: 'a-2', content: { parts: [{ type: 'text', text: 'rewritten' }], metadata: { first: true } } as never },
          { id: 'a-3', role: 'assistant', threadId: 'c', resourceId: 'res-2' },
          { id: 'a-4' },
          { id: 'missing', role: 'user' },
        ],
      }),
    );
    await p.same((m) => m.updateMessages({ messages: [{ id: 'a-4' }] }));
    await p.same((m) => m.updateMessages({ messages: [] }));
    await p.same((m) => m.listMessages({ threadId: ['a', 'b', 'c'], perPage: false }));
    await p.same(async (m) => {
      await m.deleteMessages(['a-0', 'b-0', 'missing']);
      return m.listMessages({ threadId: ['a', 'b'], perPage: false });
    });
    await p.same((m) => m.saveMessages({ messages: [] }));
  });

  it('resources: save, get, update (create when missing, merge metadata)', async () => {
    const resource = { id: 'r1', workingMemory: '# wm', metadata: { a: 1, nested: { x: 1 } }, createdAt: at(1), updatedAt: at(2) };
    await p.same((m) => m.saveResource({ resource }));
    await p.same((m) => m.getResourceById({ resourceId: 'r1' }));
    await p.same((m) => m.getResourceById({ resourceId: 'missing' }));
    await p.same((m) => m.updateResource({ resourceId: 'r1', workingMemory: 'new wm' }));
    await p.same((m) => m.updateResource({ resourceId: 'r1', metadata: { b: 2, nested: { y: 1 } } }));
    await p.same((m) => m.getResourceById({ resourceId: 'r1' }));
    await p.same((m) => m.updateResource({ resourceId: 'r2', workingMemory: 'created', metadata: { k: 'v' } }));
    await p.same((m) => m.getResourceById({ resourceId: 'r2' }));
  });

  it('copyThread and cloneThread with their options', async () => {
    await p.same(async (m) => {
      await m.saveThread({ thread: thread('src', 'res-1', { title: 'Origin' }) });
      await m.saveMessages({ messages: messages('s', 'src', 6, 1) });
    });
    await p.same((m) => m.copyThread({ sourceThreadId: 'src', newThreadId: 'copy-1', metadata: { extra: 1 } }));
    await p.same((m) => m.listMessages({ threadId: 'copy-1', perPage: false }));
    await p.same((m) => m.cloneThread({ sourceThreadId: 'src', newThreadId: 'copy-2', options: { messageLimit: 2 } }));
    await p.same((m) => m.cloneThread({ sourceThreadId: 'src', newThreadId: 'copy-3', resourceId: 'res-7', title: 'T', options: { messageFilter: { startDate: at(2), endDate: at(4) } } }));
    await p.same((m) => m.cloneThread({ sourceThreadId: 'src', newThreadId: 'copy-4', options: { messageFilter: { messageIds: ['s-5', 's-1'] }, messageLimit: 1 } }));
    await p.same((m) => m.getThreadById({ threadId: 'copy-3' }));
    await p.same((m) => m.copyThread({ sourceThreadId: 'missing', newThreadId: 'copy-5' }), { throws: true });
    await p.same((m) => m.copyThread({ sourceThreadId: 'src', newThreadId: 'copy-1' }), { throws: true });
  });

  it('equal timestamps: ties are broken by id ascending in both directions, so pages never overlap', async () => {
    // Saved in id order: LibSQLStore has no tie-break and returns ties in insertion order here, whatever
    // the direction; breaking ties by id in the direction of the sort (id DESC for DESC) would differ.
    const ids = ['tie-a', 'tie-b', 'tie-c', 'tie-d'];
    await p.same(async (m) => {
      for (const id of ids) await m.saveThread({ thread: thread(id, 'res-ties', { createdAt: at(1), updatedAt: at(1) }) });
      await m.saveThread({ thread: thread('tied', 'res-m') });
      await m.saveMessages({ messages: ids.map((id) => message(id, 'tied', 1, { resourceId: 'res-m' })) });
    });
    for (const direction of ['ASC', 'DESC'] as const) {
      for (const page of [0, 1]) {
        for (const field of ['createdAt', 'updatedAt'] as const) {
          await p.same((m) => m.listThreads({ filter: { resourceId: 'res-ties' }, orderBy: { field, direction }, perPage: 2, page }));
        }
        await p.same((m) => m.listMessagesByResourceId({ resourceId: 'res-m', orderBy: { field: 'createdAt', direction }, perPage: 2, page }));
      }
    }
    await p.same((m) => m.listMessages({ threadId: 'tied', perPage: 2, page: 1 }));
    // LibSQLStore's own thread-message order follows its index walk, which reverses ties for DESC; this
    // store breaks ties by id ascending there too, as core's compareByField does.
    const newestFirst = (m: MemoryStorage) => m.listMessages({ threadId: 'tied', orderBy: { field: 'createdAt', direction: 'DESC' } }).then((r) => r.messages.map((x) => x.id));
    await departs(newestFirst, { libsql: { ok: [...ids].reverse() }, d1: { ok: ids } });
  });

  it('getThreadById with an empty id is null, as in LibSQLStore', async () => {
    await p.same((m) => m.saveThread({ thread: thread('t1') }));
    await p.same((m) => m.getThreadById({ threadId: '' }));
    await p.same((m) => m.getThreadById({ threadId: '', resourceId: 'res-1' }));
  });

  it('bad input LibSQLStore lets through to SQL (or stores) is a USER error here, and nothing is written', async () => {
    await p.same(async (m) => {
      await m.saveThread({ thread: thread('src', 'res-1', { title: 'Origin' }) });
      await m.saveMessages({ messages: messages('s', 'src', 3, 1) });
    });
    // Core's parseOrderBy tests `field in {...}`, so `constructor` and `toString` reach LibSQLStore's SQL.
    await departs((m) => m.listThreads({ orderBy: { field: 'constructor' as never } }), { libsql: thirdParty('LIST_THREADS_FAILED'), d1: user('LIST_THREADS_INVALID_ARGS') });
    await departs((m) => m.listThreads({ orderBy: { direction: 'toString' as never } }), { libsql: thirdParty('LIST_THREADS_FAILED'), d1: user('LIST_THREADS_INVALID_ARGS') });
    await departs((m) => m.listMessages({ threadId: 'src', orderBy: { field: 'constructor' as never } }), {
      libsql: thirdParty('LIST_MESSAGES_FAILED'),
      d1: user('LIST_MESSAGES_INVALID_ARGS'),
    });
    await departs((m) => m.listMessagesByResourceId({ resourceId: 'res-1', orderBy: { direction: 'toString' as never } }), {
      libsql: thirdParty('LIST_MESSAGES_BY_RESOURCE_ID_FAILED'),
      d1: user('LIST_MESSAGES_BY_RESOURCE_ID_INVALID_ARGS'),
    });
    // LibSQLStore binds an object title and fails in SQL.
    await departs((m) => m.updateThread({ id: 'src', title: { a: 1 } as never }), { libsql: thirdParty('UPDATE_THREAD_FAILED'), d1: user('UPDATE_THREAD_INVALID_ARGS') });
    // LibSQLStore stores an object role as its JSON text.
    await departs((m) => m.updateMessages({ messages: [{ id: 's-0', role: { a: 1 } as never }] }), {
      libsql: { ok: [expect.objectContaining({ id: 's-0', role: '{"a":1}' })] },
      d1: user('UPDATE_MESSAGES_INVALID_ARGS'),
    });
    // LibSQLStore compares createdAt with the text 'garbage' and copies no message.
    await departs((m) => m.cloneThread({ sourceThreadId: 'src', newThreadId: 'c1', options: { messageFilter: { startDate: 'garbage' as never } } }), {
      libsql: { ok: expect.objectContaining({ clonedMessages: [] }) },
      d1: user('CLONE_THREAD_INVALID_ARGS'),
    });
    // LibSQLStore binds LIMIT 1.5 and fails in SQL.
    await departs((m) => m.copyThread({ sourceThreadId: 'src', newThreadId: 'c2', options: { messageLimit: 1.5 } }), {
      libsql: thirdParty('CLONE_THREAD_FAILED'),
      d1: user('CLONE_THREAD_INVALID_ARGS'),
    });
    expect(await p.d1.getThreadById({ threadId: 'c1' })).toBeNull();
    expect(await p.d1.getThreadById({ threadId: 'c2' })).toBeNull();
    expect((await p.d1.getThreadById({ threadId: 'src' }))!.title).toBe('Origin');
    expect((await p.d1.listMessagesById({ messageIds: ['s-0'] })).messages[0]!.role).toBe('assistant');
  });
});
