/** Stored agents (`@mastra/editor`, a cold Worker resolving an agent): resolve, list, publish a version. */
import type { Subject } from '../subjects';
import { expectCount, workload, type Workload } from '../workload';

const model = { provider: 'openai', name: 'gpt-4o-mini' };
const snapshot = (i: number) => ({ name: `Agent ${i}`, instructions: [{ type: 'text' as const, content: `You are agent ${i}.` }], model, tools: { search: { description: 'web search' } } });

/** 200 stored agents; agent0 has a second version, published. */
async function seedAgents(s: Subject): Promise<void> {
  const agents = await s.domain('agents');
  for (let i = 0; i < 200; i++) await agents.create({ agent: { id: `agent${i}`, authorId: `user${i % 4}`, ...snapshot(i) } });
  await agents.createVersion({ id: 'agent0-v2', agentId: 'agent0', versionNumber: 2, ...snapshot(0), changedFields: ['instructions'] });
  await agents.update({ id: 'agent0', activeVersionId: 'agent0-v2', status: 'published' });
}

export const editorWorkloads: Workload[] = [
  workload({
    group: 'stored agents',
    name: 'getByIdResolved: a stored agent with its active version',
    floor: 1,
    setup: seedAgents,
    run: async (s) => (await s.domain('agents')).getByIdResolved('agent0'),
    check: (r) => ((r as { resolvedVersionId?: string } | null)?.resolvedVersionId === 'agent0-v2' ? undefined : 'not resolved with the active version'),
  }),
  workload({
    group: 'stored agents',
    name: 'list: 20 of 200 agents',
    floor: 1,
    setup: seedAgents,
    run: async (s) => (await s.domain('agents')).list({ perPage: 20, page: 3 }),
    check: (r) => expectCount('agents', (r as { agents: unknown[] }).agents.length, 20),
  }),
  workload<void, number>({
    group: 'stored agents',
    name: 'createVersion: the next version of an agent',
    floor: 1,
    setup: seedAgents,
    before: async (_s, _shared, rep) => rep,
    run: async (s, _shared, rep) => (await s.domain('agents')).createVersion({ id: `agent1-v${rep + 2}`, agentId: 'agent1', versionNumber: rep + 2, ...snapshot(1), changedFields: ['instructions'] }),
  }),
];
