import type { ScoresStorage, WorkflowsStorage } from '@mastra/core/storage';
import { beforeAll, describe, expect, it } from 'vitest';
import { faultyD1, type FaultyD1 } from '../support/faults';
import { useHarness } from '../support/harness';
import { scorePayload } from './scores-fixtures';
import { snapshot, success } from './workflows-fixtures';

// Every workflows and scores method is one round trip to D1 (a page and its total share one batch),
// and no statement nears D1's 100-parameter limit. Counted at the binding, under the driver.

const h = useHarness();
let counter: FaultyD1;
let wf: WorkflowsStorage;
let scores: ScoresStorage;

beforeAll(async () => {
  counter = faultyD1(h.d1.db);
  const store = await h.freshStore('binding', { binding: counter.db });
  wf = (await store.getStore('workflows'))!;
  scores = (await store.getStore('scores'))!;
  await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r', snapshot: snapshot('r', { status: 'suspended' }) });
  await scores.saveScore(scorePayload({ id: 's' }));
});

async function roundTrips(call: () => Promise<unknown>): Promise<number> {
  counter.mark();
  await call();
  return counter.since().roundTrips;
}

describe('round trips per call', () => {
  const page = { page: 0, perPage: 10 };
  const calls: Record<string, () => Promise<unknown>> = {
    persistWorkflowSnapshot: () => wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r2', snapshot: snapshot('r2') }),
    loadWorkflowSnapshot: () => wf.loadWorkflowSnapshot({ workflowName: 'w', runId: 'r' }),
    getWorkflowRunById: () => wf.getWorkflowRunById({ runId: 'r' }),
    'listWorkflowRuns (page + total)': () => wf.listWorkflowRuns({ workflowName: 'w', status: 'suspended', page: 0, perPage: 5 }),
    'listWorkflowRuns (all)': () => wf.listWorkflowRuns(),
    'listWorkflowRuns (thread, page + total)': () => wf.listWorkflowRuns({ threadId: 't1', page: 0, perPage: 5 }),
    updateWorkflowResults: () => wf.updateWorkflowResults({ workflowName: 'w', runId: 'r', stepId: 's', result: success([1, 2]), requestContext: { a: 1 } }),
    'updateWorkflowState (compare-and-set)': () => wf.updateWorkflowState({ workflowName: 'w', runId: 'r', opts: { status: 'running', expectedStatus: 'suspended' } }),
    deleteWorkflowRunById: () => wf.deleteWorkflowRunById({ workflowName: 'w', runId: 'r2' }),
    saveScore: () => scores.saveScore(scorePayload()),
    getScoreById: () => scores.getScoreById({ id: 's' }),
    listScoresByScorerId: () => scores.listScoresByScorerId({ scorerId: 'relevance', entityId: 'agent-1', source: 'LIVE', pagination: page, filters: { organizationId: 'o' } }),
    listScoresByRunId: () => scores.listScoresByRunId({ runId: 'run-1', pagination: { page: 0, perPage: false } }),
    listScoresByEntityId: () => scores.listScoresByEntityId({ entityId: 'agent-1', entityType: 'AGENT', pagination: page }),
    listScoresBySpan: () => scores.listScoresBySpan({ traceId: 't', spanId: 's', pagination: page }),
  };
  for (const [name, call] of Object.entries(calls)) {
    it(`${name}: 1`, async () => {
      expect(await roundTrips(call)).toBe(1);
    });
  }

  it('stays far under the parameter limit', () => {
    expect(counter.violations).toEqual([]);
    expect(counter.counters.maxParams).toBeLessThanOrEqual(40);
  });
});
