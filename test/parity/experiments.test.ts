import type { DatasetsStorage, ExperimentsStorage } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { useParity } from '../support/parity';

const p = useParity('experiments');
const page = (perPage: number | false = 10, n = 0) => ({ page: n, perPage });
const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute));

/** The matching datasets domain of the store `s` belongs to. */
async function datasetsOf(s: ExperimentsStorage): Promise<DatasetsStorage> {
  const store = s === p.d1 ? p.d1Store : p.libsqlStore;
  return (await store.getStore('datasets'))!;
}

async function itemId(s: ExperimentsStorage, q: number): Promise<string> {
  const { items } = await (await datasetsOf(s)).listItems({ datasetId: 'd1', pagination: page(false) });
  return items.find((item) => (item.input as { q: number } | null)?.q === q)!.id;
}

const result = async (s: ExperimentsStorage, q: number, extra: Record<string, unknown> = {}) => ({
  experimentId: 'e1',
  itemId: await itemId(s, q),
  itemDatasetVersion: 1,
  input: { q },
  output: { a: q },
  groundTruth: q,
  error: null,
  startedAt: at(q),
  completedAt: at(q + 1),
  retryCount: 0,
  ...extra,
});

async function seed() {
  await p.same(async (s) => {
    const datasets = await datasetsOf(s);
    await datasets.createDataset({ id: 'd1', name: 'qa' });
    await datasets.batchInsertItems({ datasetId: 'd1', items: [{ input: { q: 1 } }, { input: { q: 2 } }, { input: { q: 3 } }] });
  });
  await p.same((s) =>
    s.createExperiment({ id: 'e1', name: 'run', metadata: { m: 1 }, datasetId: 'd1', datasetVersion: 1, targetType: 'agent', targetId: 'a1', scorerIds: ['s'], totalItems: 3, experimentSetId: 'set', trialIndex: 0, organizationId: 'o1', projectId: 'p1', provenance: { source: 'x' } }),
  );
  await p.same((s) => s.createExperiment({ id: 'e2', datasetId: null, datasetVersion: null, targetType: null, targetId: null, totalItems: 0, agentVersion: 'v1' }));
}

