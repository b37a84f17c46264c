import { MastraError } from '@mastra/core/error';
import type { DatasetsStorage } from '@mastra/core/storage';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';
import { uniquePrefix } from '../support/harness';

const all = { page: 0, perPage: false as const };
const versionsOf = async (datasets: DatasetsStorage, datasetId: string) =>
  (await datasets.listDatasetVersions({ datasetId, pagination: all })).versions.map((v) => v.version).sort((a, b) => a - b);

describeConformance('datasets', 'DatasetsStorageD1', (t) => {
  t.it('versions items SCD-2 style: each write is a new version, and a version reads as it was', async () => {
    const datasets = await t.domain();
    const ds = await datasets.createDataset({ name: 'qa', inputSchema: { type: 'object' } });
    const [a, b] = await datasets.batchInsertItems({ datasetId: ds.id, items: [{ input: { q: 'a' }, groundTruth: 'A' }, { input: { q: 'b' } }] });
    await datasets.updateItem({ id: a!.id, datasetId: ds.id, input: { q: 'a2' } });
    await datasets.deleteItem({ id: b!.id, datasetId: ds.id });
    expect((await datasets.getDatasetById({ id: ds.id }))?.version).toBe(3);
    expect(await versionsOf(datasets, ds.id)).toEqual([1, 2, 3]);
    const inputs = async (version?: number) => (await datasets.listItems({ datasetId: ds.id, version, pagination: all })).items.map((i) => i.input).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    expect(await inputs(1)).toEqual([{ q: 'a' }, { q: 'b' }]);
    expect(await inputs(2)).toEqual([{ q: 'a2' }, { q: 'b' }]);
    expect(await inputs()).toEqual([{ q: 'a2' }]);
    expect((await datasets.getItemHistory(a!.id)).map((r) => [r.datasetVersion, r.validTo, r.isDeleted])).toEqual([[2, null, false], [1, 2, false]]);
    expect((await datasets.getItemHistory(b!.id)).map((r) => [r.datasetVersion, r.validTo, r.isDeleted])).toEqual([[3, null, true], [1, 3, false]]);
    expect((await datasets.getItemById({ id: a!.id, datasetVersion: 1 }))?.input).toEqual({ q: 'a' });
  });

  t.it('adds any number of items in one call, as one version, with values near the size limit', async () => {
    const datasets = await t.domain();
    const ds = await datasets.createDataset({ name: 'bulk' });
    const big = 'x'.repeat(1_500_000);
    const items = [...Array.from({ length: 300 }, (_, i) => ({ input: { i, pad: 'y'.repeat(5_000) } })), { input: { big } }, { input: { i: 'last' }, metadata: { big } }];
    const added = await datasets.batchInsertItems({ datasetId: ds.id, items });
    expect(added).toHaveLength(302);
    expect(new Set(added.map((i) => i.datasetVersion))).toEqual(new Set([1]));
    const listed = await datasets.listItems({ datasetId: ds.id, pagination: { page: 0, perPage: 10 } });
    expect(listed.pagination).toMatchObject({ total: 302, hasMore: true });
    expect((await datasets.getItemById({ id: added[300]!.id }))?.input).toEqual({ big });
    await datasets.batchDeleteItems({ datasetId: ds.id, itemIds: added.map((i) => i.id) });
    expect((await datasets.listItems({ datasetId: ds.id, pagination: all })).items).toEqual([]);
    expect((await datasets.listItems({ datasetId: ds.id, version: 1, pagination: all })).items).toHaveLength(302);
  });

  t.it('matches the name filter as plain text: % and _ are not wildcards', async () => {
    const datasets = await t.domain();
    for (const name of ['100% pass', '100 pass', 'a_b', 'axb']) await datasets.createDataset({ name });
    const names = async (name: string) => (await datasets.listDatasets({ pagination: all, filters: { name } })).datasets.map((d) => d.name).sort();
    expect(await names('0%')).toEqual(['100% pass']);
    expect(await names('A_B')).toEqual(['a_b']);
    expect(await names('%')).toEqual(['100% pass']);
  });

  t.it(
    'two Workers adding items at the same moment make two versions and lose nothing',
    async () => {
      const tablePrefix = uniquePrefix('race');
      const [one, two] = [await t.domain({ tablePrefix }), await t.domain({ tablePrefix })];
      const ds = await one.createDataset({ name: 'race' });
      const seeded = await one.batchInsertItems({ datasetId: ds.id, items: [{ input: 's1' }, { input: 's2' }] });
      const [a, b] = await Promise.all([
        one.batchInsertItems({ datasetId: ds.id, items: [{ input: 'a1' }, { input: 'a2' }] }),
        two.batchInsertItems({ datasetId: ds.id, items: [{ input: 'b1' }] }),
      ]);
      expect(new Set([a[0]!.datasetVersion, b[0]!.datasetVersion])).toEqual(new Set([2, 3]));
      // Updates read the version first: the loser of the race reads again and writes the next version.
      await Promise.all([
        one.updateItem({ id: seeded[0]!.id, datasetId: ds.id, input: 's1 changed' }),
        two.updateItem({ id: seeded[1]!.id, datasetId: ds.id, input: 's2 changed' }),
        two.batchInsertItems({ datasetId: ds.id, items: [{ input: 'c1', externalId: 'c' }] }),
      ]);
      expect(await versionsOf(one, ds.id)).toEqual([1, 2, 3, 4, 5, 6]);
      expect((await two.getDatasetById({ id: ds.id }))?.version).toBe(6);
      const current = (await one.listItems({ datasetId: ds.id, pagination: all })).items.map((i) => i.input).sort();
      expect(current).toEqual(['a1', 'a2', 'b1', 'c1', 's1 changed', 's2 changed']);
    },
    { custom: "a custom client's batch is not atomic, so concurrent version bumps can interleave" },
  );

  t.it('refuses bad input as USER errors, writing nothing', async () => {
    const datasets = await t.domain();
    const ds = await datasets.createDataset({ name: 'qa' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const call of [
      () => datasets.createDataset({ name: '' }),
      () => datasets.createDataset({ name: 'x', metadata: cyclic }),
      () => datasets.batchInsertItems({ datasetId: ds.id, items: [{ input: 'ok' }, { input: 'x'.repeat(2_000_001) }] }),
      () => datasets.listItems({ datasetId: ds.id, version: 1.5, pagination: all }),
      () => datasets.listDatasets({ pagination: all, orderBy: { field: 'constructor' as never } }),
      () => datasets.getItemHistory(''),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect((error as MastraError).category).toBe('USER');
    }
    expect((await datasets.getDatasetById({ id: ds.id }))?.version).toBe(0);
    expect((await datasets.listDatasets({ pagination: all })).datasets).toHaveLength(1);
  });

  t.it('is invisible to another prefix and empties with dangerouslyClearAll', async () => {
    const datasets = await t.domain();
    const ds = await datasets.createDataset({ name: 'qa' });
    await datasets.addItem({ datasetId: ds.id, input: 1 });
    expect(await (await t.domain()).getDatasetById({ id: ds.id })).toBeNull();
    await datasets.dangerouslyClearAll();
    expect(await datasets.getDatasetById({ id: ds.id })).toBeNull();
    expect(await datasets.getItemsByVersion({ datasetId: ds.id, version: 1 })).toEqual([]);
  });
});
