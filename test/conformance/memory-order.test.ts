import type { MastraDBMessage, StorageThreadType } from '@mastra/core/memory';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';
import { at, expectUserError, message, thread } from './memory-fixtures';

// Lists sort by a timestamp; rows with equal timestamps are ordered by id ascending whatever the
// direction (as core's compareByField does), so consecutive pages never overlap or skip a row. Rows are
// saved out of id order, so insertion order cannot pass for the tie-break.

/** Saved in this order; minute 1 holds c and a, minute 2 holds d and b. */
const SAVED = [
  ['c', 1],
  ['a', 1],
  ['d', 2],
  ['b', 2],
] as const;
const OLDEST_FIRST = ['a', 'c', 'b', 'd'];
const NEWEST_FIRST = ['b', 'd', 'a', 'c'];

/** Every page of a list of four, `perPage` at a time, concatenated. */
async function allPages<T extends { id: string }>(list: (page: number) => Promise<T[]>, perPage: number): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 0; page * perPage < SAVED.length; page++) ids.push(...(await list(page)).map((item) => item.id));
  return ids;
}

const threads = (r: { threads: StorageThreadType[] }) => r.threads;
const messagesOf = (r: { messages: MastraDBMessage[] }) => r.messages;

describeConformance('memory', 'memory list order', (ctx) => {
  ctx.it('threads with equal timestamps come in id order, in both directions and on either field', async () => {
    const memory = await ctx.domain();
    for (const [id, minute] of SAVED) await memory.saveThread({ thread: thread(id, 'res-1', { createdAt: at(minute), updatedAt: at(minute) }) });
    for (const field of ['createdAt', 'updatedAt'] as const) {
      for (const [direction, expected] of [['ASC', OLDEST_FIRST], ['DESC', NEWEST_FIRST]] as const) {
        for (const perPage of [1, 3, 4]) {
          const list = (page: number) => memory.listThreads({ filter: { resourceId: 'res-1' }, orderBy: { field, direction }, perPage, page }).then(threads);
          expect(await allPages(list, perPage)).toEqual(expected);
        }
      }
    }
    expect((await memory.listThreads({ filter: { resourceId: 'res-1' } })).threads.map((t) => t.id)).toEqual(NEWEST_FIRST);
  });

  ctx.it('messages with equal timestamps come in id order, in both directions, by thread and by resource', async () => {
    const memory = await ctx.domain();
    await memory.saveThread({ thread: thread('t1') });
    await memory.saveMessages({ messages: SAVED.map(([id, minute]) => message(id, 't1', minute)) });
    for (const [direction, expected] of [['ASC', OLDEST_FIRST], ['DESC', NEWEST_FIRST]] as const) {
      const orderBy = { field: 'createdAt', direction } as const;
      for (const perPage of [1, 3, 4]) {
        const byThread = (page: number) => memory.listMessages({ threadId: 't1', orderBy, perPage, page }).then(messagesOf);
        expect(await allPages(byThread, perPage)).toEqual(expected);
        const byResource = (page: number) => memory.listMessagesByResourceId({ resourceId: 'res-1', orderBy, perPage, page }).then(messagesOf);
        expect(await allPages(byResource, perPage)).toEqual(expected);
      }
    }
  });

  ctx.it('an orderBy field or direction outside the allowed ones is a USER error on every list', async () => {
    const memory = await ctx.domain();
    await memory.saveThread({ thread: thread('t1') });
    const refused = [{ field: 'constructor' }, { field: '__proto__' }, { field: 'title' }, { direction: 'toString' }, { field: 'createdAt', direction: 'hasOwnProperty' }];
    for (const orderBy of refused as never[]) {
      await expectUserError(memory.listThreads({ orderBy }), 'orderBy');
      await expectUserError(memory.listMessages({ threadId: 't1', orderBy }), 'orderBy');
      await expectUserError(memory.listMessagesByResourceId({ resourceId: 'res-1', orderBy }), 'orderBy');
    }
    // Messages have no updatedAt column: sorting them by it is refused, not sent as SQL.
    await expectUserError(memory.listMessages({ threadId: 't1', orderBy: { field: 'updatedAt' as never } }), 'orderBy');
    await expectUserError(memory.listMessagesByResourceId({ resourceId: 'res-1', orderBy: { field: 'updatedAt' as never } }), 'orderBy');
  });
});
