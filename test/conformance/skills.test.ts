import { MastraError } from '@mastra/core/error';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';
import { uniquePrefix } from '../support/harness';

type Row = Record<string, any>;
const skill = (id: string, n: number, extra: Row = {}) => ({ skill: { id, name: `Skill ${n}`, description: `does ${n}`, instructions: `step ${n}`, metadata: { tier: n }, ...extra } });

describeConformance('skills', 'SkillsStorageD1', (t) => {
  const domain = async (config?: { tablePrefix?: string }) => (await t.domain(config)) as unknown as Row;

  t.it('creates version 1, versions snapshot changes on update, and publishes an active version', async () => {
    const s = await domain();
    expect(await s.create(skill('s1', 1, { authorId: 'u1' }))).toMatchObject({ id: 's1', status: 'draft', authorId: 'u1' });
    expect(await s.getById('s1')).toMatchObject({ visibility: 'private', favoriteCount: 0 });
    await s.update({ id: 's1', name: 'Skill 1', visibility: 'public' });
    expect(await s.countVersions('s1')).toBe(1);
    await s.update({ id: 's1', instructions: 'better', metadata: { tier: 2 } });
    const latest = await s.getLatestVersion('s1');
    expect(latest).toMatchObject({ versionNumber: 2, name: 'Skill 1', instructions: 'better', metadata: { tier: 2 }, changedFields: ['instructions', 'metadata'], changeMessage: 'Updated instructions, metadata' });
    expect(await s.update({ id: 's1', activeVersionId: latest.id })).toMatchObject({ status: 'published', activeVersionId: latest.id, visibility: 'public' });
  });

  t.it('filters lists by the metadata of each skill\'s current version', async () => {
    const s = await domain();
    for (const n of [1, 2, 3]) await s.create(skill(`s${n}`, n));
    await s.update({ id: 's3', metadata: { tier: 9 } });
    const ids = async (args: Row) => (await s.list(args)).skills.map((e: Row) => e.id);
    expect(await ids({ metadata: { tier: 2 } })).toEqual(['s2']);
    expect(await ids({ metadata: { tier: 3 } })).toEqual([]);
    expect(await ids({ metadata: { tier: 9 } })).toEqual(['s3']);
    const error = await s.list({ metadata: { 'a.b': 1 } }).catch((e: unknown) => e);
    expect((error as MastraError).category).toBe('USER');
  });

  t.it('two stores updating a skill at once: one new version wins, the other fails whole with a UNIQUE error', async () => {
    const prefix = uniquePrefix('skr');
    const [a, b] = [await domain({ tablePrefix: prefix }), await domain({ tablePrefix: prefix })];
    await a.create(skill('s1', 1));
    const results = await Promise.allSettled([a.update({ id: 's1', instructions: 'from a', visibility: 'public' }), b.update({ id: 's1', instructions: 'from b', visibility: 'private' })]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(await a.countVersions('s1')).toBe(1 + results.length - failed.length);
    for (const { reason } of failed) expect(String(reason.message)).toContain('UNIQUE constraint failed');
    if (failed.length) {
      const won = results[0]!.status === 'fulfilled' ? 'public' : 'private';
      expect((await b.getById('s1')).visibility).toBe(won);
    }
  });

  t.it('refuses to re-create a skill, and bad input, as errors writing nothing', async () => {
    const s = await domain();
    await s.create(skill('s1', 1));
    const again = await s.create(skill('s1', 2)).catch((e: unknown) => e);
    expect(String((again as Error).message)).toContain('UNIQUE constraint failed');
    expect(await s.getById('s1')).toMatchObject({ id: 's1' });
    expect(await s.getLatestVersion('s1')).toMatchObject({ name: 'Skill 1' });
    for (const call of [() => s.update({ id: 'missing', name: 'x' }), () => s.create(skill('s2', 2, { description: undefined })), () => s.update({ id: 's1', files: () => 1, status: 'x' })]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect((error as MastraError).category).toBe('USER');
    }
    expect(await s.getById('s2')).toBeNull();
    expect(await s.getById('s1')).toMatchObject({ status: 'draft' });
    await s.dangerouslyClearAll();
    expect(await s.countVersions('s1')).toBe(0);
  });
});
