import { MastraError } from '@mastra/core/error';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';
import { uniquePrefix } from '../support/harness';
import { WORKSPACES_FIXTURE } from './workspaces-fixture';

type Row = Record<string, any>;
const input = (id: string, n: number, thin: Row = {}) => ({ workspace: { id, ...thin, ...WORKSPACES_FIXTURE.snapshot(n) } });

// The shared versioned suite filters lists by status, which core's workspace list input does not have
// (LibSQLStore ignores it, as this domain does), so workspaces have their own suite.
describeConformance('workspaces', 'WorkspacesStorageD1', (t) => {
  const domain = async (config?: { tablePrefix?: string }) => (await t.domain(config)) as unknown as Row;
  const userError = async (call: () => Promise<unknown>) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MastraError);
    expect((error as MastraError).category).toBe('USER');
  };

  t.it('creates with version 1, versions snapshot changes on update, merges metadata, publishes, deletes', async () => {
    const s = await domain();
    expect(await s.create(input('w1', 1, { authorId: 'u1', metadata: { a: 1 } }))).toMatchObject({ id: 'w1', status: 'draft', metadata: { a: 1 } });
    await s.update({ id: 'w1', name: 'Workspace 1', metadata: { b: 2 } });
    expect(await s.countVersions('w1')).toBe(1);
    expect(await s.update({ id: 'w1', sandbox: { type: 'e2b' }, autoSync: true })).toMatchObject({ metadata: { a: 1, b: 2 }, status: 'draft' });
    const latest = await s.getLatestVersion('w1');
    expect(latest).toMatchObject({ versionNumber: 2, name: 'Workspace 1', sandbox: { type: 'e2b' }, autoSync: true, changedFields: ['sandbox', 'autoSync'] });
    expect(await s.update({ id: 'w1', activeVersionId: latest.id })).toMatchObject({ status: 'published', activeVersionId: latest.id });
    expect(await s.getByIdResolved('w1')).toMatchObject({ sandbox: { type: 'e2b' }, resolvedVersionId: latest.id });
    await s.create(input('w2', 2, { authorId: 'u2', metadata: { team: 'red' } }));
    const ids = async (args: Row) => (await s.list(args)).workspaces.map((w: Row) => w.id);
    expect(await ids({ authorId: 'u2' })).toEqual(['w2']);
    expect(await ids({ metadata: { team: 'red' } })).toEqual(['w2']);
    expect((await s.listResolved({ status: 'draft' })).workspaces.map((w: Row) => w.name)).toEqual(['Workspace 2', 'Workspace 1']);
    await s.delete('w1');
    expect(await s.getById('w1')).toBeNull();
    expect(await s.countVersions('w1')).toBe(0);
  });

  t.it('two stores updating at once: one new version wins, the other fails whole with a UNIQUE error', async () => {
    const prefix = uniquePrefix('wsr');
    const [a, b] = [await domain({ tablePrefix: prefix }), await domain({ tablePrefix: prefix })];
    await a.create(input('w1', 1));
    const results = await Promise.allSettled([a.update({ id: 'w1', description: 'a', metadata: { by: 'a' } }), b.update({ id: 'w1', description: 'b', metadata: { by: 'b' } })]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(await a.countVersions('w1')).toBe(1 + results.length - failed.length);
    for (const { reason } of failed) expect(String(reason.message)).toContain('UNIQUE constraint failed');
    if (failed.length) expect((await b.getById('w1')).metadata.by).toBe(results[0]!.status === 'fulfilled' ? 'a' : 'b');
  });

  t.it('refuses re-creation and bad input, writing nothing', async () => {
    const s = await domain();
    await s.create(input('w1', 1, { metadata: { keep: true } }));
    const again = await s.create(input('w1', 2)).catch((e: unknown) => e);
    expect(String((again as Error).message)).toContain('UNIQUE constraint failed');
    await userError(() => s.update({ id: 'missing', name: 'x' }));
    await userError(() => s.update({ id: 'w1', metadata: 'no' }));
    await userError(() => s.create({ workspace: { id: 'w2', ...WORKSPACES_FIXTURE.snapshot(2), name: undefined } }));
    await userError(() => s.list({ metadata: { 'a;b': 1 } }));
    expect(await s.getById('w2')).toBeNull();
    expect(await s.getById('w1')).toMatchObject({ metadata: { keep: true } });
    expect(await s.getLatestVersion('w1')).toMatchObject({ versionNumber: 1, name: 'Workspace 1' });
    await s.dangerouslyClearAll();
    expect(await s.countVersions('w1')).toBe(0);
  });
});
