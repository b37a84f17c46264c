import { FIXTURES } from '../../conformance/versioned-fixtures';
import type { PlanCases } from '../plan-kit';
import { versionedPlanCase } from '../versioned-plans';

export default { mcpServers: versionedPlanCase(FIXTURES.mcpServers) } satisfies PlanCases;
