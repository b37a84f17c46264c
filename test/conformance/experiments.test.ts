import { MastraError } from '@mastra/core/error';
import type { ExperimentsStorage } from '@mastra/core/storage';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';

const all = { page: 0, perPage: false as const };
const result = (experimentId: string, itemId: string, extra: Record<string, unknown> = {}) => ({
  experimentId,
  itemId,
  itemDatasetVersion: 1,
  input: { q: itemId },
  output: 'out',
  groundTruth: 'gt',
  error: null,
  startedAt: new Date(1_000),
  completedAt: new Date(2_000),
  retryCount: 0,
  ...extra,
});
const experiment = (id: string) => ({ id, datasetId: null, datasetVersion: null, targetType: null, targetId: null, totalItems: 1 });
const resultsOf = async (experiments: ExperimentsStorage, experimentId: string) => (await experiments.listExperimentResults({ experimentId, pagination: all })).results;

describeConformance('experiments', 'ExperimentsStorageD1', (t) => {
  t.it('runs an experiment: results upsert per (item, attempt), review, summary, and delete with its results', async () => {
    const experiments = await t.domain();
    await experiments.createExperiment(experiment('e1'));
    await experiments.updateExperiment({ id: 'e1', status: 'running', startedAt: new Date(5_000) });
    await experiments.upsertExperimentResult(result('e1', 'i1'));
    const again = await experiments.upsertExperimentResult(result('e1', 'i1', { output: 'retried', retryCount: 1 }));
    await experiments.upsertExperimentResult(result('e1', 'i1', { attempt: 1 }));
    expect(again).toMatchObject({ output: 'retried', retryCount: 1, attempt: 0 });
    expect(await resultsOf(experiments, 'e1')).toHaveLength(2);
    const reviewed = await experiments.updateExperimentResult({ id: again.id, status: 'needs-review', tags: ['slow'], comment: 'look' });
    expect(reviewed).toMatchObject({ status: 'needs-review', tags: ['slow'], comment: 'look' });
    expect((await experiments.listExperimentResults({ experimentId: 'e1', tags: ['slow'], pagination: all })).results.map((r) => r.id)).toEqual([again.id]);
    expect(await experiments.getReviewSummary()).toEqual([{ experimentId: 'e1', total: 2, needsReview: 1, reviewed: 0, complete: 0 }]);
    const done = await experiments.updateExperiment({ id: 'e1', status: 'completed', succeededCount: 2, completedAt: new Date(9_000) });
    expect(done).toMatchObject({ status: 'completed', succeededCount: 2, startedAt: new Date(5_000), completedAt: new Date(9_000) });
    await experiments.deleteExperiment({ id: 'e1' });
    expect(await experiments.getExperimentById({ id: 'e1' })).toBeNull();
    expect(await resultsOf(experiments, 'e1')).toEqual([]);
  });

  t.it('refuses an experiment id in use, keeping the stored experiment', async () => {
    const experiments = await t.domain();
    await experiments.createExperiment(experiment('e1'));
    await experiments.updateExperiment({ id: 'e1', status: 'running', succeededCount: 3 });
    const error = await experiments.createExperiment(experiment('e1')).catch((e: unknown) => e);
    expect(error).toMatchObject({ category: 'USER', id: 'MASTRA_STORAGE_CLOUDFLARE_D1_CREATE_EXPERIMENT_ALREADY_EXISTS' });
    expect(await experiments.getExperimentById({ id: 'e1' })).toMatchObject({ status: 'running', succeededCount: 3 });
  });

  t.it("stores no payload for a purged item's results, written before or after the purge", async () => {
    const store = await t.store();
    const [datasets, experiments] = [(await store.getStore('datasets'))!, (await store.getStore('experiments'))!];
    const ds = await datasets.createDataset({ name: 'qa' });
    const [item] = await datasets.batchInsertItems({ datasetId: ds.id, items: [{ input: 'secret' }] });
    await experiments.createExperiment({ ...experiment('e1'), datasetId: ds.id, datasetVersion: 1 });
    const before = await experiments.addExperimentResult(result('e1', item!.id, { tags: ['t'] }));
    await experiments.updateExperimentResult({ id: before.id, comment: 'c' });
    await datasets.purgeItem({ id: item!.id, datasetId: ds.id });
    const after = await experiments.upsertExperimentResult(result('e1', item!.id, { attempt: 1, output: 'secret out' }));
    for (const stored of [await experiments.getExperimentResultById({ id: before.id }), after]) {
      expect(stored).toMatchObject({ input: null, output: null, groundTruth: null, tags: null, comment: null, metadata: { __purged: true } });
    }
    expect(await experiments.updateExperimentResult({ id: after.id, tags: ['x'], comment: 'y', status: 'reviewed' })).toMatchObject({ tags: null, comment: null, status: 'reviewed' });
  });

  t.it('prunes whole completed experiments with their results, never running ones', async () => {
    const experiments = await t.domain();
    for (const id of ['old', 'running', 'recent']) {
      await experiments.createExperiment(experiment(id));
      await experiments.upsertExperimentResult(result(id, 'i1'));
    }
    await experiments.updateExperiment({ id: 'old', status: 'completed', completedAt: new Date(Date.now() - 10 * 86_400_000) });
    await experiments.updateExperiment({ id: 'recent', status: 'completed', completedAt: new Date() });
    const pruned = await experiments.prune({ experiments: { maxAge: '1d' } });
    expect(pruned.map((r) => r.deleted)).toEqual([1, 1]);
    expect((await experiments.listExperiments({ pagination: all })).experiments.map((e) => e.id).sort()).toEqual(['recent', 'running']);
    expect(await resultsOf(experiments, 'old')).toEqual([]);
  });

  t.it('refuses bad input as USER errors, writing nothing', async () => {
    const experiments = await t.domain();
    for (const call of [
      () => experiments.createExperiment({ ...experiment(''), totalItems: 1 }),
      () => experiments.createExperiment({ ...experiment('e1'), totalItems: 1.5 }),
      () => experiments.addExperimentResult({ ...result('e1', 'i1'), startedAt: new Date(Number.NaN) }),
      () => experiments.listExperiments({ pagination: { page: -1, perPage: 1 } }),
      () => experiments.listExperimentResults({ experimentId: 'e1', pagination: all, orderBy: { field: 'toString' as never } }),
      () => experiments.updateExperiment({ id: 'missing', status: 'failed' }),
      () => experiments.prune({ experiments: { maxAge: 'soon' as never } }),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect((error as MastraError).category).toBe('USER');
    }
    expect((await experiments.listExperiments({ pagination: all })).experiments).toEqual([]);
    expect(await resultsOf(experiments, 'e1')).toEqual([]);
  });
});
