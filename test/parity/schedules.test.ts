import type { Schedule, ScheduleTarget } from '@mastra/core/storage';
import { describe, it } from 'vitest';
import { useParity } from '../support/parity';

const p = useParity('schedules');

const T0 = Date.UTC(2025, 5, 1);

function schedule(id: string, extra: Partial<Schedule> = {}): Schedule {
  return { id, target: { type: 'workflow', workflowId: 'nightly', inputData: { n: 1 } }, cron: '0 * * * *', status: 'active', nextFireAt: T0 + 60_000, createdAt: T0, updatedAt: T0, ...extra };
}

/** `updatedAt` is "now" on both stores: compared as present, not by value. */
const stamped = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(stamped) : value && typeof value === 'object' && 'updatedAt' in value ? { ...value, updatedAt: typeof (value as Schedule).updatedAt } : value;

describe('SchedulesStorageD1 matches LibSQLStore', () => {
  it('answers every call alike', async () => {
    const agent = schedule('agent_a', { target: { type: 'agent', agentId: 'pinger', prompt: 'hi', threadId: 't', resourceId: 'u' }, ownerType: 'agent', ownerId: 'pinger', createdAt: T0 + 2, timezone: 'UTC', metadata: { k: [1, { x: null }] } });
    await p.same((s) => s.createSchedule(schedule('wf_b', { createdAt: T0 + 1, lastFireAt: T0 - 5, lastRunId: 'r0' })));
    await p.same((s) => s.createSchedule(agent));
    await p.same((s) => s.createSchedule(schedule('wf_c', { status: 'paused', nextFireAt: T0, target: { type: 'workflow', workflowId: 'other' } })));
    await p.same((s) => s.createSchedule(schedule('hb_d', { createdAt: T0 + 3, target: { type: 'heartbeat', agentId: 'old', prompt: 'p' } as unknown as ScheduleTarget })));
    await p.bothRefuse((s) => s.createSchedule(schedule('wf_b', { cron: 'replaced' })));
    for (const id of ['wf_b', 'agent_a', 'hb_d', 'missing', '']) await p.same((s) => s.getSchedule(id));

    for (const filter of [undefined, {}, { status: 'active' as const }, { status: 'paused' as const }, { workflowId: 'nightly' }, { workflowId: '' }, { ownerType: 'agent', ownerId: 'pinger' }, { ownerType: null }, { ownerId: null, status: 'active' as const }, { ownerType: 'agent', workflowId: 'nightly' }]) {
      await p.same((s) => s.listSchedules(filter));
    }
    for (const [now, limit] of [[T0 + 60_000], [T0 + 59_999], [T0 + 60_000, 1], [T0 + 60_000, 0], [T0 - 1]] as [number, number?][]) {
      await p.same((s) => s.listDueSchedules(now, limit));
    }

    await p.same((s) => s.updateSchedule('agent_a', { cron: '5 * * * *', status: 'paused', nextFireAt: T0 + 9, timezone: undefined, metadata: undefined }), { normalize: stamped });
    await p.same((s) => s.updateSchedule('agent_a', { target: { type: 'agent', agentId: 'pinger', prompt: 'bye' }, metadata: { m: 1 }, ownerType: undefined, ownerId: undefined }), { normalize: stamped });
    await p.same((s) => s.updateSchedule('agent_a', { cron: undefined, timezone: 'Europe/Paris', metadata: null as never }), { normalize: stamped });
    await p.same((s) => s.updateSchedule('wf_b', {}), { normalize: stamped });
    await p.same((s) => s.getSchedule('agent_a'), { normalize: stamped });
    await p.bothRefuse((s) => s.updateSchedule('missing', { status: 'paused' }));
    await p.bothRefuse((s) => s.updateSchedule('missing', {}));

    await p.same((s) => s.updateScheduleNextFire('wf_b', T0 + 60_000, T0 + 120_000, T0 + 60_000, 'sched_wf_b_1'));
    await p.same((s) => s.updateScheduleNextFire('wf_b', T0 + 60_000, T0 + 180_000, T0 + 60_000, 'sched_wf_b_2'));
    await p.same((s) => s.updateScheduleNextFire('wf_c', T0, T0 + 1, T0, 'paused'));
    await p.same((s) => s.updateScheduleNextFire('missing', T0, T0 + 1, T0, 'x'));
    await p.same((s) => s.getSchedule('wf_b'), { normalize: stamped });

    await p.same((s) => s.recordTrigger({ id: 'tr1', scheduleId: 'wf_b', runId: 'r1', scheduledFireAt: T0, actualFireAt: T0 + 2, outcome: 'published' }));
    await p.same((s) => s.recordTrigger({ id: 'tr2', scheduleId: 'wf_b', runId: null, scheduledFireAt: T0 + 1, actualFireAt: T0 + 5, outcome: 'failed', error: 'boom', triggerKind: 'queue-drain', parentTriggerId: 'tr1', metadata: { why: ['x'] } }));
    await p.same((s) => s.recordTrigger({ id: 'tr3', scheduleId: 'wf_b', runId: 'r3', scheduledFireAt: T0 + 3, actualFireAt: T0 + 3, outcome: 'succeeded', triggerKind: 'manual' }));
    await p.same((s) => s.recordTrigger({ id: 'tr0', scheduleId: 'wf_b', runId: 'r0', scheduledFireAt: T0 + 3, actualFireAt: T0 + 3, outcome: 'skipped' }));
    await p.same((s) => s.recordTrigger({ id: 'tr4', scheduleId: 'wf_c', runId: 'r4', scheduledFireAt: T0, actualFireAt: T0, outcome: 'published' }));
    for (const opts of [undefined, {}, { limit: 2 }, { limit: 1.7 }, { limit: 0 }, { fromActualFireAt: T0 + 3 }, { toActualFireAt: T0 + 3 }, { fromActualFireAt: T0 + 2, toActualFireAt: T0 + 5, limit: 5 }]) {
      await p.same((s) => s.listTriggers('wf_b', opts));
    }
    await p.same((s) => s.listTriggers('missing'));

    await p.same((s) => s.deleteSchedule('wf_b'));
    await p.same((s) => s.deleteSchedule('missing'));
    await p.same((s) => s.getSchedule('wf_b'));
    await p.same((s) => s.listTriggers('wf_b'));
    await p.same((s) => s.listTriggers('wf_c'));
    await p.same((s) => s.dangerouslyClearAll());
    await p.same((s) => s.listSchedules());
    await p.same((s) => s.listTriggers('wf_c'));
  });

  it('generates an id and the default kind for a trigger recorded without them', async () => {
    await p.same((s) => s.recordTrigger({ scheduleId: 's', runId: 'r', scheduledFireAt: T0, actualFireAt: T0, outcome: 'published' }));
    await p.same((s) => s.listTriggers('s'));
  });
});

describe('SchedulesStorageD1 prunes as LibSQLStore does', () => {
  it('deletes triggers fired before maxAge, in batches, and keeps the schedules', async () => {
    const now = Date.now();
    await p.same((s) => s.createSchedule(schedule('s')));
    for (const [i, age] of [40, 35, 31, 1].entries()) {
      const at = now - age * 86_400_000;
      await p.same((s) => s.recordTrigger({ id: `t${i}`, scheduleId: 's', runId: `r${i}`, scheduledFireAt: at, actualFireAt: at, outcome: 'published' }));
    }
    const stripPrefix = (results: unknown) => (results as { table: string }[]).map((r) => ({ ...r, table: r.table.replace(p.prefix, '') }));
    await p.same((s) => s.prune({ triggers: { maxAge: '30d', batchSize: 2 } }, { maxBatches: 1 }), { normalize: stripPrefix });
    await p.same((s) => s.prune({ triggers: { maxAge: '30d', batchSize: 2 } }), { normalize: stripPrefix });
    await p.same((s) => s.listTriggers('s'), { normalize: (v) => (v as { id: string }[]).map((t) => t.id) });
    await p.same((s) => s.getSchedule('s'));
  });
});
