import { MastraError } from '@mastra/core/error';
import type { D1Store } from '../../src';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';

const model = { provider: 'openai', name: 'm' };

async function entities(store: D1Store) {
  await (await store.getStore('agents'))!.create({ agent: { id: 'a1', name: 'A', instructions: 'i', model } });
  await (await store.getStore('skills'))!.create({ skill: { id: 's1', name: 'S', description: 'd', instructions: 'i' } });
}

describeConformance('favorites', 'FavoritesStorageD1', (t) => {
  t.it('stars and unstars idempotently; the count follows the rows and never goes negative', async () => {
    const store = await t.store();
    await entities(store);
    const favorites = (await store.getStore('favorites'))!;
    const agents = (await store.getStore('agents'))!;
    expect(await favorites.favorite({ userId: 'u1', entityType: 'agent', entityId: 'a1' })).toEqual({ favorited: true, favoriteCount: 1 });
    expect(await favorites.favorite({ userId: 'u1', entityType: 'agent', entityId: 'a1' })).toEqual({ favorited: true, favoriteCount: 1 });
    expect(await favorites.favorite({ userId: 'u2', entityType: 'agent', entityId: 'a1' })).toEqual({ favorited: true, favoriteCount: 2 });
    expect((await agents.getById('a1'))!.favoriteCount).toBe(2);
    expect(await favorites.unfavorite({ userId: 'u1', entityType: 'agent', entityId: 'a1' })).toEqual({ favorited: false, favoriteCount: 1 });
    expect(await favorites.unfavorite({ userId: 'u1', entityType: 'agent', entityId: 'a1' })).toEqual({ favorited: false, favoriteCount: 1 });
    expect(await favorites.unfavorite({ userId: 'u2', entityType: 'agent', entityId: 'a1' })).toEqual({ favorited: false, favoriteCount: 0 });
    expect(await favorites.unfavorite({ userId: 'u2', entityType: 'agent', entityId: 'a1' })).toEqual({ favorited: false, favoriteCount: 0 });
    await favorites.favorite({ userId: 'u1', entityType: 'skill', entityId: 's1' });
    expect((await (await store.getStore('skills'))!.getById('s1'))!.favoriteCount).toBe(1);
    const ids = Array.from({ length: 150 }, (_, i) => `x${i}`).concat('s1');
    expect([...(await favorites.isFavoritedBatch({ userId: 'u1', entityType: 'skill', entityIds: ids }))]).toEqual(['s1']);
  });

  t.it('concurrent stars and unstars from two stores leave favoriteCount equal to the favorite rows', async () => {
    const prefix = `fv${Math.random().toString(36).slice(2, 8)}_`;
    const [one, two] = [await t.store({ tablePrefix: prefix }), await t.store({ tablePrefix: prefix })];
    await entities(one);
    const [a, b] = [(await one.getStore('favorites'))!, (await two.getStore('favorites'))!];
    const users = Array.from({ length: 8 }, (_, i) => `u${i}`);
    await Promise.all(users.flatMap((userId, i) => [(i % 2 ? a : b).favorite({ userId, entityType: 'agent', entityId: 'a1' }), (i % 2 ? b : a).favorite({ userId, entityType: 'agent', entityId: 'a1' })]));
    await Promise.all(users.slice(0, 3).flatMap((userId, i) => [(i % 2 ? a : b).unfavorite({ userId, entityType: 'agent', entityId: 'a1' }), (i % 2 ? b : a).favorite({ userId: `w${i}`, entityType: 'agent', entityId: 'a1' })]));
    const rows = (await Promise.all([...users, 'w0', 'w1', 'w2'].map((userId) => a.isFavorited({ userId, entityType: 'agent', entityId: 'a1' })))).filter(Boolean).length;
    expect(rows).toBe(8);
    expect((await (await two.getStore('agents'))!.getById('a1'))!.favoriteCount).toBe(rows);
  });

  t.it('refuses a missing entity, an unknown type or a missing user as USER errors writing nothing', async () => {
    const store = await t.store();
    await entities(store);
    const favorites = (await store.getStore('favorites'))!;
    for (const call of [
      () => favorites.favorite({ userId: 'u1', entityType: 'agent', entityId: 'missing' }),
      () => favorites.unfavorite({ userId: 'u1', entityType: 'skill', entityId: 'missing' }),
      () => favorites.favorite({ userId: 'u1', entityType: 'workflow' as never, entityId: 'a1' }),
      () => favorites.favorite({ userId: '', entityType: 'agent', entityId: 'a1' }),
      () => favorites.isFavoritedBatch({ userId: 'u1', entityType: 'agent', entityIds: 'a1' as never }),
      () => favorites.listFavoritedIds({ userId: 'u1', entityType: 'constructor' as never }),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect((error as MastraError).category).toBe('USER');
    }
    expect(await favorites.isFavorited({ userId: 'u1', entityType: 'agent', entityId: 'missing' })).toBe(false);
  });

  t.it('deletes an entity\'s stars, and dangerouslyClearAll zeroes the counts', async () => {
    const store = await t.store();
    await entities(store);
    const favorites = (await store.getStore('favorites'))!;
    for (const userId of ['u1', 'u2']) await favorites.favorite({ userId, entityType: 'agent', entityId: 'a1' });
    await favorites.favorite({ userId: 'u1', entityType: 'skill', entityId: 's1' });
    expect(await favorites.deleteFavoritesForEntity({ entityType: 'agent', entityId: 'a1' })).toBe(2);
    expect((await (await store.getStore('agents'))!.getById('a1'))!.favoriteCount).toBe(0);
    await favorites.dangerouslyClearAll();
    expect(await favorites.listFavoritedIds({ userId: 'u1', entityType: 'skill' })).toEqual([]);
    expect((await (await store.getStore('skills'))!.getById('s1'))!.favoriteCount).toBe(0);
  });
});
