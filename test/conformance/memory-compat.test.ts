import { D1Store as OriginalD1Store } from '@mastra/cloudflare-d1';
import type { MastraDBMessage } from '@mastra/core/memory';
import type { MemoryStorage } from '@mastra/core/storage';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_KINDS, uniquePrefix, useHarness } from '../support/harness';
import { at, memoryOf, message, messages, thread } from './memory-fixtures';

const h = useHarness();

/**
 * Data written by the original `@mastra/cloudflare-d1` 1.0.1 (same tables, same prefix, same database)
 * must read back unchanged through this package: that is what "drop-in replacement" means for users
 * who already have D1 databases in production.
 */
describe('memory data written by @mastra/cloudflare-d1 1.0.1', () => {
  const prefix = uniquePrefix('orig');
  const bare = thread('bare', 'res-1', { metadata: undefined, createdAt: at(1), updatedAt: at(1) });
  const rich = thread('rich', 'res-1', { metadata: { topic: 'tea', nested: { a: [1, 2] } }, createdAt: at(2), updatedAt: at(2) });
  const written = [
    ...messages('m', 'rich', 4, 3),
    message('v1', 'rich', 9, { type: 'v1', content: { format: 2, parts: [{ type: 'text', text: 'ünïcødé 😀' }], metadata: { k: 1 } } } as Partial<MastraDBMessage>),
  ];
  const resource = { id: 'res-1', workingMemory: '# User\n- name: Ada', metadata: { plan: 'pro' }, createdAt: at(1), updatedAt: at(2) };

  beforeAll(async () => {
    const original = new OriginalD1Store({ id: 'original', binding: h.d1.db as never, tablePrefix: prefix });
    await original.init();
    const memory = (await original.getStore('memory')) as unknown as MemoryStorage;
    await memory.saveThread({ thread: bare });
    await memory.saveThread({ thread: rich });
    await memory.saveMessages({ messages: written });
    await memory.saveResource({ resource });
  });

  describe.each(CLIENT_KINDS)('read by this package over %s', (kind) => {
    it('threads, messages and resources come back as they were saved', async () => {
      const memory = await memoryOf(h.freshStore(kind, { tablePrefix: prefix }));
      expect(await memory.getThreadById({ threadId: 'rich' })).toMatchObject({ ...rich, updatedAt: expect.any(Date) });
      const stored = await memory.getThreadById({ threadId: 'bare' });
      expect(stored).toMatchObject({ id: 'bare', resourceId: 'res-1', title: bare.title, createdAt: at(1) });
      expect(stored!.metadata ?? {}).toEqual({});

      const { threads, total } = await memory.listThreads({ filter: { resourceId: 'res-1' }, orderBy: { field: 'createdAt', direction: 'ASC' } });
      expect(total).toBe(2);
      expect(threads.map((t) => t.id)).toEqual(['bare', 'rich']);

      const page = await memory.listMessages({ threadId: 'rich', perPage: false });
      expect(page.messages).toEqual(written);
      expect((await memory.listMessagesById({ messageIds: ['v1'] })).messages).toEqual([written[4]]);
      expect(await memory.getResourceById({ resourceId: 'res-1' })).toEqual(resource);
    });
  });

  it('and this package can keep writing to those tables', async () => {
    const memory = await memoryOf(h.freshStore('binding', { tablePrefix: prefix }));
    await memory.saveMessages({ messages: [message('new', 'rich', 30)] });
    await memory.updateThread({ id: 'bare', metadata: { added: true } });
    expect((await memory.listMessages({ threadId: 'rich', perPage: false })).total).toBe(6);
    expect((await memory.getThreadById({ threadId: 'bare' }))!.metadata).toEqual({ added: true });
  });
});
