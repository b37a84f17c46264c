import { Agent } from '@mastra/core/agent';
import { Memory } from '@mastra/memory';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { recallModel } from '../../examples/worker/src/recall-model';
import type { D1Store } from '../../src';
import { memoryOf } from '../conformance/memory-fixtures';
import { uniquePrefix, useHarness, type ClientKind } from '../support/harness';

const h = useHarness();

type Part = { type: string; text?: string };
type PromptMessage = { role: string; content: string | Part[] };

const textOf = (message: PromptMessage) =>
  typeof message.content === 'string' ? message.content : message.content.map((part) => part.text ?? '').join(' ');

/**
 * The example Worker's deterministic model (no network: it answers from the prompt alone, calling the
 * working-memory tool when told a fact), wrapped to record every prompt it receives.
 */
function recordingModel() {
  const prompts: PromptMessage[][] = [];
  const base = recallModel();
  const model = {
    ...base,
    doGenerate: (options: Parameters<typeof base.doGenerate>[0]) => (prompts.push(options.prompt as PromptMessage[]), base.doGenerate(options)),
    doStream: (options: Parameters<typeof base.doStream>[0]) => (prompts.push(options.prompt as PromptMessage[]), base.doStream(options)),
  };
  return { model, prompts };
}

function assistant(storage: D1Store) {
  const { model, prompts } = recordingModel();
  const agent = new Agent({
    id: 'assistant',
    name: 'assistant',
    instructions: 'Remember what the user tells you.',
    model: model as never,
    memory: new Memory({
      storage,
      options: { lastMessages: 10, workingMemory: { enabled: true, scope: 'resource', schema: z.object({ name: z.string().optional(), city: z.string().optional() }) } },
    }),
  });
  return { agent, prompts };
}

const userTexts = (prompt: PromptMessage[]) => prompt.filter((m) => m.role === 'user').map(textOf);
const systemText = (prompt: PromptMessage[]) => prompt.filter((m) => m.role === 'system').map(textOf).join('\n');

describe.each(['binding', 'rest'] as ClientKind[])('an Agent with Memory on D1Store over %s', (kind) => {
  it('recalls the thread on the next turn and working memory from a new D1Store', async () => {
    const tablePrefix = uniquePrefix();
    const first = assistant(await h.freshStore(kind, { tablePrefix }));
    const memory = { thread: 'thread-1', resource: 'user-1' };

    const turn1 = await first.agent.generate('Hello, my name is Ada.', { memory });
    expect(turn1.text).toContain('I saved it to my working memory');
    const turn2 = await first.agent.generate('What did I tell you?', { memory });
    expect(turn2.text).toContain('You told me your name is Ada');
    // The prompt of the second turn carries the first turn, loaded from D1.
    expect(userTexts(first.prompts.at(-1)!)).toEqual(['Hello, my name is Ada.', 'What did I tell you?']);

    const store = await h.freshStore(kind, { tablePrefix });
    const stored = await memoryOf(store);
    expect(JSON.parse((await stored.getResourceById({ resourceId: 'user-1' }))!.workingMemory!)).toEqual({ name: 'Ada' });
    const { messages, total } = await stored.listMessages({ threadId: 'thread-1', perPage: false });
    expect(total).toBeGreaterThanOrEqual(4);
    expect(messages.filter((m) => m.role === 'user')).toHaveLength(2);

    // A brand-new store over the same database (another Worker, a restart) still knows the user.
    const later = assistant(store);
    const turn3 = await later.agent.generate('Do you remember me?', { memory: { thread: 'thread-2', resource: 'user-1' } });
    expect(turn3.text).toContain('my working memory says your name is Ada');
    const prompt = later.prompts.at(-1)!;
    expect(userTexts(prompt)).toEqual(['Do you remember me?']);
    expect(systemText(prompt)).toContain('"name":"Ada"');
    const threads = await stored.listThreads({ filter: { resourceId: 'user-1' } });
    expect(threads.threads.map((t) => t.id).sort()).toEqual(['thread-1', 'thread-2']);
  });
});
