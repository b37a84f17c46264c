import { Agent } from '@mastra/core/agent';
import type { MemoryStorage } from '@mastra/core/storage';
import { Memory } from '@mastra/memory';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { D1Store } from '../../src';
import { uniquePrefix, useHarness, type ClientKind } from '../support/harness';

const h = useHarness();

type Part = { type: string; text?: string };
type PromptMessage = { role: string; content: string | Part[] };
type CallOptions = { prompt: PromptMessage[]; tools?: { name: string }[] };

const textOf = (message: PromptMessage) =>
  typeof message.content === 'string' ? message.content : message.content.map((part) => part.text ?? '').join(' ');

/**
 * A deterministic LanguageModelV2 (no network) that records every prompt it receives. When the user
 * states their name it first calls the working-memory tool, then answers; otherwise it just answers.
 */
function scriptedModel() {
  const prompts: PromptMessage[][] = [];
  let n = 0;
  const reply = ({ prompt, tools = [] }: CallOptions) => {
    prompts.push(prompt);
    const last = prompt.at(-1)!;
    const name = last.role === 'user' ? /my name is (\w+)/i.exec(textOf(last))?.[1] : undefined;
    if (name && tools.some((tool) => tool.name === 'updateWorkingMemory')) {
      return { type: 'tool-call' as const, toolCallId: `call-${++n}`, toolName: 'updateWorkingMemory', input: JSON.stringify({ memory: { name } }) };
    }
    return { type: 'text' as const, text: `answer ${++n}` };
  };
  const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };
  const model = {
    specificationVersion: 'v2' as const,
    provider: 'test',
    modelId: 'scripted',
    supportedUrls: {},
    async doGenerate(options: CallOptions) {
      const part = reply(options);
      return { content: [part], finishReason: part.type === 'text' ? ('stop' as const) : ('tool-calls' as const), usage, warnings: [] };
    },
    async doStream(options: CallOptions) {
      const part = reply(options);
      const id = `r-${n}`;
      const parts: unknown[] = [{ type: 'stream-start', warnings: [] }, { type: 'response-metadata', id, modelId: 'scripted', timestamp: new Date(0) }];
      if (part.type === 'text') parts.push({ type: 'text-start', id }, { type: 'text-delta', id, delta: part.text }, { type: 'text-end', id });
      else parts.push(part);
      parts.push({ type: 'finish', usage, finishReason: part.type === 'text' ? 'stop' : 'tool-calls' });
      return {
        stream: new ReadableStream({
          start(controller) {
            for (const p of parts) controller.enqueue(p);
            controller.close();
          },
        }),
      };
    },
  };
  return { model, prompts };
}

function assistant(storage: D1Store) {
  const { model, prompts } = scriptedModel();
  const agent = new Agent({
    id: 'assistant',
    name: 'assistant',
    instructions: 'Remember what the user tells you.',
    model: model as never,
    memory: new Memory({
      storage,
      options: { lastMessages: 10, workingMemory: { enabled: true, scope: 'resource', schema: z.object({ name: z.string().optional() }) } },
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
    expect(turn1.text).toMatch(/answer/);
    const turn2 = await first.agent.generate('What did I tell you?', { memory });
    expect(turn2.text).toMatch(/answer/);
    // The prompt of the second turn carries the first turn, loaded from D1.
    expect(userTexts(first.prompts.at(-1)!)).toEqual(['Hello, my name is Ada.', 'What did I tell you?']);

    const store = await h.freshStore(kind, { tablePrefix });
    const stored = (await store.getStore('memory')) as MemoryStorage;
    expect(JSON.parse((await stored.getResourceById({ resourceId: 'user-1' }))!.workingMemory!)).toEqual({ name: 'Ada' });
    const { messages, total } = await stored.listMessages({ threadId: 'thread-1', perPage: false });
    expect(total).toBeGreaterThanOrEqual(4);
    expect(messages.filter((m) => m.role === 'user')).toHaveLength(2);

    // A brand-new store over the same database (another Worker, a restart) still knows the user.
    const later = assistant(store);
    await later.agent.generate('Do you remember me?', { memory: { thread: 'thread-2', resource: 'user-1' } });
    const prompt = later.prompts.at(-1)!;
    expect(userTexts(prompt)).toEqual(['Do you remember me?']);
    expect(systemText(prompt)).toContain('"name":"Ada"');
    const threads = await stored.listThreads({ filter: { resourceId: 'user-1' } });
    expect(threads.threads.map((t) => t.id).sort()).toEqual(['thread-1', 'thread-2']);
  });
});
