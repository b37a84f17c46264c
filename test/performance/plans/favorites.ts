import { at } from '../../../bench/data';
import { domain, expectIndexed, FILTERED_BUDGET, GROUPS, range, rowsRead, seed, STORED, storeWithLog, type PlanCases } from '../plan-kit';

export default {
  favorites: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      await (await domain(store, 'skills')).create({ skill: { id: 's1', name: 'S', description: 'd', instructions: 'i' } });
      const favorites = await domain(store, 'favorites');
      await expectIndexed(prefix, counter, async () => {
        await favorites.favorite({ userId: 'u1', entityType: 'skill', entityId: 's1' });
        await favorites.isFavorited({ userId: 'u1', entityType: 'skill', entityId: 's1' });
        await favorites.isFavoritedBatch({ userId: 'u1', entityType: 'skill', entityIds: ['s1', 's2'] });
        await favorites.listFavoritedIds({ userId: 'u1', entityType: 'skill' });
        await favorites.unfavorite({ userId: 'u1', entityType: 'skill', entityId: 's1' });
        await favorites.deleteFavoritesForEntity({ entityType: 'skill', entityId: 's1' });
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      await (await domain(store, 'skills')).create({ skill: { id: 's-7', name: 'S', description: 'd', instructions: 'i' } });
      const favorites = await domain(store, 'favorites');
      const group = (i: number) => i % GROUPS;
      await seed(prefix, 'mastra_favorites', range(STORED).map((i) => ({ userId: `u-${group(i)}`, entityType: 'skill', entityId: `s-${Math.floor(i / GROUPS)}`, createdAt: at(i) })));
      await rowsRead(counter, {
        listFavoritedIds: [() => favorites.listFavoritedIds({ userId: 'u-3', entityType: 'skill' }), FILTERED_BUDGET],
        favorite: [() => favorites.favorite({ userId: 'u-new', entityType: 'skill', entityId: 's-7' }), FILTERED_BUDGET],
        isFavoritedBatch: [() => favorites.isFavoritedBatch({ userId: 'u-3', entityType: 'skill', entityIds: range(20).map((i) => `s-${i}`) }), 65],
      });
    },
  },
} satisfies PlanCases;
