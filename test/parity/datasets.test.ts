import type { DatasetsStorage } from '@mastra/core/storage';
import { describe, it } from 'vitest';
import { normalize, useParity } from '../support/parity';

const p = useParity('datasets');
const page = (perPage: number | false = 10, n = 0) => ({ page: n, perPage });

/** Items written in one batch share `createdAt`, so their order falls to random ids: compare them by content. */
function byContent(value: unknown): unknown {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      const items = v.map(sort);
      return items.every((x) => x && typeof x === 'object' && 'input' in x) ? items.sort((a, b) => key(a).localeCompare(key(b))) : items;
    }
    return v && typeof v === 'object' && !(v instanceof Date) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sort(x)])) : v;
  };
  const key = (x: unknown) => JSON.stringify([(x as { input: unknown }).input, (x as { datasetVersion?: number }).datasetVersion]);
  return normalize(sort(value));
}

/** The id of the current item whose input is `{ q }` in this store. */
async function idOf(s: DatasetsStorage, datasetId: string, q: unknown): Promise<string> {
  const { items } = await s.listItems({ datasetId, pagination: page(false) });
  return items.find((item) => (item.input as { q: unknown }).q === q)?.id ?? 'missing';
}

async function seedDataset() {
  await p.same((s) => s.createDataset({ id: 'd1', name: 'QA set', description: 'd', metadata: { a: 1 }, inputSchema: null, targetType: 'agent', targetIds: ['a1', 'a2'], scorerIds: ['s1'], organizationId: 'o1', projectId: 'p1' }));
  await p.same((s) => s.batchInsertItems({ datasetId: 'd1', items: [{ input: { q: 1 }, groundTruth: 'one', metadata: { m: 1 } }, { input: { q: 2 }, externalId: 'e2', source: { type: 'csv' } }, { input: { q: 3 }, toolMocks: [], unmockedToolPolicy: 'deny', scorerIds: ['x'] }] }), { normalize: byContent });
}

