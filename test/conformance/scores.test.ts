import { MastraError } from '@mastra/core/error';
import type { SaveScorePayload } from '@mastra/core/evals';
import type { ScoresStorage } from '@mastra/core/storage';
import { expect, vi } from 'vitest';
import { ScoresStorageD1, type D1DomainConfig } from '../../src';
import { describeConformance } from '../support/conformance';
import { uniquePrefix } from '../support/harness';
import { scorePayload } from './scores-fixtures';

/** Saves scores one after another, 2 ms apart, so their createdAt order is their save order. */
async function saveAll(store: ScoresStorage, payloads: SaveScorePayload[]) {
  const saved = [];
  for (const payload of payloads) {
    saved.push((await store.saveScore(payload)).score);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return saved;
}

const ids = (response: { scores: { id: string }[] }) => response.scores.map((s) => s.id);

describeConformance('scores', 'ScoresStorageD1', ({ h, kind, domain, it }) => {
  it('saves a score and reads it back as saved', async () => {
    const store = await domain();
    const { score } = await store.saveScore(scorePayload({ requestContext: { user: 'u' }, traceId: 't', spanId: 's' }));
    expect(score.id).toMatch(/[0-9a-f-]{36}/);
    expect(score.createdAt).toBeInstanceOf(Date);
    expect(await store.getScoreById({ id: score.id })).toEqual(score);
    expect(await store.getScoreById({ id: 'missing' })).toBeNull();
  });

  it('keeps a caller-supplied id and replaces the score stored under it', async () => {
    const store = await domain();
    await store.saveScore(scorePayload({ id: 'fixed', score: 0.1 }));
    const { score } = await store.saveScore(scorePayload({ id: 'fixed', score: 0.9, reason: undefined }));
    expect(score.id).toBe('fixed');
    const stored = await store.getScoreById({ id: 'fixed' });
    expect(stored).toMatchObject({ id: 'fixed', score: 0.9 });
    expect(stored).not.toHaveProperty('reason');
    expect((await store.listScoresByRunId({ runId: 'run-1', pagination: { page: 0, perPage: 10 } })).pagination.total).toBe(1);
  });

  it('refuses an invalid score or one over 2 MB with a USER error, writing nothing', async () => {
    const store = await domain();
    for (const bad of [{ ...scorePayload(), score: 'high' }, { ...scorePayload(), source: 'SOMETIMES' }, scorePayload({ output: 'x'.repeat(2_000_001) })]) {
      const error = await store.saveScore(bad as SaveScorePayload).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect((error as MastraError).category).toBe('USER');
    }
    expect((await store.listScoresByScorerId({ scorerId: 'relevance', pagination: { page: 0, perPage: false } })).pagination.total).toBe(0);
  });

  it('lists by scorer with entity and source filters, newest first, paginated with the total', async () => {
    const store = await domain();
    const saved = await saveAll(store, [
      scorePayload({ id: 's1' }),
      scorePayload({ id: 's2', source: 'TEST' }),
      scorePayload({ id: 's3', entityId: 'agent-2' }),
      scorePayload({ id: 's4', entityType: 'WORKFLOW' }),
      scorePayload({ id: 's5' }),
      scorePayload({ id: 's6', scorerId: 'other' }),
    ]);
    expect(saved).toHaveLength(6);

    const first = await store.listScoresByScorerId({ scorerId: 'relevance', pagination: { page: 0, perPage: 2 } });
    expect({ ids: ids(first), pagination: first.pagination }).toEqual({ ids: ['s5', 's4'], pagination: { total: 5, page: 0, perPage: 2, hasMore: true } });
    const last = await store.listScoresByScorerId({ scorerId: 'relevance', pagination: { page: 2, perPage: 2 } });
    expect({ ids: ids(last), pagination: last.pagination }).toEqual({ ids: ['s1'], pagination: { total: 5, page: 2, perPage: 2, hasMore: false } });
    const beyond = await store.listScoresByScorerId({ scorerId: 'relevance', pagination: { page: 9, perPage: 2 } });
    expect({ ids: ids(beyond), total: beyond.pagination.total }).toEqual({ ids: [], total: 5 });

    const filtered = await store.listScoresByScorerId({ scorerId: 'relevance', entityId: 'agent-1', entityType: 'AGENT', source: 'LIVE', pagination: { page: 0, perPage: false } });
    expect({ ids: ids(filtered), pagination: filtered.pagination }).toEqual({ ids: ['s5', 's1'], pagination: { total: 2, page: 0, perPage: false, hasMore: false } });
  });

  it('lists by run, entity and span, each with the tenancy filters', async () => {
    const store = await domain();
    await saveAll(store, [
      scorePayload({ id: 'a', runId: 'r', traceId: 't', spanId: 'x', organizationId: 'org1', projectId: 'p1' }),
      scorePayload({ id: 'b', runId: 'r', traceId: 't', spanId: 'x', organizationId: 'org1', projectId: 'p2' }),
      scorePayload({ id: 'c', runId: 'r', traceId: 't', spanId: 'y', organizationId: 'org2' }),
      scorePayload({ id: 'd', runId: 'other', entityId: 'e2', traceId: 't', spanId: 'x' }),
    ]);
    const all = { page: 0, perPage: false } as const;
    expect(ids(await store.listScoresByRunId({ runId: 'r', pagination: all }))).toEqual(['c', 'b', 'a']);
    expect(ids(await store.listScoresByRunId({ runId: 'r', pagination: all, filters: { organizationId: 'org1' } }))).toEqual(['b', 'a']);
    expect(ids(await store.listScoresByRunId({ runId: 'r', pagination: all, filters: { organizationId: 'org1', projectId: 'p1' } }))).toEqual(['a']);
    expect(ids(await store.listScoresByEntityId({ entityId: 'agent-1', entityType: 'AGENT', pagination: all }))).toEqual(['c', 'b', 'a']);
    expect(ids(await store.listScoresByEntityId({ entityId: 'agent-1', entityType: 'AGENT', pagination: all, filters: { projectId: 'p2' } }))).toEqual(['b']);
    expect(ids(await store.listScoresBySpan({ traceId: 't', spanId: 'x', pagination: all }))).toEqual(['d', 'b', 'a']);
    const page = await store.listScoresBySpan({ traceId: 't', spanId: 'x', pagination: { page: 1, perPage: 1 }, filters: { organizationId: 'org1' } });
    expect({ ids: ids(page), pagination: page.pagination }).toEqual({ ids: ['a'], pagination: { total: 2, page: 1, perPage: 1, hasMore: false } });

    const error = await store.listScoresByRunId({ runId: 'r', pagination: { page: -1, perPage: 1 } }).catch((e: unknown) => e);
    expect((error as MastraError).category).toBe('USER');

    await store.dangerouslyClearAll();
    expect((await store.listScoresBySpan({ traceId: 't', spanId: 'x', pagination: all })).pagination.total).toBe(0);
  });

  it('lists scores saved in the same millisecond in save order, a replaced one as the newest save', async () => {
    const store = await domain();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2025-06-01T00:00:00.000Z'));
      for (const id of ['m', 'c', 'x', 'a']) await store.saveScore(scorePayload({ id }));
      await store.saveScore(scorePayload({ id: 'c' }));
    } finally {
      vi.useRealTimers();
    }
    expect(ids(await store.listScoresByRunId({ runId: 'run-1', pagination: { page: 0, perPage: false } }))).toEqual(['m', 'x', 'a', 'c']);
    const pages = [0, 1].map((page) => store.listScoresByRunId({ runId: 'run-1', pagination: { page, perPage: 2 } }));
    expect((await Promise.all(pages)).flatMap(ids)).toEqual(['m', 'x', 'a', 'c']);
  });

  it('answers wrong types with USER errors', async () => {
    const store = await domain();
    const page = { page: 0, perPage: 10 };
    const bad: Promise<unknown>[] = [
      store.getScoreById({ id: {} as never }),
      store.listScoresByRunId({ runId: 5 as never, pagination: page }),
      store.listScoresByEntityId({ entityId: 'e', entityType: undefined as never, pagination: page }),
      store.listScoresBySpan({ traceId: 't', spanId: 's', pagination: { page: 0, perPage: '10' as never } }),
      store.listScoresByScorerId({ scorerId: 's', pagination: page, filters: { organizationId: 1 as never } }),
      store.listScoresByScorerId({ scorerId: 's', pagination: undefined as never }),
    ];
    for (const call of bad) {
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect((error as MastraError).category).toBe('USER');
    }
  });

  it('creates its table in init() and works without a D1Store', async () => {
    const store = new ScoresStorageD1({ ...h.connection(kind), tablePrefix: uniquePrefix('scalone') } as D1DomainConfig);
    await store.init();
    const { score } = await store.saveScore(scorePayload({ id: 'alone' }));
    expect(await store.getScoreById({ id: 'alone' })).toEqual(score);
  });
});