describe('ExperimentsStorageD1 matches LibSQLStore', () => {
  it('creates, updates, reads, lists and deletes experiments alike', async () => {
    await seed();
    await p.same((s) => s.getExperimentById({ id: 'e1' }));
    await p.same((s) => s.getExperimentById({ id: 'e1', filters: { organizationId: 'o2' } }));
    await p.same((s) => s.getExperimentById({ id: 'missing' }));
    await p.same((s) => s.updateExperiment({ id: 'e1', status: 'running', startedAt: at(1), succeededCount: 1, name: 'renamed', metadata: { m: 2 } }));
    await p.same((s) => s.updateExperiment({ id: 'e2', status: 'completed', completedAt: at(5), failedCount: 2, skippedCount: 1, totalItems: 9, description: 'd' }));
    await p.same((s) => s.updateExperiment({ id: 'missing', status: 'failed' }), { throws: true });
    for (const filter of [{}, { datasetId: 'd1' }, { status: 'completed' as const }, { targetType: 'agent' as const, targetId: 'a1' }, { agentVersion: 'v1' }, { experimentSetId: 'set', trialIndex: 0 }, { filters: { organizationId: 'o1', projectId: 'p1' } }]) {
      await p.same((s) => s.listExperiments({ ...filter, pagination: page() }));
    }
    await p.same((s) => s.listExperiments({ pagination: page(1, 1), orderBy: { field: 'status', direction: 'ASC' } }));
    await p.bothRefuse((s) => s.listExperiments({ pagination: page(), orderBy: { field: 'toString' as never } }));
    await p.same((s) => s.deleteExperiment({ id: 'e1', filters: { organizationId: 'o2' } }));
    await p.same((s) => s.getExperimentById({ id: 'e1' }));
    await p.same((s) => s.deleteExperiment({ id: 'e1' }));
    await p.same((s) => s.getExperimentById({ id: 'e1' }));
    await p.same((s) => s.deleteExperiment({ id: 'missing' }));
  });

  it('writes, reviews, lists and summarizes results alike', async () => {
    await seed();
    await p.same(async (s) => s.addExperimentResult({ ...(await result(s, 1, { tags: ['a', 'b'], traceId: 't1', status: 'needs-review' })), id: 'r1' }));
    await p.same(async (s) => s.addExperimentResult(await result(s, 2, { error: { message: 'boom' }, metadata: { k: 1 }, toolMockReport: { served: [], unconsumed: [], liveCalls: [] } })));
    await p.same(async (s) => s.upsertExperimentResult(await result(s, 3, { attempt: 0, status: 'complete' })));
    await p.same(async (s) => s.upsertExperimentResult(await result(s, 3, { attempt: 0, output: 'second', retryCount: 1 })));
    await p.same(async (s) => s.upsertExperimentResult(await result(s, 3, { attempt: 1, tags: ['b'], startedAt: at(10) })));
    await p.same((s) => s.updateExperimentResult({ id: 'r1', status: 'reviewed', comment: 'fine', tags: ['c'] }));
    await p.same((s) => s.updateExperimentResult({ id: 'r1', experimentId: 'e1', comment: null }));
    await p.same((s) => s.updateExperimentResult({ id: 'r1', experimentId: 'e2', status: 'complete' }), { throws: true });
    await p.same((s) => s.updateExperimentResult({ id: 'missing', status: 'complete' }), { throws: true });
    await p.same((s) => s.getExperimentResultById({ id: 'r1' }));
    await p.same((s) => s.getExperimentResultById({ id: 'r1', filters: { projectId: 'x' } }));
    await p.same((s) => s.getExperimentResultById({ id: 'missing' }));
    for (const filter of [{}, { traceId: 't1' }, { status: 'complete' as const }, { tags: ['b'] }, { tags: ['a', 'c'] }, { tags: ['c'] }]) {
      await p.same((s) => s.listExperimentResults({ experimentId: 'e1', ...filter, pagination: page() }));
    }
    // Results written in one millisecond tie on createdAt and fall back to random ids: order by startedAt.
    await p.same((s) => s.listExperimentResults({ experimentId: 'e1', pagination: page(2, 1), orderBy: { field: 'startedAt', direction: 'DESC' } }));
    await p.same((s) => s.getReviewSummary());
    await p.same((s) => s.deleteExperimentResults({ experimentId: 'e1', filters: { organizationId: 'other' } }));
    await p.same((s) => s.listExperimentResults({ experimentId: 'e1', pagination: page(false) }));
    await p.same((s) => s.deleteExperimentResults({ experimentId: 'e1' }));
    await p.same((s) => s.getReviewSummary());
  });

  it('keeps no payload of a purged item in its results alike', async () => {
    await seed();
    await p.same(async (s) => s.addExperimentResult({ ...(await result(s, 1, { tags: ['a'] })), id: 'r1' }));
    await p.same((s) => s.updateExperimentResult({ id: 'r1', comment: 'keep me?' }));
    await p.same(async (s) => (await datasetsOf(s)).purgeItem({ id: await itemId(s, 1), datasetId: 'd1' }));
    await p.same((s) => s.getExperimentResultById({ id: 'r1' }));
    const purgedId = async (s: ExperimentsStorage) => (await (await datasetsOf(s)).listItems({ datasetId: 'd1', pagination: page(false) })).items.find((i) => i.input === null)!.id;
    await p.same(async (s) => s.addExperimentResult({ ...(await result(s, 2)), itemId: await purgedId(s), attempt: 2, id: 'r2' }));
    await p.same(async (s) => s.upsertExperimentResult({ ...(await result(s, 2)), itemId: await purgedId(s), attempt: 2 }));
    await p.same((s) => s.updateExperimentResult({ id: 'r2', tags: ['t'], comment: 'c', status: 'reviewed' }));
    // Deleting the dataset takes the results of its experiments and unlinks the experiments.
    await p.same(async (s) => (await datasetsOf(s)).deleteDataset({ id: 'd1' }));
    await p.same((s) => s.getExperimentById({ id: 'e1' }));
    await p.same((s) => s.listExperimentResults({ experimentId: 'e1', pagination: page() }));
  });

  it('prunes whole completed experiments with their results alike', async () => {
    await seed();
    const old = new Date(Date.now() - 40 * 86_400_000);
    for (const id of ['p1', 'p2', 'p3', 'recent', 'running']) {
      await p.same((s) => s.createExperiment({ id, datasetId: null, datasetVersion: null, targetType: null, targetId: null, totalItems: 1 }));
      if (id !== 'running') await p.same((s) => s.updateExperiment({ id, status: 'completed', completedAt: id === 'recent' ? new Date() : new Date(old.getTime() + id.length) }));
      await p.same(async (s) => s.addExperimentResult({ ...(await result(s, 1)), experimentId: id }));
      await p.same(async (s) => s.addExperimentResult({ ...(await result(s, 2)), experimentId: id }));
    }
    const stripPrefix = (results: unknown) => (results as { table: string }[]).map((r) => ({ ...r, table: r.table.replace(p.prefix, '') }));
    await p.same((s) => s.prune({ experiments: { maxAge: '30d', batchSize: 2 } }, { maxBatches: 1 }), { normalize: stripPrefix });
    await p.same((s) => s.prune({ experiments: { maxAge: '30d', batchSize: 2 } }), { normalize: stripPrefix });
    await p.same((s) => s.prune({ experiments: { maxAge: '30d' } }), { normalize: stripPrefix });
    await p.same((s) => s.prune({}));
    await p.same((s) => s.listExperiments({ pagination: page(false) }));
    await p.same((s) => s.getReviewSummary());
  });

  it('refuses an experiment id in use instead of replacing it (LibSQLStore replaces it)', async () => {
    await seed();
    await p.d1.updateExperiment({ id: 'e1', status: 'running', succeededCount: 2 });
    const error = await p.d1.createExperiment({ id: 'e1', datasetId: 'd1', datasetVersion: 1, targetType: 'agent', targetId: 'a1', totalItems: 3 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ category: 'USER', id: 'MASTRA_STORAGE_CLOUDFLARE_D1_CREATE_EXPERIMENT_ALREADY_EXISTS' });
    expect(await p.d1.getExperimentById({ id: 'e1' })).toMatchObject({ status: 'running', succeededCount: 2 });
  });
});
