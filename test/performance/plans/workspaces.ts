import { WORKSPACES_FIXTURE } from '../../conformance/workspaces-fixture';
import type { PlanCases } from '../plan-kit';
import { versionedPlanCase } from '../versioned-plans';

export default {
  workspaces: versionedPlanCase(WORKSPACES_FIXTURE, (workspaces) => workspaces.update({ id: 'e1', sandbox: { type: 'local' } }), { statusFilter: false }),
} satisfies PlanCases;
