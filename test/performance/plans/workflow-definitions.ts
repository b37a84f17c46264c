import { at } from '../../../bench/data';
import { STORED, GROUPS, MATCHES, FILTERED_BUDGET, range, expectIndexed, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

const definition = (id: string) => ({ id, inputSchema: { type: 'object' }, outputSchema: { type: 'object' }, graph: [] });

export default {
  workflowDefinitions: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const defs = await domain(store, 'workflowDefinitions');
      await defs.upsert({ ...definition('a'), authorId: 'ann' });
      await expectIndexed(prefix, counter, async () => {
        await defs.upsert({ id: 'a', status: 'archived' });
        await defs.upsert(definition('a'));
        await defs.get('a');
        await defs.list();
        await defs.list({ status: 'active' });
        await defs.list({ authorId: 'ann' });
        await defs.list({ status: 'archived', authorId: 'ann' });
        await defs.delete('a');
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const defs = await domain(store, 'workflowDefinitions');
      await seed(
        prefix,
        'mastra_workflow_definitions',
        range(STORED).map((i) => ({
          ...definition(`wf-${i}`),
          status: i < MATCHES ? 'archived' : 'active',
          source: 'storage',
          authorId: `author-${i % GROUPS}`,
          createdAt: at(i),
          updatedAt: at(i),
        })),
      );
      await rowsRead(counter, {
        get: [() => defs.get('wf-7'), 2],
        'list by status': [() => defs.list({ status: 'archived' }), FILTERED_BUDGET],
        'list by author': [() => defs.list({ authorId: 'author-7' }), FILTERED_BUDGET],
        'partial upsert': [() => defs.upsert({ id: 'wf-7', description: 'd' }), 4],
      });
    },
  },
} satisfies PlanCases;
