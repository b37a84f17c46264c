/** Evals: a dataset's items written in bulk and read as of a version, and an experiment's results listed. */
import type { Subject } from '../subjects';
import { expectCount, workload, type Workload } from '../workload';

const T0 = Date.UTC(2026, 0, 1);
const GROUP = 'datasets and experiments';

const items = (count: number, offset = 0) => Array.from({ length: count }, (_, i) => ({ input: { question: `question ${offset + i}` }, groundTruth: `answer ${offset + i}` }));

/** A dataset with 500 items at version 1, then 100 of them replaced at version 2, and an experiment's 500 results. */
async function seedEvals(s: Subject): Promise<void> {
  const datasets = await s.domain('datasets');
  await datasets.createDataset({ id: 'qa', name: 'qa' });
  const added = await datasets.batchInsertItems({ datasetId: 'qa', items: items(500) });
  await datasets.batchDeleteItems({ datasetId: 'qa', itemIds: added.slice(0, 100).map((item) => item.id) });
  const experiments = await s.domain('experiments');
  await experiments.createExperiment({ id: 'run', datasetId: 'qa', datasetVersion: 1, targetType: 'agent', targetId: 'assistant', totalItems: 500 });
  for (let i = 0; i < 500; i++) {
    await experiments.addExperimentResult({
      experimentId: 'run',
      itemId: added[i]!.id,
      itemDatasetVersion: 1,
      input: added[i]!.input,
      output: `answer ${i}`,
      groundTruth: `answer ${i}`,
      error: null,
      startedAt: new Date(T0 + i * 1_000),
      completedAt: new Date(T0 + i * 1_000 + 500),
      retryCount: 0,
    });
  }
}

export const evalsWorkloads: Workload[] = [
  workload<void, string>({
    group: GROUP,
    // Core's batchInsertItems reads the dataset before the adapter's one write batch.
    name: 'batchInsertItems: 500 items in one call',
    floor: 2,
    before: async (s, _shared, rep) => (await (await s.domain('datasets')).createDataset({ name: `bulk ${rep}` })).id,
    run: async (s, _shared, datasetId) => (await s.domain('datasets')).batchInsertItems({ datasetId, items: items(500) }),
    check: (r) => expectCount('items', (r as unknown[]).length, 500),
  }),
  workload({
    group: GROUP,
    name: 'listItems at a version: page of 20 of 500, with the total',
    floor: 1,
    setup: seedEvals,
    run: async (s) => (await s.domain('datasets')).listItems({ datasetId: 'qa', version: 1, pagination: { page: 3, perPage: 20 } }),
    check: (r) => expectCount('items', (r as { items?: unknown[] }).items?.length, 20),
  }),
  workload({
    group: GROUP,
    name: 'listExperimentResults: page of 50 of 500, with the total',
    floor: 1,
    setup: seedEvals,
    run: async (s) => (await s.domain('experiments')).listExperimentResults({ experimentId: 'run', pagination: { page: 2, perPage: 50 } }),
    check: (r) => expectCount('results', (r as { results?: unknown[] }).results?.length, 50),
  }),
];
