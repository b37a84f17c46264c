import type { VersionedFixture } from '../../conformance/versioned-fixtures';
import type { PlanCases } from '../plan-kit';
import { versionedPlanCase } from '../versioned-plans';

const SKILLS_FIXTURE = {
  key: 'skills' as VersionedFixture['key'],
  title: 'SkillsStorageD1',
  createKey: 'skill',
  parent: 'skillId',
  listKey: 'skills',
  snapshot: (n: number) => ({ name: `Skill ${n}`, description: `does ${n}`, instructions: `step ${n}`, files: [{ path: 'a.md', hash: `h${n}` }] }),
} satisfies VersionedFixture;

export default {
  skills: versionedPlanCase(SKILLS_FIXTURE, async (skills) => {
    await skills.list({ visibility: 'private', status: 'draft' });
    await skills.list({ entityIds: ['e1', 'e2'] });
    await skills.list({ pinFavoritedFor: 'u1', favoritedOnly: true });
    await skills.update({ id: 'e1', instructions: 'changed' });
  }),
} satisfies PlanCases;
