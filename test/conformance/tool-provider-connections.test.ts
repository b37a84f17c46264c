import { MastraError } from '@mastra/core/error';
import type { StorageUpsertToolProviderConnectionInput } from '@mastra/core/storage';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';

const key = { authorId: 'u1', providerId: 'composio', connectionId: 'ca_1' };
const input = (extra: Partial<StorageUpsertToolProviderConnectionInput> = {}): StorageUpsertToolProviderConnectionInput => ({ ...key, toolkit: 'gmail', label: 'Work Gmail', ...extra });

describeConformance('toolProviderConnections', 'ToolProviderConnectionsStorageD1', (t) => {
  t.it('upserts keeping createdAt and the stored scope, reads, lists and deletes', async () => {
    const connections = await t.domain();
    expect(await connections.getConnectionById(key)).toBeNull();
    const first = await connections.upsertConnection(input({ scope: 'shared' }));
    expect(first).toMatchObject({ ...key, toolkit: 'gmail', label: 'Work Gmail', scope: 'shared' });
    expect(first.createdAt).toBeInstanceOf(Date);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await connections.upsertConnection(input({ toolkit: 'gmail-v2', label: null }));
    expect(second).toMatchObject({ toolkit: 'gmail-v2', label: null, scope: 'shared', createdAt: first.createdAt });
    expect(second.updatedAt.getTime()).toBeGreaterThan(first.updatedAt.getTime());
    expect(await connections.getConnectionById(key)).toEqual(second);
    expect(await connections.upsertConnection({ ...input(), connectionId: 'ca_2' })).toMatchObject({ scope: 'per-author' });
    await connections.upsertConnection({ ...input(), authorId: 'u2', providerId: 'arcade', toolkit: 'slack' });
    const ids = (rows: { authorId: string; connectionId: string }[]) => rows.map((r) => `${r.authorId}/${r.connectionId}`);
    expect(ids(await connections.listConnectionsByAuthor({ authorId: 'u1' }))).toEqual(['u1/ca_1', 'u1/ca_2']);
    expect(ids(await connections.listConnectionsByAuthor({ providerId: 'arcade' }))).toEqual(['u2/ca_1']);
    expect(ids(await connections.listConnectionsByAuthor({ authorId: 'u1', toolkit: 'gmail' }))).toEqual(['u1/ca_2']);
    expect(ids(await connections.listConnectionsByAuthor({ scope: 'shared' }))).toEqual(['u1/ca_1']);
    expect(ids(await connections.listConnectionsByAuthor({}))).toEqual(['u1/ca_1', 'u1/ca_2', 'u2/ca_1']);
    await connections.deleteConnection(key);
    await connections.deleteConnection(key);
    expect(await connections.getConnectionById(key)).toBeNull();
  });

  t.it('two stores upserting the same key at once keep one row and one createdAt', async () => {
    const prefix = `tp${Math.random().toString(36).slice(2, 8)}_`;
    const [a, b] = await Promise.all([t.domain({ tablePrefix: prefix }), t.domain({ tablePrefix: prefix })]);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).upsertConnection(input({ label: `l${i}` }))));
    const rows = await a.listConnectionsByAuthor({ authorId: 'u1' });
    expect(rows).toHaveLength(1);
    expect(new Set(results.map((r) => r.createdAt.getTime())).size).toBe(1);
  });

  t.it('refuses a missing key part, a bad label or an unknown scope as USER errors writing nothing', async () => {
    const connections = await t.domain();
    for (const call of [
      () => connections.upsertConnection(input({ authorId: '' })),
      () => connections.upsertConnection(input({ toolkit: undefined as unknown as string })),
      () => connections.upsertConnection(input({ label: 5 as unknown as string })),
      () => connections.upsertConnection(input({ scope: 'everyone' as never })),
      () => connections.getConnectionById({ ...key, connectionId: undefined as unknown as string }),
      () => connections.deleteConnection({ ...key, providerId: '' }),
      () => connections.listConnectionsByAuthor({ authorId: 7 as unknown as string }),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect((error as MastraError).category).toBe('USER');
    }
    expect(await connections.listConnectionsByAuthor({})).toEqual([]);
  });

  t.it('empties with dangerouslyClearAll', async () => {
    const connections = await t.domain();
    await connections.upsertConnection(input());
    await connections.dangerouslyClearAll();
    expect(await connections.getConnectionById(key)).toBeNull();
  });
});
