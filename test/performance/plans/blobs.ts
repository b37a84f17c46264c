import { at } from '../../../bench/data';
import { STORED, range, expectIndexed, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

const blob = (i: number) => ({ hash: `hash-${i}`, content: `file ${i}`, size: 6, createdAt: at(i) });

export default {
  blobs: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const blobs = await domain(store, 'blobs');
      await blobs.putMany([blob(1), blob(2)]);
      await expectIndexed(prefix, counter, async () => {
        await blobs.get('hash-1');
        await blobs.has('hash-1');
        await blobs.getMany(['hash-1', 'hash-2', 'missing']);
        await blobs.delete('hash-2');
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const blobs = await domain(store, 'blobs');
      await seed(prefix, 'mastra_skill_blobs', range(STORED).map(blob));
      await rowsRead(counter, {
        get: [() => blobs.get('hash-7'), 2],
        getMany: [() => blobs.getMany(range(20).map((i) => `hash-${i * 3}`)), 65],
        putMany: [() => blobs.putMany(range(20).map((i) => blob(i * 7))), 45],
      });
    },
  },
} satisfies PlanCases;
