import { Agent } from '@mastra/core/agent';
import { Mastra } from '@mastra/core/mastra';
import type { AgentInstructionBlock } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { recallModel } from '../../examples/worker/src/recall-model';
import { D1Store } from '../../src';
import { uniquePrefix, useHarness } from '../support/harness';
// Core's own stored-agent resolution (registry first, then the editor), as the scheduler and server use
// it. Core 1.71.0 does not export it, so it is imported from its chunk, pinned with core's version.
import type { resolveAgentById as ResolveAgentById } from '../../node_modules/@mastra/core/dist/mastra/resolve-agent';
// @ts-expect-error the chunk has no declarations of its own; its type is core's resolve-agent.d.ts above
import { t as resolveAgentChunk } from '../../node_modules/@mastra/core/dist/resolve-agent-LNSk8IsI.js';

// A stored agent written by one Mastra and run by another (a cold Worker) over the same D1 database.
// `@mastra/editor` is not installed here, so `storedAgentsEditor` stands in for the part of it core
// calls: `agent.getById` (resolveAgentById's fallback) and `agent.applyStoredOverrides`
// (`mastra.getAgent(id, { versionId })`), hydrating an Agent from storage and resolving prompt blocks.

const resolveAgentById: typeof ResolveAgentById = resolveAgentChunk;
const h = useHarness();

type PromptMessage = { role: string; content: string | { type: string; text?: string }[] };
const systemText = (prompt: PromptMessage[]) =>
  prompt
    .filter((m) => m.role === 'system')
    .map((m) => (typeof m.content === 'string' ? m.content : m.content.map((p) => p.text ?? '').join(' ')))
    .join('\n');

function recordingModel() {
  const prompts: PromptMessage[][] = [];
  const base = recallModel();
  const model = { ...base, doGenerate: (options: Parameters<typeof base.doGenerate>[0]) => (prompts.push(options.prompt as PromptMessage[]), base.doGenerate(options)) };
  return { model, prompts };
}

function storedAgentsEditor(model: unknown) {
  let mastra: Mastra;
  const stores = async () => {
    const storage = mastra.getStorage()!;
    return { agents: (await storage.getStore('agents'))!, blocks: (await storage.getStore('promptBlocks'))! };
  };
  const hydrate = async (stored: { id: string; name: string; instructions: string | AgentInstructionBlock[] }) => {
    const { blocks } = await stores();
    const parts = typeof stored.instructions === 'string' ? [stored.instructions] : await Promise.all(
      stored.instructions.map(async (block) => (block.type === 'prompt_block_ref' ? ((await blocks.getByIdResolved(block.id))?.content ?? '') : block.content)),
    );
    return new Agent({ id: stored.id, name: stored.name, instructions: parts.join('\n'), model: model as never });
  };
  return {
    registerWithMastra(m: Mastra) {
      mastra = m;
    },
    agent: {
      async getById(id: string) {
        const stored = await (await stores()).agents.getByIdResolved(id);
        if (!stored) return null;
        const agent = await hydrate(stored);
        mastra.addAgent(agent, id);
        return agent;
      },
      async applyStoredOverrides(agent: Agent, version: { versionId: string } | { status: 'draft' | 'published' }) {
        const stored = await (await stores()).agents.getByIdResolved(agent.id, version);
        return stored ? hydrate(stored) : agent;
      },
    },
  };
}

function app(tablePrefix: string) {
  const { model, prompts } = recordingModel();
  const mastra = new Mastra({ storage: new D1Store({ id: 'app', binding: h.d1.db, tablePrefix }), editor: storedAgentsEditor(model) as never, logger: false });
  return { mastra, prompts };
}

describe('a stored agent on D1Store, resolved by core on another Mastra', () => {
  it('resolves by id and by versionId on a fresh store, and generates with the resolved instructions', async () => {
    const tablePrefix = uniquePrefix('sa');
    const writer = app(tablePrefix).mastra;
    const storage = writer.getStorage()!;
    const blocks = (await storage.getStore('promptBlocks'))!;
    const agents = (await storage.getStore('agents'))!;
    await blocks.create({ promptBlock: { id: 'tone', name: 'tone', content: 'Always answer politely.' } });
    await agents.create({ agent: { id: 'sa', name: 'Stored', instructions: [{ type: 'prompt_block_ref', id: 'tone' }, { type: 'text', content: 'Version one.' }], model: { provider: 'mock', name: 'm' } } });
    const v1 = (await agents.getLatestVersion('sa'))!;
    // Publishing a second version, as the editor does: the next number, then point the agent at it.
    const v2 = await agents.createVersion({
      ...v1,
      id: crypto.randomUUID(),
      versionNumber: v1.versionNumber + 1,
      instructions: [{ type: 'prompt_block_ref', id: 'tone' }, { type: 'text', content: 'Version two.' }],
      changedFields: ['instructions'],
      changeMessage: 'v2',
    });
    await agents.update({ id: 'sa', activeVersionId: v2.id, status: 'published' });

    const cold = app(tablePrefix);
    const resolved = await resolveAgentById(cold.mastra, 'sa');
    expect(resolved.status).toBe('found');
    const agent = (resolved as { agent: Agent }).agent;
    expect((await agent.generate('Hello')).text).toBeTruthy();
    expect(systemText(cold.prompts.at(-1)!)).toContain('Always answer politely.\nVersion two.');

    const pinned = await cold.mastra.getAgent('sa' as never, { versionId: v1.id });
    await pinned.generate('Hello again');
    expect(systemText(cold.prompts.at(-1)!)).toContain('Always answer politely.\nVersion one.');
    expect(systemText(cold.prompts.at(-1)!)).not.toContain('Version two.');
    expect((await resolveAgentById(cold.mastra, 'missing')).status).toBe('missing');
  });
});
