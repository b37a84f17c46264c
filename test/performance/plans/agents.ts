import { FIXTURES } from '../../conformance/versioned-fixtures';
import type { PlanCases } from '../plan-kit';
import { versionedPlanCase } from '../versioned-plans';

export default {
  agents: versionedPlanCase(FIXTURES.agents, async (agents) => {
    await agents.list({ visibility: 'private', status: 'draft' });
    await agents.list({ entityIds: ['e1', 'e2'] });
  }),
} satisfies PlanCases;
