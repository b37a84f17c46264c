import { expect } from 'vitest';
import { at } from '../../../bench/data';
import { STORED, GROUPS, FILTERED_BUDGET, range, expectIndexed, fullScans, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

const installation = (i: number) => ({
  id: `inst-${i}`,
  platform: `platform-${i % GROUPS}`,
  agentId: `agent-${i % GROUPS}`,
  status: i % 3 === 0 ? 'active' : 'pending',
  webhookId: `hook-${i}`,
  data: { team: i },
  createdAt: at(i),
  updatedAt: at(i),
});

export default {
  channels: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const channels = await domain(store, 'channels');
      await channels.saveInstallation(installation(1) as never);
      await channels.saveConfig({ platform: 'platform-1', data: { token: 't' }, updatedAt: at(1) });
      await expectIndexed(prefix, counter, async () => {
        await channels.getInstallation('inst-1');
        await channels.getInstallationByAgent('platform-1', 'agent-1');
        await channels.getInstallationByWebhookId('hook-1');
        await channels.listInstallations('platform-1');
        await channels.getConfig('platform-1');
        await channels.deleteInstallation('inst-1');
        await channels.deleteConfig('platform-1');
      });
      // The webhook check inside the save's INSERT ... SELECT looks rows up too.
      counter.reset();
      await channels.saveInstallation(installation(2) as never);
      const [save] = counter.sqlLog.filter((s) => /^\s*INSERT/i.test(s.sql));
      expect(await fullScans(save!, prefix)).toEqual([]);
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const channels = await domain(store, 'channels');
      await seed(prefix, 'mastra_channel_installations', range(STORED).map(installation));
      await rowsRead(counter, {
        getInstallationByWebhookId: [() => channels.getInstallationByWebhookId('hook-7'), 2],
        getInstallationByAgent: [() => channels.getInstallationByAgent('platform-7', 'agent-7'), FILTERED_BUDGET],
        listInstallations: [() => channels.listInstallations('platform-7'), FILTERED_BUDGET],
        saveInstallation: [() => channels.saveInstallation(installation(7) as never), 4],
      });
    },
  },
} satisfies PlanCases;
