import { MastraError } from '@mastra/core/error';
import type { NotificationsStorage } from '@mastra/core/storage';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';

const base = { threadId: 't1', source: 'ci', kind: 'build', summary: 'build red' };
const ids = (records: { id: string }[]) => records.map((r) => r.id);

describeConformance('notifications', 'NotificationsStorageD1', (t) => {
  t.it('creates, reads, lists and updates a record', async () => {
    const n = await t.domain();
    const created = await n.createNotification({ ...base, id: 'n1', resourceId: 'u', agentId: 'ops', payload: { run: 7 }, attributes: { branch: 'main' }, createdAt: new Date('2025-01-01') });
    expect(created).toMatchObject({ id: 'n1', status: 'pending', priority: 'medium', coalescedCount: 1, deliveryAttempts: 0, payload: { run: 7 }, attributes: { branch: 'main' } });
    expect(created.createdAt).toEqual(new Date('2025-01-01'));
    expect(created).not.toHaveProperty('deliveredAt');
    expect(await n.getNotification({ threadId: 't1', id: 'n1' })).toEqual(created);
    expect(await n.getNotification({ threadId: 'other', id: 'n1' })).toBeNull();

    const deliverAt = new Date('2025-01-02');
    const updated = await n.updateNotification({ threadId: 't1', id: 'n1', status: 'delivered', deliverAt, deliveryAttempts: 1, lastDeliveryError: 'timeout', metadata: { m: 1 } });
    expect(updated).toMatchObject({ status: 'delivered', deliverAt, deliveryAttempts: 1, lastDeliveryError: 'timeout', metadata: { m: 1 }, summary: 'build red' });
    expect(updated.deliveredAt).toBeInstanceOf(Date);
    // A key left undefined keeps its value; null clears deliverAt.
    const cleared = await n.updateNotification({ threadId: 't1', id: 'n1', deliverAt: null, summary: undefined });
    expect(cleared).not.toHaveProperty('deliverAt');
    expect(cleared).toMatchObject({ summary: 'build red', lastDeliveryError: 'timeout' });
  });

  t.it('coalesces a pending record with the same dedupe or coalesce key, and only that', async () => {
    const n = await t.domain();
    const first = await n.createNotification({ ...base, dedupeKey: 'b1', priority: 'high', attributes: { a: 1, b: 'x', gone: true }, metadata: { m: { deep: 1 } } });
    const second = await n.createNotification({ ...base, summary: 'red again', dedupeKey: 'b1', attributes: { b: 'y', c: null, gone: undefined }, metadata: { n: 2 } });
    expect(second).toMatchObject({ id: first.id, summary: 'red again', priority: 'high', coalescedCount: 2, attributes: { a: 1, b: 'y', c: null }, metadata: { m: { deep: 1 }, n: 2 } });
    expect(second.attributes).not.toHaveProperty('gone');
    expect(second.createdAt).toEqual(first.createdAt);
    const byCoalesceKey = await n.createNotification({ ...base, coalesceKey: 'k', deliverAt: new Date('2025-03-01') });
    expect((await n.createNotification({ ...base, coalesceKey: 'k', summary: 'again' })).id).toBe(byCoalesceKey.id);
    // Another agent, another thread, or a record no longer pending: a new record.
    const others = [
      await n.createNotification({ ...base, dedupeKey: 'b1', agentId: 'other' }),
      await n.createNotification({ ...base, threadId: 't2', dedupeKey: 'b1' }),
      await n.createNotification({ ...base, kind: 'deploy', dedupeKey: 'b1' }),
    ];
    expect(new Set([first.id, byCoalesceKey.id, ...ids(others)]).size).toBe(5);
    await n.updateNotification({ threadId: 't1', id: first.id, status: 'seen' });
    const fresh = await n.createNotification({ ...base, dedupeKey: 'b1' });
    expect(fresh.id).not.toBe(first.id);
    expect(fresh.coalescedCount).toBe(1);
  });

  t.it('concurrent sends from two stores make one record with the right count', async () => {
    const prefix = `nf${Math.random().toString(36).slice(2, 8)}_`;
    const [a, b] = [await t.domain({ tablePrefix: prefix }), await t.domain({ tablePrefix: prefix })];
    const sends = Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).createNotification({ ...base, dedupeKey: 'same', summary: `s${i}` }));
    const results = await Promise.all(sends);
    expect(new Set(ids(results)).size).toBe(1);
    const [record] = await a.listNotifications({ threadId: 't1' });
    expect(record!.coalescedCount).toBe(8);
    expect(await b.listNotifications({ threadId: 't1' })).toHaveLength(1);
  });

  t.it('refuses an id already taken in the thread instead of replacing the record', async () => {
    const n = await t.domain();
    await n.createNotification({ ...base, id: 'dup' });
    const error = await n.createNotification({ ...base, id: 'dup', summary: 'other' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MastraError);
    expect((error as MastraError).id).toMatch(/CREATE_NOTIFICATION_ALREADY_EXISTS$/);
    expect((await n.getNotification({ threadId: 't1', id: 'dup' }))!.summary).toBe('build red');
    expect((await n.createNotification({ ...base, id: 'dup', threadId: 't2' })).threadId).toBe('t2');
  });

  t.it('lists a thread with filters, search and limit, most recently updated first', async () => {
    const n = await t.domain();
    const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
    await n.createNotification({ ...base, id: 'a', createdAt: at(1), priority: 'low', resourceId: 'u1', agentId: 'x' });
    await n.createNotification({ ...base, id: 'b', createdAt: at(2), source: 'mail', kind: 'Inbox', summary: 'New 100% mail', priority: 'urgent' });
    await n.createNotification({ ...base, id: 'c', createdAt: at(3), resourceId: 'u2' });
    await n.createNotification({ ...base, id: 'other-thread', threadId: 't2', createdAt: at(4) });
    expect(ids(await n.listNotifications({ threadId: 't1' }))).toEqual(['c', 'b', 'a']);
    expect(ids(await n.listNotifications({ threadId: 't1', limit: 2 }))).toEqual(['c', 'b']);
    expect(ids(await n.listNotifications({ threadId: 't1', limit: 0 }))).toEqual(['c', 'b', 'a']);
    expect(ids(await n.listNotifications({ threadId: 't1', priority: ['low', 'urgent'] }))).toEqual(['b', 'a']);
    expect(ids(await n.listNotifications({ threadId: 't1', status: [] }))).toEqual([]);
    expect(ids(await n.listNotifications({ threadId: 't1', source: 'mail' }))).toEqual(['b']);
    expect(ids(await n.listNotifications({ threadId: 't1', resourceId: 'u1', agentId: 'x' }))).toEqual(['a']);
    expect(ids(await n.listNotifications({ threadId: 't1', search: 'INBOX' }))).toEqual(['b']);
    expect(ids(await n.listNotifications({ threadId: 't1', search: '0%' }))).toEqual(['b']);
    expect(ids(await n.listNotifications({ threadId: 't1', search: '%' }))).toEqual(['b']);
    expect(ids(await n.listNotifications({ threadId: 't1', search: '_' }))).toEqual([]);
    await n.updateNotification({ threadId: 't1', id: 'a', status: 'seen' });
    expect(ids(await n.listNotifications({ threadId: 't1' }))).toEqual(['a', 'c', 'b']);
    expect(ids(await n.listNotifications({ threadId: 't1', status: 'pending' }))).toEqual(['c', 'b']);
  });

  t.it('lists due records by the earlier of deliverAt and summaryAt', async () => {
    const n = await t.domain();
    const d = (day: number) => new Date(Date.UTC(2025, 0, day));
    await n.createNotification({ ...base, id: 'late', deliverAt: d(5), agentId: 'a1' });
    await n.createNotification({ ...base, id: 'summary', summaryAt: d(2), deliverAt: d(9), agentId: 'a1' });
    await n.createNotification({ ...base, id: 'early', deliverAt: d(3), resourceId: 'u' });
    await n.createNotification({ ...base, id: 'future', deliverAt: d(20) });
    await n.createNotification({ ...base, id: 'none' });
    await n.createNotification({ ...base, id: 'done', deliverAt: d(1) });
    await n.updateNotification({ threadId: 't1', id: 'done', status: 'delivered' });
    expect(ids(await n.listDueNotifications({ now: d(10) }))).toEqual(['summary', 'early', 'late']);
    expect(ids(await n.listDueNotifications({ now: d(10), limit: 1 }))).toEqual(['summary']);
    expect(ids(await n.listDueNotifications({ now: d(10), agentId: 'a1' }))).toEqual(['summary', 'late']);
    expect(ids(await n.listDueNotifications({ now: d(10), resourceId: 'u' }))).toEqual(['early']);
    expect(ids(await n.listDueNotifications({ now: d(1) }))).toEqual([]);
  });

  t.it('sets one status on any number of ids in one statement, skipping unknown ones', async () => {
    const n = await t.domain();
    for (const id of ['x', 'y', 'z']) await n.createNotification({ ...base, id });
    await n.createNotification({ ...base, id: 'x', threadId: 't2' });
    const many = [...Array.from({ length: 600 }, (_, i) => `missing-${i}`), 'x', 'y', 'x'];
    const updated = await n.updateNotificationsStatus({ threadId: 't1', ids: many, status: 'archived' });
    expect(ids(updated).sort()).toEqual(['x', 'y']);
    expect(updated.every((r) => r.status === 'archived' && r.archivedAt instanceof Date)).toBe(true);
    expect((await n.getNotification({ threadId: 't2', id: 'x' }))!.status).toBe('pending');
    expect((await n.getNotification({ threadId: 't1', id: 'z' }))!.status).toBe('pending');
    expect(await n.updateNotificationsStatus({ threadId: 't1', ids: [], status: 'seen' })).toEqual([]);
  });

  t.it('refuses bad input as USER errors naming the field, writing nothing', async () => {
    const n: NotificationsStorage = await t.domain();
    await n.createNotification({ ...base, id: 'keep' });
    const bad = (value: unknown) => value as never;
    for (const [field, call] of [
      ['threadId', () => n.createNotification({ ...base, threadId: '' })],
      ['source', () => n.createNotification({ ...base, source: bad(undefined) })],
      ['summary', () => n.createNotification({ ...base, summary: bad(undefined) })],
      ['priority', () => n.createNotification({ ...base, priority: bad('bogus') })],
      ['attributes', () => n.createNotification({ ...base, attributes: bad([1]) })],
      ['deliverAt', () => n.createNotification({ ...base, deliverAt: new Date('nope') })],
      ['status', () => n.updateNotification({ threadId: 't1', id: 'keep', status: bad('bogus') })],
      ['summary', () => n.updateNotification({ threadId: 't1', id: 'keep', summary: bad(null), status: 'seen' })],
      ['deliveryAttempts', () => n.updateNotification({ threadId: 't1', id: 'keep', deliveryAttempts: 1.5 })],
      ['id', () => n.getNotification({ threadId: 't1', id: bad(undefined) })],
      ['limit', () => n.listNotifications({ threadId: 't1', limit: -1 })],
      ['threadId', () => n.listNotifications(bad({}))],
      ['now', () => n.listDueNotifications(bad({}))],
      ['ids', () => n.updateNotificationsStatus({ threadId: 't1', ids: bad('keep'), status: 'seen' })],
      ['status', () => n.updateNotificationsStatus({ threadId: 't1', ids: ['keep'], status: bad('gone') })],
    ] as const) {
      const error = await call().catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(MastraError);
      expect((error as MastraError).category, field).toBe('USER');
      expect((error as MastraError).details?.field ?? (error as MastraError).message, field).toContain(field);
    }
    const missing = await n.updateNotification({ threadId: 't1', id: 'nope', status: 'seen' }).catch((e: unknown) => e);
    expect((missing as MastraError).id).toMatch(/UPDATE_NOTIFICATION_NOT_FOUND$/);
    const [kept, ...rest] = await n.listNotifications({ threadId: 't1' });
    expect(rest).toEqual([]);
    expect(kept).toMatchObject({ id: 'keep', status: 'pending', summary: 'build red' });
  });

  t.it('empties with dangerouslyClearAll', async () => {
    const n = await t.domain();
    await n.createNotification({ ...base, id: 'n' });
    await n.dangerouslyClearAll();
    expect(await n.getNotification({ threadId: 't1', id: 'n' })).toBeNull();
  });
});
