import { describe, it } from 'vitest';
import { useParity } from '../support/parity';

const p = useParity('favorites');
const sortedSet = (set: unknown) => [...(set as Set<string>)].sort();

describe('FavoritesStorageD1 matches LibSQLStore', () => {
  it('answers every call alike, counts included', async () => {
    for (const store of [p.libsqlStore, p.d1Store]) {
      const agents = (await store.getStore('agents'))!;
      const skills = (await store.getStore('skills'))!;
      await agents.create({ agent: { id: 'a1', name: 'A', instructions: 'i', model: { provider: 'openai', name: 'm' } } });
      await agents.create({ agent: { id: 'a2', name: 'B', instructions: 'i', model: { provider: 'openai', name: 'm' } } });
      await skills.create({ skill: { id: 's1', name: 'S', description: 'd', instructions: 'i' } });
    }
    const key = (userId: string, entityId = 'a1', entityType: 'agent' | 'skill' = 'agent') => ({ userId, entityType, entityId });
    await p.same((s) => s.isFavorited(key('u1')));
    await p.same((s) => s.favorite(key('u1')));
    await p.same((s) => s.favorite(key('u1')));
    await p.same((s) => s.favorite(key('u2')));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await p.same((s) => s.favorite(key('u1', 'a2')));
    await p.same((s) => s.favorite(key('u1', 's1', 'skill')));
    await p.same((s) => s.isFavorited(key('u1')));
    await p.same((s) => s.isFavorited(key('u3')));
    await p.same((s) => s.isFavoritedBatch({ userId: 'u1', entityType: 'agent', entityIds: ['a1', 'a2', 'nope', 's1'] }), { normalize: sortedSet });
    await p.same((s) => s.isFavoritedBatch({ userId: 'u1', entityType: 'agent', entityIds: [] }), { normalize: sortedSet });
    await p.same((s) => s.listFavoritedIds({ userId: 'u1', entityType: 'agent' }));
    await p.same((s) => s.listFavoritedIds({ userId: 'u1', entityType: 'skill' }));
    await p.same((s) => s.favorite(key('u1', 'missing')), { throws: true });
    await p.same((s) => s.unfavorite(key('u1', 'missing', 'skill')), { throws: true });
    await p.same((s) => s.unfavorite(key('u2')));
    await p.same((s) => s.unfavorite(key('u2')));
    await p.same((s) => s.unfavorite(key('u9', 'a2')));
    await p.same((s) => s.deleteFavoritesForEntity({ entityType: 'agent', entityId: 'a1' }));
    await p.same((s) => s.deleteFavoritesForEntity({ entityType: 'agent', entityId: 'a1' }));
    await p.same((s) => s.listFavoritedIds({ userId: 'u1', entityType: 'agent' }));
    await p.same((s) => s.favorite(key('u5', 'a2')));
    await p.same((s) => s.dangerouslyClearAll());
    await p.same((s) => s.listFavoritedIds({ userId: 'u1', entityType: 'skill' }));
    await p.same((s) => s.favorite(key('u1', 's1', 'skill')));
  });

  it('refuses an unknown entity type or a missing user, as USER errors', async () => {
    await p.bothRefuse((s) => s.favorite({ userId: 'u1', entityType: 'workflow' as never, entityId: 'a1' }));
    await p.bothRefuse((s) => s.favorite({ userId: undefined as unknown as string, entityType: 'agent', entityId: 'a1' }));
  });
});
