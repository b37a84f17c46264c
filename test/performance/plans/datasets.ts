import { at } from '../../../bench/data';
import { STORED, GROUPS, FILTERED_BUDGET, range, expectIndexed, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

export default {
  datasets: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const datasets = await domain(store, 'datasets');
      const ds = await datasets.createDataset({ id: 'd1', name: 'qa', organizationId: 'o', projectId: 'p' });
      const [a, b] = await datasets.batchInsertItems({ datasetId: ds.id, items: [{ input: { q: 1 }, externalId: 'x1' }, { input: { q: 2 } }] });
      await expectIndexed(prefix, counter, async () => {
        await datasets.getDatasetById({ id: 'd1', filters: { organizationId: 'o' } });
        await datasets.listDatasets({ pagination: { page: 0, perPage: 20 } });
        await datasets.listDatasets({ pagination: { page: 0, perPage: 20 }, filters: { organizationId: 'o', projectId: 'p' } });
        await datasets.listDatasets({ pagination: { page: 0, perPage: 20 }, filters: { organizationId: 'o', projectId: 'p', candidateKey: 'k', candidateId: 'c' } });
        await datasets.batchInsertItems({ datasetId: 'd1', items: [{ input: { q: 1 }, externalId: 'x1' }, { input: { q: 3 }, externalId: 'x3' }] });
        await datasets.updateItem({ id: a!.id, datasetId: 'd1', input: { q: 'changed' } });
        await datasets.listItems({ datasetId: 'd1', pagination: { page: 0, perPage: 20 } });
        await datasets.listItems({ datasetId: 'd1', version: 1, pagination: { page: 0, perPage: 20 } });
        await datasets.listItems({ datasetId: 'd1', pagination: { page: 0, perPage: 20 }, filters: { organizationId: 'o', projectId: 'p' } });
        await datasets.getItemById({ id: a!.id });
        await datasets.getItemById({ id: a!.id, datasetVersion: 1 });
        await datasets.getItemsByVersion({ datasetId: 'd1', version: 2 });
        await datasets.getItemHistory(a!.id);
        await datasets.listDatasetVersions({ datasetId: 'd1', pagination: { page: 0, perPage: 20 } });
        await datasets.deleteItem({ id: b!.id, datasetId: 'd1' });
        await datasets.batchDeleteItems({ datasetId: 'd1', itemIds: [a!.id] });
        await datasets.purgeItem({ id: a!.id, datasetId: 'd1' });
        await datasets.updateDataset({ id: 'd1', description: 'd' });
        await datasets.deleteDataset({ id: 'd1' });
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const datasets = await domain(store, 'datasets');
      await seed(prefix, 'mastra_datasets', range(GROUPS).map((i) => ({ id: `d-${i}`, name: `set ${i}`, version: 2, createdAt: at(i), updatedAt: at(i) })));
      await seed(
        prefix,
        'mastra_dataset_items',
        range(STORED).map((i) => ({
          id: `i-${i}`,
          datasetId: `d-${i % GROUPS}`,
          datasetVersion: 1 + (i % 2),
          validTo: null,
          isDeleted: false,
          input: { q: i },
          createdAt: at(i),
          updatedAt: at(i),
        })),
      );
      await rowsRead(counter, {
        getItemById: [() => datasets.getItemById({ id: 'i-7' }), 2],
        'listItems of a dataset': [() => datasets.listItems({ datasetId: 'd-7', pagination: { page: 0, perPage: 20 } }), FILTERED_BUDGET],
        'listItems at a version': [() => datasets.listItems({ datasetId: 'd-7', version: 1, pagination: { page: 0, perPage: 20 } }), FILTERED_BUDGET],
        getItemsByVersion: [() => datasets.getItemsByVersion({ datasetId: 'd-7', version: 2 }), FILTERED_BUDGET],
      });
    },
  },
} satisfies PlanCases;
