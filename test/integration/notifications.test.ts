import { Mastra } from '@mastra/core';
import { Agent } from '@mastra/core/agent';
import { createNotificationInboxTool } from '@mastra/core/notifications';
import type { NotificationsStorage } from '@mastra/core/storage';
import { Memory } from '@mastra/memory';
import { describe, expect, it } from 'vitest';
import { recallModel } from '../../examples/worker/src/recall-model';
import { D1Store } from '../../src';
import { uniquePrefix, useHarness } from '../support/harness';

const h = useHarness();
const target = { resourceId: 'u', threadId: 't' };

/**
 * A Mastra app as a Worker builds it per request. CI notifications are kept for the inbox ('persist'),
 * deploy notifications are deferred by a minute, so no model run is needed.
 */
function worker(tablePrefix: string) {
  const agent = new Agent({
    id: 'ops',
    name: 'ops',
    instructions: 'Watch the builds.',
    model: recallModel() as never,
    memory: new Memory(),
    notifications: { deliveryPolicy: { default: 'persist', sources: { deploy: { action: 'defer', deliverAt: new Date(Date.now() + 60_000), reason: 'later' } } } },
  });
  return new Mastra({ storage: new D1Store({ id: 'app', binding: h.d1.db, tablePrefix }), agents: { ops: agent }, logger: false });
}

async function notificationsOf(mastra: Mastra): Promise<NotificationsStorage> {
  return (await mastra.getStorage()!.getStore('notifications'))!;
}

describe('agent notification signals through Mastra', () => {
  it('two Workers sending the same deduped signal make one record, which a third reads through the inbox tool', async () => {
    const prefix = uniquePrefix();
    const signal = { source: 'ci', kind: 'build', summary: 'red', dedupeKey: 'b1' };
    const [first] = await worker(prefix).getAgent('ops').sendNotificationSignal([signal], target);
    const second = await worker(prefix).getAgent('ops').sendNotificationSignal({ ...signal, summary: 'red again' }, target);
    expect(second.record).toMatchObject({ id: first!.record.id, coalescedCount: 2, summary: 'red again', status: 'pending', agentId: 'ops' });

    const inbox = createNotificationInboxTool({ storage: await notificationsOf(worker(prefix)) });
    const listed = (await inbox.execute!({ action: 'list', threadId: 't' }, {} as never)) as { notifications: { id: string; status: string }[]; markedSeen: number };
    expect(listed.notifications).toEqual([expect.objectContaining({ id: first!.record.id, status: 'seen' })]);
    expect(listed.markedSeen).toBe(1);
    const stored = await (await notificationsOf(worker(prefix))).getNotification({ threadId: 't', id: first!.record.id });
    expect(stored).toMatchObject({ status: 'seen', coalescedCount: 2 });
    expect(stored!.seenAt).toBeInstanceOf(Date);
  });

  it('a deferred signal is due for the dispatcher of another Worker once its time comes', async () => {
    const prefix = uniquePrefix();
    const sender = worker(prefix);
    const { record } = await sender.getAgent('ops').sendNotificationSignal({ source: 'deploy', kind: 'release', summary: 'v2 shipped' }, target);
    expect(record).toMatchObject({ status: 'pending', deliveryReason: 'later' });
    expect(record.deliverAt).toBeInstanceOf(Date);

    const dispatcher = await notificationsOf(worker(prefix));
    expect(await dispatcher.listDueNotifications({ now: new Date() })).toEqual([]);
    const due = await dispatcher.listDueNotifications({ now: new Date(Date.now() + 120_000) });
    expect(due.map((r) => r.id)).toEqual([record.id]);
    const schedules = await sender.getStorage()!.getStore('schedules');
    expect(await schedules?.getSchedule('__mastra_notification_dispatch')).toMatchObject({ status: 'active' });
  });
});
