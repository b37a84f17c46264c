import { Mastra } from '@mastra/core';
import { createTool } from '@mastra/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uniquePrefix, useHarness, type ClientKind } from '../support/harness';

// Dynamic workflows over D1Store. "Another Worker" is a new Mastra with a new D1Store on the same
// database and table prefix: nothing is shared between the two but D1.

const h = useHarness();

const echo = createTool({
  id: 'echo',
  description: 'Shouts its text back',
  inputSchema: z.object({ text: z.string() }),
  outputSchema: z.object({ text: z.string() }),
  execute: async ({ text }) => ({ text: text.toUpperCase() }),
});

const textSchema = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] };
const schedule = { cron: '0 2 * * *', inputData: { text: 'nightly' } };

/** A Mastra as one Worker would build it, its scheduler on so declared schedules are synchronized at start. */
function worker(kind: ClientKind, tablePrefix: string) {
  return new Mastra({ storage: h.store(kind, { tablePrefix }), tools: { echo }, scheduler: { enabled: true }, logger: false });
}

describe.each(['binding', 'rest'] as const)('dynamic workflows on D1Store over %s', (kind) => {
  it('a workflow added by one Worker is reloaded and run by a fresh one after startWorkers()', async () => {
    const prefix = uniquePrefix('wdi');
    const a = worker(kind, prefix);
    await a.addDynamicWorkflow({ id: 'dyn', description: 'echo', inputSchema: textSchema, outputSchema: textSchema, graph: [{ type: 'tool', id: 'shout', toolId: 'echo' }], schedule });
    await a.addDynamicWorkflow({ id: 'retired', inputSchema: textSchema, outputSchema: textSchema, graph: [{ type: 'tool', id: 'shout', toolId: 'echo' }] });
    await (await a.getStorage()!.getStore('workflowDefinitions'))!.upsert({ id: 'retired', status: 'archived' });

    const b = worker(kind, prefix);
    expect(() => b.getWorkflow('dyn')).toThrow();
    await b.startWorkers();
    try {
      expect(() => b.getWorkflow('retired')).toThrow();
      const run = await b.getWorkflow('dyn').createRun();
      const result = await run.start({ inputData: { text: 'hi' } });
      expect(result.status).toBe('success');
      expect(result.status === 'success' && result.result).toEqual({ text: 'HI' });
      const stored = await (await b.getStorage()!.getStore('workflowDefinitions'))!.get('dyn');
      expect(stored).toMatchObject({ id: 'dyn', description: 'echo', status: 'active', source: 'storage', schedule });
      // The stored schedule came back with the definition, so the fresh Worker re-declared it.
      expect(await b.schedules.list({ workflowId: 'dyn' })).toEqual([expect.objectContaining({ workflowId: 'dyn', cron: schedule.cron, inputData: schedule.inputData, status: 'active' })]);
    } finally {
      await b.stopWorkers();
    }
  });
});
