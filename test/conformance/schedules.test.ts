import { MastraError } from '@mastra/core/error';
import type { Schedule, SchedulesStorage, ScheduleTarget } from '@mastra/core/storage';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';

const T0 = Date.UTC(2025, 5, 1);

function schedule(id: string, extra: Partial<Schedule> = {}): Schedule {
  return { id, target: { type: 'workflow', workflowId: 'nightly', inputData: { n: 1 } }, cron: '0 * * * *', status: 'active', nextFireAt: T0 + 60_000, createdAt: T0, updatedAt: T0, ...extra };
}

async function expectUserError(call: () => Promise<unknown>, idTail: string) {
  const error = await call().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MastraError);
  expect((error as MastraError).category).toBe('USER');
  expect((error as MastraError).id).toMatch(new RegExp(`_${idTail}$`));
}

describeConformance('schedules', 'SchedulesStorageD1', (t) => {
  t.it('creates, reads, lists by every filter, updates and deletes schedules', async () => {
    const s = await t.domain();
    const agent = schedule('agent_a', { target: { type: 'agent', agentId: 'pinger', prompt: 'hi' }, ownerType: 'agent', ownerId: 'pinger', createdAt: T0 + 2, timezone: 'Europe/Paris', metadata: { k: [1] } });
    expect(await s.createSchedule(schedule('wf_b', { createdAt: T0 + 1 }))).toMatchObject({ id: 'wf_b' });
    await s.createSchedule(agent);
    await s.createSchedule(schedule('wf_c', { status: 'paused', target: { type: 'workflow', workflowId: 'other' } }));
    expect(await s.getSchedule('agent_a')).toEqual(agent);
    expect(await s.getSchedule('missing')).toBeNull();
    const ids = async (filter?: Parameters<SchedulesStorage['listSchedules']>[0]) => (await s.listSchedules(filter)).map((x) => x.id);
    expect(await ids()).toEqual(['wf_c', 'wf_b', 'agent_a']);
    expect(await ids({ status: 'active' })).toEqual(['wf_b', 'agent_a']);
    expect(await ids({ workflowId: 'nightly' })).toEqual(['wf_b']);
    expect(await ids({ ownerType: 'agent', ownerId: 'pinger' })).toEqual(['agent_a']);
    expect(await ids({ ownerType: null, ownerId: null })).toEqual(['wf_c', 'wf_b']);

    const updated = await s.updateSchedule('agent_a', { cron: '5 * * * *', status: 'paused', timezone: undefined, metadata: undefined, nextFireAt: T0 + 9 });
    expect(updated).toMatchObject({ cron: '5 * * * *', status: 'paused', nextFireAt: T0 + 9, ownerId: 'pinger' });
    expect(updated.timezone).toBeUndefined();
    expect(updated.metadata).toBeUndefined();
    expect(updated.updatedAt).toBeGreaterThan(T0);
    expect(await s.getSchedule('agent_a')).toEqual(updated);
    // Undefined NOT NULL fields are left alone; an empty patch only reads.
    expect(await s.updateSchedule('agent_a', { cron: undefined, target: undefined })).toEqual(updated);
    await expectUserError(() => s.updateSchedule('missing', { status: 'paused' }), 'UPDATE_SCHEDULE_NOT_FOUND');
    await expectUserError(() => s.updateSchedule('missing', {}), 'UPDATE_SCHEDULE_NOT_FOUND');

    await s.recordTrigger({ scheduleId: 'wf_b', runId: 'r1', scheduledFireAt: T0, actualFireAt: T0 + 1, outcome: 'published' });
    await s.recordTrigger({ scheduleId: 'wf_c', runId: 'r2', scheduledFireAt: T0, actualFireAt: T0 + 1, outcome: 'published' });
    await s.deleteSchedule('wf_b');
    await s.deleteSchedule('never-existed');
    expect(await s.getSchedule('wf_b')).toBeNull();
    expect(await s.listTriggers('wf_b')).toEqual([]);
    expect(await s.listTriggers('wf_c')).toHaveLength(1);
  });

  t.it('reads a legacy heartbeat target as an agent target', async () => {
    const s = await t.domain();
    await s.createSchedule(schedule('hb_1', { target: { type: 'heartbeat', agentId: 'a', prompt: 'p' } as unknown as ScheduleTarget }));
    expect((await s.getSchedule('hb_1'))!.target).toEqual({ type: 'agent', agentId: 'a', prompt: 'p' });
    expect((await s.listDueSchedules(T0 + 60_000))[0]!.target.type).toBe('agent');
  });

  t.it('never replaces a schedule or trigger on a duplicate id, even when two stores race', async () => {
    const prefix = `sc${Math.random().toString(36).slice(2, 8)}_`;
    const [a, b] = [await t.domain({ tablePrefix: prefix }), await t.domain({ tablePrefix: prefix })];
    await a.createSchedule(schedule('s1'));
    await expectUserError(() => b.createSchedule(schedule('s1', { cron: '1 1 1 1 1' })), 'CREATE_SCHEDULE_ALREADY_EXISTS');
    expect((await a.getSchedule('s1'))!.cron).toBe('0 * * * *');
    const raced = await Promise.allSettled([a.createSchedule(schedule('s2', { cron: 'a' })), b.createSchedule(schedule('s2', { cron: 'b' }))]);
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const winner = raced.findIndex((r) => r.status === 'fulfilled');
    expect((await a.getSchedule('s2'))!.cron).toBe(winner === 0 ? 'a' : 'b');

    await a.recordTrigger({ id: 'tr1', scheduleId: 's1', runId: null, scheduledFireAt: T0, actualFireAt: T0, outcome: 'failed', error: 'boom' });
    await expectUserError(() => b.recordTrigger({ id: 'tr1', scheduleId: 's1', runId: 'x', scheduledFireAt: T0, actualFireAt: T0, outcome: 'published' }), 'RECORD_TRIGGER_ALREADY_EXISTS');
    expect(await a.listTriggers('s1')).toEqual([{ id: 'tr1', scheduleId: 's1', runId: null, scheduledFireAt: T0, actualFireAt: T0, outcome: 'failed', error: 'boom', triggerKind: 'schedule-fire' }]);
  });

  t.it('lets exactly one of two stores claim a due fire, and none claim a paused or already advanced one', async () => {
    const prefix = `sc${Math.random().toString(36).slice(2, 8)}_`;
    const [a, b] = [await t.domain({ tablePrefix: prefix }), await t.domain({ tablePrefix: prefix })];
    const due = T0 + 60_000;
    await a.createSchedule(schedule('s1', { nextFireAt: due }));
    const claims = await Promise.all([a.updateScheduleNextFire('s1', due, due + 3_600_000, due, 'run-a'), b.updateScheduleNextFire('s1', due, due + 3_600_000, due, 'run-b')]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    const after = (await b.getSchedule('s1'))!;
    expect(after).toMatchObject({ nextFireAt: due + 3_600_000, lastFireAt: due, lastRunId: claims[0] ? 'run-a' : 'run-b' });
    expect(await a.updateScheduleNextFire('s1', due, due + 1, due, 'late')).toBe(false);
    await a.updateSchedule('s1', { status: 'paused' });
    expect(await b.updateScheduleNextFire('s1', due + 3_600_000, due + 7_200_000, due, 'paused')).toBe(false);
    expect(await a.updateScheduleNextFire('missing', due, due + 1, due, 'x')).toBe(false);
  });

  t.it('lists due active schedules soonest first, up to the limit', async () => {
    const s = await t.domain();
    await s.createSchedule(schedule('late', { nextFireAt: T0 + 30 }));
    await s.createSchedule(schedule('soon', { nextFireAt: T0 + 10 }));
    await s.createSchedule(schedule('tie', { nextFireAt: T0 + 30 }));
    await s.createSchedule(schedule('paused', { nextFireAt: T0, status: 'paused' }));
    await s.createSchedule(schedule('future', { nextFireAt: T0 + 1_000 }));
    expect((await s.listDueSchedules(T0 + 30)).map((x) => x.id)).toEqual(['soon', 'late', 'tie']);
    expect((await s.listDueSchedules(T0 + 30, 2)).map((x) => x.id)).toEqual(['soon', 'late']);
    expect(await s.listDueSchedules(T0 + 30, 0)).toEqual([]);
  });

  t.it('lists triggers newest first within a range and a limit', async () => {
    const s = await t.domain();
    for (const [i, at] of [T0 + 1, T0 + 3, T0 + 2, T0 + 3].entries()) {
      await s.recordTrigger({ id: `t${i}`, scheduleId: 's', runId: `r${i}`, scheduledFireAt: at, actualFireAt: at, outcome: 'succeeded', triggerKind: 'manual', parentTriggerId: 'p', metadata: { i } });
    }
    await s.recordTrigger({ scheduleId: 'other', runId: null, scheduledFireAt: T0, actualFireAt: T0, outcome: 'published' });
    const ids = async (opts?: Parameters<SchedulesStorage['listTriggers']>[1]) => (await s.listTriggers('s', opts)).map((x) => x.id);
    expect(await ids()).toEqual(['t3', 't1', 't2', 't0']);
    expect(await ids({ limit: 2 })).toEqual(['t3', 't1']);
    expect(await ids({ fromActualFireAt: T0 + 2, toActualFireAt: T0 + 3 })).toEqual(['t2']);
    expect((await s.listTriggers('s', { limit: 1 }))[0]).toEqual({ id: 't3', scheduleId: 's', runId: 'r3', scheduledFireAt: T0 + 3, actualFireAt: T0 + 3, outcome: 'succeeded', triggerKind: 'manual', parentTriggerId: 'p', metadata: { i: 3 } });
    expect((await s.listTriggers('other'))[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  t.it('refuses bad input as USER errors naming the field, writing nothing', async () => {
    const s = await t.domain();
    await s.createSchedule(schedule('ok'));
    const calls: [() => Promise<unknown>, string][] = [
      [() => s.createSchedule(schedule('', {})), 'id'],
      [() => s.createSchedule(schedule('x', { target: undefined as never })), 'target'],
      [() => s.createSchedule(schedule('x', { status: 'on' as never })), 'status'],
      [() => s.createSchedule(schedule('x', { nextFireAt: 1.5 })), 'nextFireAt'],
      [() => s.createSchedule(schedule('x', { metadata: [] as never })), 'metadata'],
      [() => s.updateSchedule('ok', { cron: null as never }), 'cron'],
      [() => s.updateSchedule('ok', { nextFireAt: Number.NaN }), 'nextFireAt'],
      [() => s.updateSchedule('ok', { ownerId: 7 as never }), 'ownerId'],
      [() => s.updateScheduleNextFire('ok', '1' as never, 2, 3, 'r'), 'expectedNextFireAt'],
      [() => s.listDueSchedules(T0, -1), 'limit'],
      [() => s.listSchedules({ status: 1 as never }), 'filter.status'],
      [() => s.recordTrigger({ scheduleId: 'ok', runId: null, scheduledFireAt: T0, actualFireAt: T0, outcome: '' as never }), 'outcome'],
      [() => s.listTriggers('ok', { limit: -2 }), 'opts.limit'],
      [() => s.getSchedule(undefined as never), 'id'],
    ];
    for (const [call, field] of calls) {
      const error = await call().catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(MastraError);
      expect((error as MastraError).category, field).toBe('USER');
      expect((error as MastraError).details?.field, field).toBe(field);
    }
    expect((await s.listSchedules()).map((x) => x.id)).toEqual(['ok']);
    expect(await s.getSchedule('ok')).toEqual(schedule('ok'));
    expect(await s.listTriggers('ok')).toEqual([]);
  });

  t.it('is shared by stores on one prefix, invisible to another, and emptied by dangerouslyClearAll', async () => {
    const prefix = `sc${Math.random().toString(36).slice(2, 8)}_`;
    const writer = await t.domain({ tablePrefix: prefix });
    await writer.createSchedule(schedule('s'));
    await writer.recordTrigger({ scheduleId: 's', runId: 'r', scheduledFireAt: T0, actualFireAt: T0, outcome: 'published' });
    expect(await (await t.domain({ tablePrefix: prefix })).getSchedule('s')).toEqual(schedule('s'));
    expect(await (await t.domain()).getSchedule('s')).toBeNull();
    await writer.dangerouslyClearAll();
    expect(await writer.listSchedules()).toEqual([]);
    expect(await writer.listTriggers('s')).toEqual([]);
  });
});
