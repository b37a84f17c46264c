import { Mastra } from '@mastra/core';
import { Agent } from '@mastra/core/agent';
import { Memory } from '@mastra/memory';
import { describe, expect, it } from 'vitest';
import { recallModel } from '../../examples/worker/src/recall-model';
import { D1Store } from '../../src';
import { uniquePrefix, useHarness } from '../support/harness';

const h = useHarness();

/** A Mastra app as a Worker builds it per request: a new D1Store and agent over the shared database. */
function worker(tablePrefix: string) {
  const agent = new Agent({ id: 'coder', name: 'coder', instructions: 'Work toward the goal.', model: recallModel() as never, memory: new Memory() });
  return new Mastra({ storage: new D1Store({ id: 'app', binding: h.d1.db, tablePrefix }), agents: { coder: agent }, logger: false });
}

describe('agent goals (thread state) through Mastra', () => {
  it('an objective set by one Worker is read and cleared by the next', async () => {
    const prefix = uniquePrefix();
    const set = await worker(prefix).getAgent('coder').setObjective('ship the release', { threadId: 't1', maxRuns: 3 });
    expect(set).toMatchObject({ objective: 'ship the release', status: 'active', maxRuns: 3 });

    const next = worker(prefix).getAgent('coder');
    expect(await next.getObjective({ threadId: 't1' })).toEqual(set);
    expect(await next.getObjective({ threadId: 'other' })).toBeUndefined();
    await next.clearObjective({ threadId: 't1' });
    expect(await worker(prefix).getAgent('coder').getObjective({ threadId: 't1' })).toBeUndefined();
  });
});
