import type { StorageUpsertToolProviderConnectionInput } from '@mastra/core/storage';
import { describe, it } from 'vitest';
import { normalize, useParity } from '../support/parity';

const p = useParity('toolProviderConnections');
const key = { authorId: 'u1', providerId: 'composio', connectionId: 'ca_1' };
const input = (extra: Partial<StorageUpsertToolProviderConnectionInput> = {}): StorageUpsertToolProviderConnectionInput => ({ ...key, toolkit: 'gmail', label: 'Work Gmail', ...extra });
/** "Order is not guaranteed" by the contract: compare lists as sets. */
const unordered = (rows: unknown) => (normalize(rows) as object[]).map((r) => JSON.stringify(r)).sort();

describe('ToolProviderConnectionsStorageD1 matches LibSQLStore', () => {
  it('answers every call alike', async () => {
    await p.same((s) => s.getConnectionById(key));
    await p.same((s) => s.upsertConnection(input()));
    await p.same((s) => s.getConnectionById(key));
    await p.same((s) => s.upsertConnection(input({ scope: 'shared', label: null })));
    await p.same((s) => s.upsertConnection(input({ toolkit: 'gmail-v2', label: 'Renamed' })));
    await p.same((s) => s.getConnectionById(key));
    await p.same((s) => s.upsertConnection({ ...input(), connectionId: 'ca_2', scope: 'caller-supplied' }));
    await p.same((s) => s.upsertConnection({ ...input(), authorId: 'u2', providerId: 'arcade', toolkit: 'slack', label: undefined as unknown as null }));
    for (const filter of [{ authorId: 'u1' }, { providerId: 'arcade' }, { authorId: 'u1', toolkit: 'gmail' }, { scope: 'shared' as const }, { authorId: 'u1', providerId: '' }, {}, { authorId: 'nobody' }]) {
      await p.same((s) => s.listConnectionsByAuthor(filter), { normalize: unordered });
    }
    await p.same((s) => s.deleteConnection(key));
    await p.same((s) => s.deleteConnection(key));
    await p.same((s) => s.getConnectionById(key));
    await p.same((s) => s.dangerouslyClearAll());
    await p.same((s) => s.listConnectionsByAuthor({}), { normalize: unordered });
  });

  it('refuses what LibSQLStore cannot store, as USER errors', async () => {
    await p.bothRefuse((s) => s.upsertConnection(input({ toolkit: undefined as unknown as string })));
    await p.bothRefuse((s) => s.upsertConnection(input({ authorId: undefined as unknown as string })));
    await p.bothRefuse((s) => s.getConnectionById({ ...key, connectionId: undefined as unknown as string }));
    await p.bothRefuse((s) => s.deleteConnection({ ...key, providerId: undefined as unknown as string }));
    await p.same((s) => s.listConnectionsByAuthor({}));
  });
});
