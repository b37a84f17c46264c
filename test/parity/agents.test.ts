import { describe, it } from 'vitest';
import { DOMAIN_KEYS } from '../../src/domains/registry';
import { FIXTURES, versionedParity } from '../conformance/versioned-fixtures';
import { useParity } from '../support/parity';

versionedParity(FIXTURES.agents);

const p = useParity('agents');
const create = (id: string, n: number, thin: Record<string, unknown> = {}) => p.same((s) => s.create({ agent: { id, ...thin, ...FIXTURES.agents.snapshot(n) } as never }));
const pause = () => new Promise((resolve) => setTimeout(resolve, 3));

describe('AgentsStorageD1 lists owned agents as LibSQLStore does', () => {
  it('filters by visibility and entityIds, and defaults visibility to private for an author', async () => {
    await create('a1', 1, { authorId: 'u1' });
    await pause();
    await create('a2', 2, { authorId: 'u1', visibility: 'public' });
    await pause();
    await create('a3', 3);
    await p.same((s) => s.update({ id: 'a3', visibility: 'public' }));
    for (const args of [{ visibility: 'public' as const }, { visibility: 'private' as const }, { entityIds: ['a3', 'a1', 'x'] }, { entityIds: [] }, { favoritedOnly: true }, { entityIds: ['a2'], visibility: 'public' as const, authorId: 'u1' }]) {
      await p.same((s) => s.list(args));
    }
  });

  // The pin is a join on the favorites table, which the favorites domain creates.
  it.skipIf(!DOMAIN_KEYS.includes('favorites'))('pins an user\'s favorites first and lists only them with favoritedOnly', async () => {
    for (const n of [1, 2, 3]) {
      await create(`a${n}`, n);
      await pause();
    }
    for (const store of [p.libsqlStore, p.d1Store]) await (await store.getStore('favorites'))!.favorite({ userId: 'u1', entityType: 'agent', entityId: 'a1' });
    await p.same((s) => s.list({ pinFavoritedFor: 'u1' }));
    await p.same((s) => s.list({ pinFavoritedFor: 'u1', favoritedOnly: true }));
    await p.same((s) => s.list({ pinFavoritedFor: 'u2', orderBy: { field: 'createdAt', direction: 'ASC' } }));
  });
});
