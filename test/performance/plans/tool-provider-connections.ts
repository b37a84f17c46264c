import { at } from '../../../bench/data';
import { STORED, GROUPS, FILTERED_BUDGET, range, expectIndexed, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

export default {
  toolProviderConnections: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const connections = await domain(store, 'toolProviderConnections');
      const key = { authorId: 'u1', providerId: 'composio', connectionId: 'ca_1' };
      await connections.upsertConnection({ ...key, toolkit: 'gmail', label: 'Work' });
      await expectIndexed(prefix, counter, async () => {
        await connections.getConnectionById(key);
        await connections.upsertConnection({ ...key, toolkit: 'gmail', label: 'Home' });
        await connections.listConnectionsByAuthor({ authorId: 'u1' });
        await connections.listConnectionsByAuthor({ authorId: 'u1', providerId: 'composio', toolkit: 'gmail' });
        await connections.listConnectionsByAuthor({ providerId: 'composio' });
        await connections.listConnectionsByAuthor({ providerId: 'composio', toolkit: 'gmail' });
        await connections.deleteConnection(key);
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const connections = await domain(store, 'toolProviderConnections');
      await seed(
        prefix,
        'mastra_tool_provider_connections',
        range(STORED).map((i) => ({ authorId: `u${i % GROUPS}`, providerId: `p${i % 7}`, connectionId: `c${i}`, toolkit: 'gmail', label: null, scope: 'per-author', createdAt: at(i), updatedAt: at(i) })),
      );
      await rowsRead(counter, {
        byAuthor: [() => connections.listConnectionsByAuthor({ authorId: 'u3' }), FILTERED_BUDGET],
        byId: [() => connections.getConnectionById({ authorId: 'u3', providerId: 'p3', connectionId: 'c3' }), 2],
        byProviderToolkit: [() => connections.listConnectionsByAuthor({ providerId: 'p2', toolkit: 'gmail' }), 4 * (STORED / 7) + 20],
      });
    },
  },
} satisfies PlanCases;
