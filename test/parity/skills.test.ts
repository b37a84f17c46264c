import { describe, it } from 'vitest';
import { useParity } from '../support/parity';

type Row = Record<string, any>;
const p = useParity('skills');
const same = (call: (s: Row) => Promise<unknown>, options?: { throws?: boolean }) => p.same((s) => call(s as unknown as Row), options);
const refuse = (call: (s: Row) => Promise<unknown>) => p.bothRefuse((s) => call(s as unknown as Row));
const snapshot = (n: number) => ({ name: `Skill ${n}`, description: `does ${n}`, instructions: `step ${n}`, license: 'MIT', files: [{ path: 'a.md', hash: `h${n}` }], metadata: { tier: n } });
const pause = () => new Promise((resolve) => setTimeout(resolve, 3));
const byNumber = (rows: unknown) => (rows as Row[]).sort((a, b) => a.versionNumber - b.versionNumber);

describe('SkillsStorageD1 matches LibSQLStore', () => {
  it('creates, auto-versions on update, lists and deletes skills', async () => {
    await same((s) => s.create({ skill: { id: 's1', authorId: 'u1', ...snapshot(1) } }));
    await pause();
    await same((s) => s.create({ skill: { id: 's2', visibility: 'public', ...snapshot(2) } }));
    await pause();
    await same((s) => s.create({ skill: { id: 's3', ...snapshot(3) } }));
    await same((s) => s.getById('s1'));
    await same((s) => s.getById('missing'));
    await same((s) => s.update({ id: 's1', instructions: 'step 1', name: 'Skill 1' }));
    await same((s) => s.countVersions('s1'));
    await same((s) => s.update({ id: 's1', instructions: 'new steps', files: [{ path: 'b.md', hash: 'x' }], unknownField: 1 }));
    await same((s) => s.getLatestVersion('s1'));
    await same(async (s) => s.update({ id: 's1', activeVersionId: (await s.getLatestVersion('s1')).id }));
    await pause();
    await same((s) => s.update({ id: 's2', visibility: 'private', authorId: 'u2', status: 'archived' }));
    await same((s) => s.update({ id: 'missing', status: 'published' }), { throws: true });
    await same((s) => s.update({ id: 'missing', name: 'x' }), { throws: true });
    for (const args of [
      undefined,
      { status: 'draft' },
      { status: 'published' },
      { authorId: 'u1' },
      { visibility: 'private' },
      { entityIds: ['s3', 's1', 'nope'] },
      { entityIds: [] },
      { favoritedOnly: true },
      { pinFavoritedFor: 'u1' },
      { orderBy: { field: 'updatedAt', direction: 'ASC' } },
      { orderBy: { field: 'createdAt', direction: 'ASC' }, perPage: 1, page: 1 },
      { perPage: false },
      { page: 3, perPage: 2 },
    ]) {
      await same((s) => s.list(args));
      await same((s) => s.listResolved(args));
    }
    await same((s) => s.getByIdResolved('s1'));
    await same((s) => s.getByIdResolved('s3', { status: 'draft' }));
    await same((s) => s.delete('s3'));
    await same((s) => s.getById('s3'));
    await same((s) => s.countVersions('s3'));
    await same((s) => s.delete('missing'));
    await same((s) => s.dangerouslyClearAll());
    await same((s) => s.list());
  });

  it('creates, reads, lists, counts and deletes versions', async () => {
    await same((s) => s.create({ skill: { id: 's1', ...snapshot(1) } }));
    const version = (n: number) => ({ id: `s1-v${n}`, skillId: 's1', versionNumber: n, ...snapshot(n), changedFields: ['name'], changeMessage: `v${n}` });
    await pause();
    await same((s) => s.createVersion(version(2)));
    await pause();
    await same((s) => s.createVersion({ ...version(3), changeMessage: undefined, license: undefined }));
    await same((s) => s.getVersion('s1-v2'));
    await same((s) => s.getVersion('missing'));
    await same((s) => s.getVersions(['s1-v3', 'missing', 's1-v2']).then(byNumber));
    await same((s) => s.getVersions([]));
    await same((s) => s.getVersionByNumber('s1', 2));
    await same((s) => s.getVersionByNumber('s1', 9));
    await same((s) => s.getLatestVersion('s1'));
    await same((s) => s.countVersions('s1'));
    for (const args of [{}, { orderBy: { field: 'createdAt', direction: 'ASC' } }, { orderBy: { field: 'versionNumber', direction: 'ASC' }, perPage: 2, page: 1 }, { perPage: false }]) {
      await same((s) => s.listVersions({ skillId: 's1', ...args }));
    }
    await same((s) => s.listVersions({ skillId: 'missing' }));
    await same((s) => s.update({ id: 's1', activeVersionId: 's1-v2' }));
    await same((s) => s.getByIdResolved('s1'));
    await same((s) => s.listResolved({ status: 'published' }));
    await same((s) => s.update({ id: 's1', name: 'Renamed' }));
    await same((s) => s.listVersions({ skillId: 's1' }));
    await same((s) => s.deleteVersion('s1-v3'));
    await same((s) => s.deleteVersion('missing'));
    await same((s) => s.deleteVersionsByParentId('s1'));
    await same((s) => s.countVersions('s1'));
    await same((s) => s.update({ id: 's1', name: 'no versions left' }), { throws: true });
    await refuse((s) => s.createVersion({ id: 'v', skillId: 's1', versionNumber: 5, name: 'n' }));
  });
});
