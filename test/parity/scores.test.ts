import type { SaveScorePayload } from '@mastra/core/evals';
import type { ScoresStorage } from '@mastra/core/storage';
import { LibSQLStore } from '@mastra/libsql';
import { beforeAll, describe, expect, it } from 'vitest';
import { scorePayload } from '../conformance/scores-fixtures';
import { useHarness } from '../support/harness';

// Every ScoresStorage method is called the same way on D1Store and on LibSQLStore (the oracle); the
// answers must be equal once the legitimately different values are set aside: generated ids and save
// times, and their form (LibSQLStore reads timestamps back as strings, this store as the Dates core's
// ScoreRowData type declares).

const h = useHarness();
let d1: ScoresStorage;
let libsql: ScoresStorage;

beforeAll(async () => {
  const oracle = new LibSQLStore({ id: 'parity-libsql', url: ':memory:' });
  await oracle.init();
  libsql = (await oracle.getStore('scores'))!;
  d1 = (await (await h.freshStore('binding')).getStore('scores'))!;
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const comparable = (value: unknown) =>
  value === undefined
    ? undefined
    : JSON.parse(
        JSON.stringify(value, (key, v) => {
          if (key === 'createdAt' || key === 'updatedAt') return undefined;
          return key === 'id' && typeof v === 'string' && UUID.test(v) ? 'generated' : v;
        }),
      );

/** Calls `call` on both stores; both must succeed with the same answer. */
async function same<T>(call: (store: ScoresStorage) => Promise<T>, normalize: (value: T) => unknown = comparable): Promise<void> {
  const [ours, theirs] = await Promise.all([call(d1), call(libsql)]);
  expect(normalize(ours)).toEqual(normalize(theirs));
}

const PAYLOADS: SaveScorePayload[] = [
  scorePayload({ id: 'a', runId: 'r', traceId: 't', spanId: 'x', organizationId: 'org1', projectId: 'p1', requestContext: { user: 'u' } }),
  scorePayload({ id: 'b', runId: 'r', traceId: 't', spanId: 'x', organizationId: 'org1', projectId: 'p2', source: 'TEST' }),
  scorePayload({ id: 'c', runId: 'r', traceId: 't', spanId: 'y', organizationId: 'org2', entityType: 'WORKFLOW', input: 'plain text' }),
  scorePayload({ id: 'd', runId: 'other', entityId: 'e2', traceId: 't', spanId: 'x', score: 0.30000000000000004, additionalContext: { k: [1, null] } }),
  scorePayload({ id: 'e', scorerId: 'other', preprocessStepResult: { p: 1 }, analyzeStepResult: { a: true }, extractStepResult: { e: 'x' }, reasonPrompt: 'why', batchId: 'b1', datasetId: 'ds', datasetItemId: 'di' }),
];

describe('ScoresStorageD1 matches LibSQLStore', () => {
  it('saves and reads scores alike', async () => {
    for (const payload of PAYLOADS) {
      await same((s) => s.saveScore(payload));
      // Distinct save times, so "newest first" is one order in both stores.
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    for (const { id } of PAYLOADS) await same((s) => s.getScoreById({ id: id! }));
    await same((s) => s.getScoreById({ id: 'missing' }));
    await same((s) => s.saveScore(scorePayload({ id: 'a', score: 1, reason: undefined, runId: 'r' })));
    await same((s) => s.getScoreById({ id: 'a' }));
    await same((s) => s.saveScore(scorePayload({ runId: 'generated' })));
  });

  it('lists scores alike for every filter and page', async () => {
    const all = { page: 0, perPage: false } as const;
    const pages = [all, { page: 0, perPage: 2 }, { page: 1, perPage: 2 }, { page: 5, perPage: 2 }, { page: 0, perPage: 0 }];
    for (const pagination of pages) {
      await same((s) => s.listScoresByScorerId({ scorerId: 'relevance', pagination }));
      await same((s) => s.listScoresByRunId({ runId: 'r', pagination }));
      await same((s) => s.listScoresByEntityId({ entityId: 'agent-1', entityType: 'AGENT', pagination }));
      await same((s) => s.listScoresBySpan({ traceId: 't', spanId: 'x', pagination }));
    }
    await same((s) => s.listScoresByScorerId({ scorerId: 'relevance', entityId: 'agent-1', entityType: 'AGENT', source: 'LIVE', pagination: all }));
    await same((s) => s.listScoresByScorerId({ scorerId: 'relevance', source: 'TEST', pagination: all, filters: { organizationId: 'org1' } }));
    await same((s) => s.listScoresByRunId({ runId: 'r', pagination: all, filters: { organizationId: 'org1', projectId: 'p1' } }));
    await same((s) => s.listScoresByEntityId({ entityId: 'agent-1', entityType: 'AGENT', pagination: all, filters: { projectId: 'p2' } }));
    await same((s) => s.listScoresBySpan({ traceId: 't', spanId: 'x', pagination: { page: 1, perPage: 1 }, filters: { organizationId: 'org1' } }));
    await same((s) => s.listScoresByRunId({ runId: 'nothing', pagination: { page: 0, perPage: 10 } }));
  });

  it('clears everything alike', async () => {
    await same((s) => s.dangerouslyClearAll());
    await same((s) => s.listScoresByScorerId({ scorerId: 'relevance', pagination: { page: 0, perPage: false } }));
  });
});