describe('DatasetsStorageD1 matches LibSQLStore', () => {
  it('creates, reads, updates, lists and refuses datasets alike', async () => {
    await seedDataset();
    await p.same((s) => s.createDataset({ name: 'second', candidateKey: 'k', candidateId: 'c' }));
    await p.same((s) => s.createDataset({ id: 'd1', name: 'other name', organizationId: 'o1', projectId: 'p1' }));
    await p.same((s) => s.createDataset({ id: 'd1', name: 'QA set', organizationId: 'o2' }), { throws: true });
    await p.same((s) => s.createDataset({ id: '', name: 'empty id' }), { throws: true });
    await p.same((s) => s.getDatasetById({ id: 'd1' }));
    await p.same((s) => s.getDatasetById({ id: 'd1', filters: { organizationId: 'o1', projectId: 'p1' } }));
    await p.same((s) => s.getDatasetById({ id: 'd1', filters: { organizationId: 'o2' } }));
    await p.same((s) => s.getDatasetById({ id: 'missing' }));
    await p.same((s) => s.updateDataset({ id: 'd1', name: 'renamed', tags: ['t'], targetIds: null, metadata: { b: 2 }, groundTruthSchema: { type: 'string' } }));
    await p.same((s) => s.getDatasetById({ id: 'd1' }));
    await p.same((s) => s.updateDataset({ id: 'd1', targetType: null, description: 'again' }));
    await p.same((s) => s.updateDataset({ id: 'missing', name: 'x' }), { throws: true });
    await p.same((s) => s.updateDataset({ id: 'd1', name: 'x', filters: { organizationId: 'o2' } }), { throws: true });
    for (const filters of [{}, { name: 'rename' }, { name: 'REN' }, { name: 'nope' }, { organizationId: 'o1' }, { candidateKey: 'k', candidateId: 'c' }, { targetType: 'agent' as const }, { targetIds: ['a1'] }, { targetIds: [] }]) {
      await p.same((s) => s.listDatasets({ pagination: page(), filters }));
    }
    await p.same((s) => s.listDatasets({ pagination: page(1, 1), orderBy: { field: 'name', direction: 'ASC' } }));
    await p.same((s) => s.listDatasets({ pagination: page(false), orderBy: { field: 'updatedAt', direction: 'DESC' } }));
    await p.bothRefuse((s) => s.listDatasets({ pagination: page(), orderBy: { field: 'constructor' as never } }));
    await p.bothRefuse((s) => s.listDatasets({ pagination: { page: -1, perPage: 10 } }));
  });

  it('versions items alike: add, update, delete, read as of a version, history', async () => {
    await seedDataset();
    await p.same((s) => s.addItem({ datasetId: 'd1', input: { q: 4 }, externalId: 'e4' }));
    // A known external id with the same payload resolves to the stored item without a new version; another payload conflicts.
    await p.same((s) => s.batchInsertItems({ datasetId: 'd1', items: [{ input: { q: 2 }, externalId: 'e2', source: { type: 'csv' } }, { input: { q: 5 }, externalId: 'e5' }] }), { normalize: byContent });
    await p.same((s) => s.batchInsertItems({ datasetId: 'd1', items: [{ input: { q: 9 }, externalId: 'e2' }] }), { throws: true });
    await p.same((s) => s.batchInsertItems({ datasetId: 'd1', items: [] }));
    await p.same((s) => s.batchInsertItems({ datasetId: 'missing', items: [{ input: 1 }] }), { throws: true });
    await p.same(async (s) => s.updateItem({ id: await idOf(s, 'd1', 1), datasetId: 'd1', input: { q: 1 }, groundTruth: null, metadata: { m: 2 } }));
    await p.same(async (s) => s.updateItem({ id: await idOf(s, 'd1', 3), datasetId: 'd1', scorerIds: null, unmockedToolPolicy: 'allow' }));
    await p.same((s) => s.updateItem({ id: 'missing', datasetId: 'd1', input: 1 }), { throws: true });
    await p.same(async (s) => s.deleteItem({ id: await idOf(s, 'd1', 2), datasetId: 'd1' }));
    await p.same((s) => s.deleteItem({ id: 'missing', datasetId: 'd1' }));
    await p.same(async (s) => s.batchDeleteItems({ datasetId: 'd1', itemIds: [await idOf(s, 'd1', 4), 'missing'] }));
    await p.same((s) => s.batchDeleteItems({ datasetId: 'd1', itemIds: ['missing'] }));
    await p.same((s) => s.batchDeleteItems({ datasetId: 'missing', itemIds: ['x'] }), { throws: true });
    await p.same((s) => s.batchInsertItems({ datasetId: 'd1', items: [{ input: { q: 2 }, externalId: 'e2', source: { type: 'csv' } }] }), { throws: true });
    await p.same((s) => s.getDatasetById({ id: 'd1' }));
    for (const version of [undefined, 0, 1, 2, 3, 4, 5, 6, 7, 99]) {
      await p.same((s) => s.listItems({ datasetId: 'd1', version, pagination: page(false) }), { normalize: byContent });
      await p.same((s) => s.getItemsByVersion({ datasetId: 'd1', version: version ?? 7 }), { normalize: byContent });
    }
    await p.same((s) => s.listItems({ datasetId: 'd1', search: 'Q":1', pagination: page() }), { normalize: byContent });
    await p.same((s) => s.listItems({ datasetId: 'd1', pagination: page(1, 1), orderBy: { field: 'updatedAt', direction: 'ASC' }, filters: { organizationId: 'o1' } }));
    await p.same((s) => s.listItems({ datasetId: 'd1', pagination: page(), filters: { projectId: 'other' } }));
    await p.same(async (s) => s.getItemById({ id: await idOf(s, 'd1', 1) }));
    await p.same(async (s) => s.getItemById({ id: await idOf(s, 'd1', 1), datasetVersion: 1 }));
    await p.same(async (s) => s.getItemById({ id: await idOf(s, 'd1', 1), datasetVersion: 0 }));
    await p.same(async (s) => s.getItemHistory(await idOf(s, 'd1', 1)));
    await p.same(async (s) => s.getItemHistory(await idOf(s, 'd1', 3)));
    await p.same((s) => s.getItemHistory('missing'));
    await p.same((s) => s.listDatasetVersions({ datasetId: 'd1', pagination: page(3, 1) }));
    await p.same((s) => s.listDatasetVersions({ datasetId: 'missing', pagination: page() }));
    await p.same((s) => s.createDatasetVersion('d1', 100));
    await p.same((s) => s.listDatasetVersions({ datasetId: 'd1', pagination: page(2) }));
  });

  it('refuses an item write on the wrong dataset alike', async () => {
    await seedDataset();
    await p.same((s) => s.createDataset({ id: 'd2', name: 'other' }));
    await p.same(async (s) => s.updateItem({ id: await idOf(s, 'd1', 1), datasetId: 'd2', input: 2 }), { throws: true });
    await p.same(async (s) => s.deleteItem({ id: await idOf(s, 'd1', 1), datasetId: 'd2' }), { throws: true });
    await p.same(async (s) => s.deleteItem({ id: await idOf(s, 'd1', 1), datasetId: 'd1', filters: { organizationId: 'o2' } }));
    await p.same((s) => s.listItems({ datasetId: 'd1', pagination: page(false) }), { normalize: byContent });
  });

  it('purges items and deletes datasets alike', async () => {
    await seedDataset();
    await p.same(async (s) => s.updateItem({ id: await idOf(s, 'd1', 1), datasetId: 'd1', input: { q: 1 }, groundTruth: 'uno' }));
    await p.same(async (s) => s.purgeItem({ id: await idOf(s, 'd1', 1), datasetId: 'd1' }));
    await p.same((s) => s.purgeItem({ id: 'missing', datasetId: 'd1' }));
    await p.same(async (s) => s.getItemHistory((await s.listItems({ datasetId: 'd1', pagination: page(false) })).items.find((i) => i.input === null)!.id));
    await p.same(async (s) => s.updateItem({ id: (await s.listItems({ datasetId: 'd1', pagination: page(false) })).items.find((i) => i.input === null)!.id, datasetId: 'd1', input: 1 }), { throws: true });
    await p.same((s) => s.deleteDataset({ id: 'd1', filters: { organizationId: 'o2' } }));
    await p.same((s) => s.getDatasetById({ id: 'd1' }));
    await p.same((s) => s.deleteDataset({ id: 'd1', filters: { organizationId: 'o1' } }));
    await p.same((s) => s.getDatasetById({ id: 'd1' }));
    await p.same((s) => s.listItems({ datasetId: 'd1', pagination: page() }));
    await p.same((s) => s.listDatasetVersions({ datasetId: 'd1', pagination: page() }));
    await p.same((s) => s.deleteDataset({ id: 'missing' }));
    await p.same((s) => s.dangerouslyClearAll());
  });
});
