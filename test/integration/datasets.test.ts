import { Mastra } from '@mastra/core';
import { createScorer } from '@mastra/core/evals';
import { describe, expect, it } from 'vitest';
import { D1Store } from '../../src';
import { uniquePrefix, useHarness } from '../support/harness';

const h = useHarness();

const exactMatch = createScorer({ id: 'exact-match', name: 'exact-match', description: 'output equals the ground truth' }).generateScore(({ run }) =>
  run.output === run.groundTruth ? 1 : 0,
);

/** A Mastra app as a Worker builds it per request: a new D1Store over the shared database. */
function worker(tablePrefix: string) {
  return new Mastra({ storage: new D1Store({ id: 'app', binding: h.d1.db, tablePrefix }), scorers: { exactMatch }, logger: false });
}

describe('datasets and experiments through Mastra', () => {
  it('a dataset built and run by one Worker is read back, with results, scores and history, by the next', async () => {
    const prefix = uniquePrefix();
    const dataset = await worker(prefix).datasets.create({ name: 'qa' });
    const [first, second] = await dataset.addItems({ items: [{ input: { q: 'a' }, groundTruth: 'A' }, { input: { q: 'b' }, groundTruth: 'B' }] });
    await dataset.updateItem({ itemId: second!.id, groundTruth: 'b' });
    const summary = await dataset.startExperiment({ task: async ({ input }) => (input as { q: string }).q.toUpperCase(), scorers: [exactMatch] });
    expect(summary).toMatchObject({ status: 'completed', totalItems: 2, succeededCount: 2, failedCount: 0 });

    const next = await worker(prefix).datasets.get({ id: dataset.id });
    expect(await next.getDetails()).toMatchObject({ name: 'qa', version: 2 });
    expect(await next.getExperiment({ experimentId: summary.experimentId })).toMatchObject({ status: 'completed', datasetId: dataset.id, datasetVersion: 2, succeededCount: 2 });
    const { results } = await next.listExperimentResults({ experimentId: summary.experimentId });
    expect(results.map((r) => [r.itemId, r.output, r.groundTruth]).sort()).toEqual([
      [first!.id, 'A', 'A'],
      [second!.id, 'B', 'b'],
    ].sort());
    const scores = Object.fromEntries(summary.results.map((r) => [r.itemId, r.scores.map((s) => s.score)]));
    expect(scores).toEqual({ [first!.id]: [1], [second!.id]: [0] });
    const stored = await (await worker(prefix).getStorage()!.getStore('scores'))!.listScoresByRunId({ runId: summary.experimentId, pagination: { page: 0, perPage: 10 } });
    expect(stored.scores.map((s) => s.score).sort()).toEqual([0, 1]);

    expect((await next.getItemHistory({ itemId: second!.id })).map((row) => [row.datasetVersion, row.groundTruth, row.validTo])).toEqual([
      [2, 'b', null],
      [1, 'B', 2],
    ]);
    expect((await next.listItems({ version: 1 })) as unknown[]).toHaveLength(2);
    expect((await next.listVersions()).versions.map((v) => v.version)).toEqual([2, 1]);
  });
});
