/** A whole Agent turn through Mastra itself: every store call `agent.generate()` makes, not a model of it. */
import { Mastra } from '@mastra/core';
import { Agent } from '@mastra/core/agent';
import { createMockModel } from '@mastra/core/test-utils/llm-mock';
import { Memory } from '@mastra/memory';
import { messages, thread } from '../data';
import { seedMessages } from '../seed';
import type { Subject } from '../subjects';
import { expectCount, workload, type Workload } from '../workload';

const memory = { thread: 'thread-main', resource: 'user-42' };
const REPLY = 'Sunny in Lisbon today, 21 degrees with a light breeze.';

async function agentOn(s: Subject) {
  await (await s.domain('memory')).saveThread({ thread: thread(memory.thread, memory.resource) });
  await seedMessages(s, messages(memory.thread, memory.resource, 20));
  const agent = new Agent({
    id: 'weather',
    name: 'weather',
    instructions: 'Answer briefly.',
    model: createMockModel({ mockText: REPLY, version: 'v2' }) as never,
    memory: new Memory({ options: { lastMessages: 40 } }),
  });
  return new Mastra({ storage: s.store as never, agents: { weather: agent }, logger: false }).getAgent('weather');
}

export const agentWorkloads: Workload[] = [
  workload<Awaited<ReturnType<typeof agentOn>>, number>({
    group: 'agent',
    name: 'agent.generate() with Memory, existing thread',
    // The 11 store calls Mastra 1.71 makes on this turn (traced), each one round trip at least.
    floor: 11,
    inSummary: false,
    setup: agentOn,
    before: async (_s, _agent, rep) => rep,
    run: (_s, agent, rep) => agent.generate(`What is the weather like, take ${rep}?`, { memory }),
    check: (r) => expectCount('reply characters', (r as { text?: string }).text?.length, REPLY.length),
  }),
];
