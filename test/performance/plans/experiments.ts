import { at } from '../../../bench/data';
import { STORED, GROUPS, FILTERED_BUDGET, range, expectIndexed, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

const result = (experimentId: string, itemId: string, attempt = 0) => ({
  experimentId,
  itemId,
  itemDatasetVersion: 1,
  input: { q: itemId },
  output: 'a',
  groundTruth: 'a',
  error: null,
  startedAt: at(1),
  completedAt: at(2),
  retryCount: 0,
  attempt,
});

export default {
  experiments: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const experiments = await domain(store, 'experiments');
      const datasets = await domain(store, 'datasets');
      await datasets.createDataset({ id: 'd1', name: 'qa' });
      const [item] = await datasets.batchInsertItems({ datasetId: 'd1', items: [{ input: 1 }] });
      await experiments.createExperiment({ id: 'e1', datasetId: 'd1', datasetVersion: 1, targetType: 'agent', targetId: 'a', totalItems: 1, experimentSetId: 's', organizationId: 'o', projectId: 'p' });
      const added = await experiments.addExperimentResult({ ...result('e1', item!.id), tags: ['t'] });
      await expectIndexed(prefix, counter, async () => {
        await experiments.getExperimentById({ id: 'e1', filters: { organizationId: 'o' } });
        await experiments.updateExperiment({ id: 'e1', status: 'completed', completedAt: at(3) });
        await experiments.listExperiments({ pagination: { page: 0, perPage: 20 } });
        await experiments.listExperiments({ datasetId: 'd1', pagination: { page: 0, perPage: 20 } });
        await experiments.listExperiments({ experimentSetId: 's', pagination: { page: 0, perPage: 20 } });
        await experiments.listExperiments({ filters: { organizationId: 'o', projectId: 'p' }, pagination: { page: 0, perPage: 20 } });
        await experiments.upsertExperimentResult(result('e1', item!.id, 1));
        await experiments.updateExperimentResult({ id: added.id, experimentId: 'e1', status: 'reviewed', comment: 'ok' });
        await experiments.getExperimentResultById({ id: added.id });
        await experiments.listExperimentResults({ experimentId: 'e1', tags: ['t'], pagination: { page: 0, perPage: 20 } });
        await datasets.purgeItem({ id: item!.id, datasetId: 'd1' });
        await experiments.deleteExperimentResults({ experimentId: 'e1', filters: { organizationId: 'o' } });
        await experiments.prune({ experiments: { maxAge: '30d' } });
        await experiments.deleteExperiment({ id: 'e1' });
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const experiments = await domain(store, 'experiments');
      await seed(
        prefix,
        'mastra_experiment_results',
        range(STORED).map((i) => ({ ...result(`e-${i % GROUPS}`, `i-${i}`), id: `r-${i}`, startedAt: at(i), completedAt: at(i), createdAt: at(i) })),
      );
      await rowsRead(counter, {
        getExperimentResultById: [() => experiments.getExperimentResultById({ id: 'r-7' }), 2],
        'listExperimentResults of an experiment': [() => experiments.listExperimentResults({ experimentId: 'e-7', pagination: { page: 0, perPage: 20 } }), FILTERED_BUDGET],
      });
    },
  },
} satisfies PlanCases;
