import type { SaveScorePayload } from '@mastra/core/evals';
import { describe, it, vi } from 'vitest';
import { scorePayload } from '../conformance/scores-fixtures';
import { useParity } from '../support/parity';

// Every ScoresStorage method is called the same way on D1Store and on LibSQLStore (the oracle); the
// answers must be equal once generated ids and save times are normalized, and failures must fail alike.

const p = useParity('scores');

const PAYLOADS: SaveScorePayload[] = [
  scorePayload({ id: 'a', runId: 'r', traceId: 't', spanId: 'x', organizationId: 'org1', projectId: 'p1', requestContext: { user: 'u' } }),
  scorePayload({ id: 'b', runId: 'r', traceId: 't', spanId: 'x', organizationId: 'org1', projectId: 'p2', source: 'TEST' }),
  scorePayload({ id: 'c', runId: 'r', traceId: 't', spanId: 'y', organizationId: 'org2', entityType: 'WORKFLOW', input: 'plain text' }),
  scorePayload({ id: 'd', runId: 'other', entityId: 'e2', traceId: 't', spanId: 'x', score: 0.30000000000000004, additionalContext: { k: [1, null] } }),
  scorePayload({ id: 'e', scorerId: 'other', preprocessStepResult: { p: 1 }, analyzeStepResult: { a: true }, extractStepResult: { e: 'x' }, reasonPrompt: 'why', batchId: 'b1', datasetId: 'ds', datasetItemId: 'di' }),
];

/** Saves the payloads on both stores, `stepMs` apart in (fake) time, from a fixed past instant. */
async function saveAll(payloads: SaveScorePayload[], stepMs: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    for (const [i, payload] of payloads.entries()) {
      vi.setSystemTime(Date.UTC(2025, 5, 1) + i * stepMs);
      await p.same((s) => s.saveScore(payload));
    }
  } finally {
    vi.useRealTimers();
  }
}

describe('ScoresStorageD1 matches LibSQLStore', () => {
  it('saves and reads scores alike', async () => {
    await saveAll(PAYLOADS, 3);
    for (const { id } of PAYLOADS) await p.same((s) => s.getScoreById({ id: id! }));
    await p.same((s) => s.getScoreById({ id: 'missing' }));
    await p.same((s) => s.saveScore(scorePayload({ id: 'a', score: 1, reason: undefined, runId: 'r' })));
    await p.same((s) => s.getScoreById({ id: 'a' }));
    await p.same((s) => s.saveScore(scorePayload({ runId: 'generated' })));
  });

  it('refuses an invalid score alike', async () => {
    await p.same((s) => s.saveScore({ ...scorePayload(), score: 'high' } as never), { throws: true });
    await p.same((s) => s.listScoresByScorerId({ scorerId: 'relevance', pagination: { page: 0, perPage: false } }));
  });

  it('lists scores alike for every filter and page', async () => {
    await saveAll(PAYLOADS, 3);
    const all = { page: 0, perPage: false } as const;
    const pages = [all, { page: 0, perPage: 2 }, { page: 1, perPage: 2 }, { page: 5, perPage: 2 }, { page: 0, perPage: 0 }];
    for (const pagination of pages) {
      await p.same((s) => s.listScoresByScorerId({ scorerId: 'relevance', pagination }));
      await p.same((s) => s.listScoresByRunId({ runId: 'r', pagination }));
      await p.same((s) => s.listScoresByEntityId({ entityId: 'agent-1', entityType: 'AGENT', pagination }));
      await p.same((s) => s.listScoresBySpan({ traceId: 't', spanId: 'x', pagination }));
    }
    await p.same((s) => s.listScoresByScorerId({ scorerId: 'relevance', entityId: 'agent-1', entityType: 'AGENT', source: 'LIVE', pagination: all }));
    await p.same((s) => s.listScoresByScorerId({ scorerId: 'relevance', source: 'TEST', pagination: all, filters: { organizationId: 'org1' } }));
    await p.same((s) => s.listScoresByRunId({ runId: 'r', pagination: all, filters: { organizationId: 'org1', projectId: 'p1' } }));
    await p.same((s) => s.listScoresByEntityId({ entityId: 'agent-1', entityType: 'AGENT', pagination: all, filters: { projectId: 'p2' } }));
    await p.same((s) => s.listScoresBySpan({ traceId: 't', spanId: 'x', pagination: { page: 1, perPage: 1 }, filters: { organizationId: 'org1' } }));
    await p.same((s) => s.listScoresByRunId({ runId: 'nothing', pagination: { page: 0, perPage: 10 } }));
  });

  // LibSQLStore sorts by createdAt alone over its table in storage order; this store breaks the tie by
  // rowid to give the same order, also across pages. A replaced score is deleted and saved anew.
  it('orders scores saved in the same millisecond alike, a replaced one last', async () => {
    await saveAll([...['m', 'c', 'x', 'a'].map((id) => scorePayload({ id, runId: 'tie' })), scorePayload({ id: 'c', runId: 'tie' })], 0);
    await p.same((s) => s.listScoresByRunId({ runId: 'tie', pagination: { page: 0, perPage: false } }));
    await p.same((s) => s.listScoresByRunId({ runId: 'tie', pagination: { page: 0, perPage: 3 } }));
    await p.same((s) => s.listScoresByRunId({ runId: 'tie', pagination: { page: 1, perPage: 3 } }));
  });

  it('clears everything alike', async () => {
    await saveAll(PAYLOADS, 3);
    await p.same((s) => s.dangerouslyClearAll());
    await p.same((s) => s.listScoresByScorerId({ scorerId: 'relevance', pagination: { page: 0, perPage: false } }));
  });
});
