import { STORED, GROUPS, MATCHES, FILTERED_BUDGET, range, expectIndexed, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

export default {
  schedules: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const schedules = await domain(store, 'schedules');
      const base = { cron: '* * * * *', status: 'active' as const, nextFireAt: 1_000, createdAt: 1, updatedAt: 1 };
      await schedules.createSchedule({ ...base, id: 'wf_1', target: { type: 'workflow', workflowId: 'nightly' } });
      await schedules.createSchedule({ ...base, id: 'agent_1', target: { type: 'agent', agentId: 'pinger', prompt: 'hi' }, ownerType: 'agent', ownerId: 'pinger' });
      await schedules.recordTrigger({ scheduleId: 'wf_1', runId: 'r', scheduledFireAt: 1_000, actualFireAt: 1_001, outcome: 'published' });
      await expectIndexed(prefix, counter, async () => {
        await schedules.getSchedule('wf_1');
        await schedules.listSchedules();
        await schedules.listSchedules({ status: 'active' });
        await schedules.listSchedules({ workflowId: 'nightly' });
        await schedules.listSchedules({ ownerType: 'agent', ownerId: 'pinger' });
        await schedules.listSchedules({ ownerType: null, ownerId: null });
        await schedules.listDueSchedules(2_000, 100);
        await schedules.updateScheduleNextFire('wf_1', 1_000, 2_000, 1_000, 'run');
        await schedules.updateSchedule('agent_1', { status: 'paused' });
        await schedules.listTriggers('wf_1', { fromActualFireAt: 0, toActualFireAt: 5_000, limit: 10 });
        await schedules.deleteSchedule('wf_1');
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const schedules = await domain(store, 'schedules');
      await seed(
        prefix,
        'mastra_schedules',
        range(STORED).map((i) => ({
          id: `s-${i}`,
          target: { type: 'workflow', workflowId: `wf-${i % GROUPS}` },
          cron: '* * * * *',
          status: 'active',
          next_fire_at: i < MATCHES ? i : 1_000_000 + i,
          created_at: i,
          updated_at: i,
          owner_type: 'agent',
          owner_id: `agent-${i % GROUPS}`,
        })),
      );
      await seed(
        prefix,
        'mastra_schedule_triggers',
        range(STORED).map((i) => ({ id: `t-${i}`, schedule_id: `s-${i % GROUPS}`, run_id: `r-${i}`, scheduled_fire_at: i, actual_fire_at: i, outcome: 'published', trigger_kind: 'schedule-fire' })),
      );
      await rowsRead(counter, {
        listDueSchedules: [() => schedules.listDueSchedules(1_000, 100), FILTERED_BUDGET],
        'listSchedules by workflow': [() => schedules.listSchedules({ workflowId: 'wf-7' }), FILTERED_BUDGET],
        'listSchedules by owner': [() => schedules.listSchedules({ ownerType: 'agent', ownerId: 'agent-7' }), FILTERED_BUDGET],
        listTriggers: [() => schedules.listTriggers('s-7', { limit: 20 }), FILTERED_BUDGET],
      });
    },
  },
} satisfies PlanCases;
