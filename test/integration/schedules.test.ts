import { Mastra } from '@mastra/core';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uniquePrefix, useHarness } from '../support/harness';

// `mastra.schedules` over D1Store. "Another Worker" is a new Mastra with a new D1Store on the same
// database and table prefix: nothing is shared between the two but D1.

const h = useHarness();

function nightly() {
  const step = createStep({ id: 'tick', inputSchema: z.object({}), outputSchema: z.object({ ok: z.boolean() }), execute: async () => ({ ok: true }) });
  return createWorkflow({ id: 'nightly', inputSchema: z.object({}), outputSchema: z.object({ ok: z.boolean() }) }).then(step).commit();
}

function worker(tablePrefix: string) {
  return new Mastra({ storage: h.store('binding', { tablePrefix }), workflows: { nightly: nightly() }, logger: false });
}

describe('schedules through Mastra', () => {
  it('schedules created, paused, resumed and deleted by one Worker are read back by another', async () => {
    const prefix = uniquePrefix();
    const a = worker(prefix);
    const agent = await a.schedules.create({ id: 'morning', agentId: 'pinger', cron: '0 9 * * *', prompt: 'hi', metadata: { team: 'ops' } });
    const flow = await a.schedules.create({ workflowId: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Paris', inputData: { n: 1 } });
    expect(agent).toMatchObject({ id: 'agent_morning', agentId: 'pinger', status: 'active' });
    await expect(a.schedules.create({ id: 'morning', agentId: 'pinger', cron: '0 9 * * *', prompt: 'again' })).rejects.toThrow(/already exists/);

    const b = worker(prefix);
    expect(await b.schedules.get('morning')).toEqual(agent);
    expect(await b.schedules.get(flow.id)).toEqual(flow);
    expect((await b.schedules.list()).map((s) => s.id)).toEqual([agent.id, flow.id]);
    expect((await b.schedules.list({ agentId: 'pinger' })).map((s) => s.id)).toEqual([agent.id]);
    expect((await b.schedules.list({ workflowId: 'nightly' })).map((s) => s.id)).toEqual([flow.id]);

    await a.schedules.pause('morning');
    expect(await b.schedules.get('morning')).toMatchObject({ status: 'paused' });
    expect((await b.schedules.list({ status: 'active' })).map((s) => s.id)).toEqual([flow.id]);
    const resumed = await b.schedules.resume('morning');
    expect(resumed.status).toBe('active');
    expect(await worker(prefix).schedules.get('morning')).toEqual(resumed);

    await b.schedules.delete('morning');
    expect(await a.schedules.get('morning')).toBeNull();
    expect((await worker(prefix).schedules.list()).map((s) => s.id)).toEqual([flow.id]);
  });

  it('a due fire is claimed by exactly one of two Workers whose schedulers tick at the same moment', async () => {
    const prefix = uniquePrefix();
    const [a, b] = [worker(prefix), worker(prefix)];
    const { id } = await a.schedules.create({ workflowId: 'nightly', cron: '0 0 1 1 *' });
    await Promise.all([a.startWorkers(), b.startWorkers()]);
    try {
      const store = (await a.getStorage()!.getStore('schedules'))!;
      const due = Date.now() - 1_000;
      await store.updateSchedule(id, { nextFireAt: due });
      // Both ticks list the fire as due before either claims it (the Cron Trigger race on Workers).
      await Promise.all([a.scheduler!.tick(), b.scheduler!.tick()]);
      expect(await store.listTriggers(id)).toEqual([expect.objectContaining({ scheduleId: id, runId: `sched_${id}_${due}`, scheduledFireAt: due, outcome: 'published' })]);
      expect(await worker(prefix).schedules.get(id)).toMatchObject({ lastRunId: `sched_${id}_${due}` });
    } finally {
      await Promise.all([a.stopWorkers(), b.stopWorkers()]);
    }
  });
});
