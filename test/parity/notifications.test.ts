import { describe, it } from 'vitest';
import { normalize, useParity } from '../support/parity';

const p = useParity('notifications');

const base = { threadId: 't1', source: 'ci', kind: 'build', summary: 'build red' };
const day = (d: number) => new Date(Date.UTC(2025, 0, d));
/** Bulk updates return rows in no promised order: compare them by id. */
const byId = (value: unknown) => normalize([...(value as { id: string }[])].sort((a, b) => a.id.localeCompare(b.id)));

describe('NotificationsStorageD1 matches LibSQLStore', () => {
  it('creates, coalesces, reads and lists alike', async () => {
    await p.same((n) =>
      n.createNotification({
        ...base,
        id: 'full',
        priority: 'high',
        payload: { run: 7, ok: false },
        resourceId: 'u',
        agentId: 'ops',
        sourceId: 'gh',
        attributes: { branch: 'main', n: 1.5, flag: true, none: null },
        metadata: { nested: { a: [1, 2] } },
        deliverAt: day(3),
        summaryAt: day(2),
        deliveryReason: 'deferred',
        createdAt: day(1),
      }),
    );
    await p.same((n) => n.createNotification({ ...base, dedupeKey: 'b1', attributes: { a: 1, b: 'x' }, metadata: { m: 1 }, createdAt: day(4) }));
    await p.same((n) => n.createNotification({ ...base, summary: 'red again', dedupeKey: 'b1', priority: 'urgent', payload: 'text', attributes: { b: 'y', c: null }, deliverAt: day(5) }));
    await p.same((n) => n.createNotification({ ...base, summary: 'third', dedupeKey: 'b1' }));
    await p.same((n) => n.createNotification({ ...base, coalesceKey: 'k', resourceId: 'u', createdAt: day(6) }));
    await p.same((n) => n.createNotification({ ...base, coalesceKey: 'k', createdAt: day(7) }));
    await p.same((n) => n.createNotification({ ...base, threadId: 't2', kind: 'Deploy', summary: '50% done', createdAt: day(8) }));
    await p.same((n) => n.createNotification({ ...base, id: 'plain', createdAt: day(9) }));
    await p.same((n) => n.getNotification({ threadId: 't1', id: 'full' }));
    await p.same((n) => n.getNotification({ threadId: 't2', id: 'full' }));
    await p.same((n) => n.listNotifications({ threadId: 't1' }));
    await p.same((n) => n.listNotifications({ threadId: 't1', limit: 2 }));
    await p.same((n) => n.listNotifications({ threadId: 't1', limit: 0 }));
    await p.same((n) => n.listNotifications({ threadId: 't1', priority: ['high', 'urgent'] }));
    await p.same((n) => n.listNotifications({ threadId: 't1', status: 'pending', resourceId: 'u' }));
    await p.same((n) => n.listNotifications({ threadId: 't1', status: [] }));
    await p.same((n) => n.listNotifications({ threadId: 't1', agentId: 'ops', source: 'ci' }));
    await p.same((n) => n.listNotifications({ threadId: 't1', source: '' }));
    await p.same((n) => n.listNotifications({ threadId: 't1', search: 'AGAIN' }));
    await p.same((n) => n.listNotifications({ threadId: 't2', search: 'deploy' }));
    await p.same((n) => n.listNotifications({ threadId: 'none' }));
  });

  it('lists due records alike', async () => {
    await p.same((n) => n.createNotification({ ...base, id: 'late', deliverAt: day(5), agentId: 'a1', createdAt: day(1) }));
    await p.same((n) => n.createNotification({ ...base, id: 'summary', summaryAt: day(2), deliverAt: day(9), agentId: 'a1', createdAt: day(1) }));
    await p.same((n) => n.createNotification({ ...base, id: 'early', threadId: 't2', deliverAt: day(3), resourceId: 'u', createdAt: day(1) }));
    await p.same((n) => n.createNotification({ ...base, id: 'future', deliverAt: day(20), createdAt: day(1) }));
    await p.same((n) => n.createNotification({ ...base, id: 'never', createdAt: day(1) }));
    await p.same((n) => n.listDueNotifications({ now: day(10) }));
    await p.same((n) => n.listDueNotifications({ now: day(10), limit: 2 }));
    await p.same((n) => n.listDueNotifications({ now: day(10), agentId: 'a1' }));
    await p.same((n) => n.listDueNotifications({ now: day(10), resourceId: 'u' }));
    await p.same((n) => n.listDueNotifications({ now: day(2) }));
    await p.same((n) => n.listDueNotifications({ now: day(1) }));
  });

  it('updates one record and many alike', async () => {
    for (const id of ['a', 'b', 'c']) await p.same((n) => n.createNotification({ ...base, id, deliverAt: day(2), createdAt: day(1) }));
    await p.same((n) => n.createNotification({ ...base, id: 'a', threadId: 't2', createdAt: day(1) }));
    await p.same((n) =>
      n.updateNotification({
        threadId: 't1',
        id: 'a',
        status: 'delivered',
        summary: 'new',
        payload: [1],
        attributes: { x: 1 },
        metadata: { y: 2 },
        summaryAt: day(4),
        deliveryReason: 'now',
        deliveryAttempts: 2,
        lastDeliveryAttemptAt: day(3),
        lastDeliveryError: 'boom',
        deliveredSignalId: 'sig',
        summarySignalId: 'sum',
      }),
    );
    await p.same((n) => n.updateNotification({ threadId: 't1', id: 'a', deliverAt: null, summaryAt: null, summary: undefined }));
    await p.same((n) => n.updateNotification({ threadId: 't1', id: 'b', status: 'failed' }));
    await p.same((n) => n.updateNotification({ threadId: 't1', id: 'c', payload: null, attributes: null as never }));
    for (const status of ['seen', 'dismissed', 'archived', 'discarded', 'pending'] as const) {
      await p.same((n) => n.updateNotificationsStatus({ threadId: 't1', ids: ['a', 'b', 'b', 'missing'], status }), { normalize: byId });
    }
    await p.same((n) => n.updateNotificationsStatus({ threadId: 't1', ids: [], status: 'seen' }));
    await p.same((n) => n.updateNotificationsStatus({ threadId: 't1', ids: Array.from({ length: 700 }, (_, i) => (i === 650 ? 'c' : `m${i}`)), status: 'seen' }), { normalize: byId });
    await p.same((n) => n.listNotifications({ threadId: 't1' }), { normalize: byId });
    await p.same((n) => n.listNotifications({ threadId: 't2' }));
    await p.same((n) => n.listDueNotifications({ now: day(10) }));
    await p.same((n) => n.dangerouslyClearAll());
    await p.same((n) => n.listNotifications({ threadId: 't1' }));
  });

  it('refuses what LibSQLStore refuses, writing nothing', async () => {
    await p.same((n) => n.createNotification({ ...base, id: 'keep', createdAt: day(1) }));
    const bad = (value: unknown) => value as never;
    await p.bothRefuse((n) => n.createNotification({ ...base, threadId: bad(undefined) }));
    await p.bothRefuse((n) => n.createNotification({ ...base, source: bad(undefined) }));
    await p.bothRefuse((n) => n.createNotification({ ...base, kind: bad(null) }));
    await p.bothRefuse((n) => n.updateNotification({ threadId: 't1', id: 'missing', status: 'seen' }));
    await p.bothRefuse((n) => n.updateNotification({ threadId: 't1', id: 'keep', summary: bad(null) }));
    await p.bothRefuse((n) => n.listNotifications(bad({})));
    await p.bothRefuse((n) => n.listNotifications({ threadId: 't1', limit: 1.5 }));
    await p.bothRefuse((n) => n.listDueNotifications(bad({})));
    await p.bothRefuse((n) => n.getNotification(bad({ id: 'keep' })));
    await p.same((n) => n.listNotifications({ threadId: 't1' }));
  });
});

describe('NotificationsStorageD1 prunes as LibSQLStore does', () => {
  it('deletes records created before maxAge, in batches, with the same results', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000);
    for (const id of ['a', 'b', 'c']) await p.same((n) => n.createNotification({ ...base, id, createdAt: old }), { normalize: () => 'created' });
    await p.same((n) => n.createNotification({ ...base, id: 'd' }));
    const stripPrefix = (results: unknown) => (results as { table: string }[]).map((r) => ({ ...r, table: r.table.replace(p.prefix, '') }));
    await p.same((n) => n.prune({ notifications: { maxAge: '30d', batchSize: 2 } }, { maxBatches: 1 }), { normalize: stripPrefix });
    await p.same((n) => n.prune({ notifications: { maxAge: '30d', batchSize: 2 } }), { normalize: stripPrefix });
    for (const id of ['a', 'b', 'c', 'd']) await p.same((n) => n.getNotification({ threadId: 't1', id }));
  });
});
