import { createKnowledgeNodeCursor, type KnowledgeStorage } from '@mastra/core/storage';
import { describe, it } from 'vitest';
import { normalize, useParity } from '../support/parity';

const p = useParity('knowledge');

const ORG = ['org:o'];
const RES = ['org:o', 'resource:r'];
const THREAD = ['org:o', 'resource:r', 'thread:t1'];
const WHEN = new Date('2025-06-01T00:00:00.000Z');
const LONG = `The Quite Extraordinarily Long Name Of A Node ${'x'.repeat(30)}`;

// Generated ids (UUIDs of nodes created from wikilinks, ULIDs of activity and outbox entries) differ
// between the stores: each becomes a placeholder numbered by first appearance.
const GENERATED = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9A-HJKMNP-TV-Z]{26}\b/g;
function ids(value: unknown, seen = new Map<string, string>()): unknown {
  if (typeof value === 'string') return value.replace(GENERATED, (m) => seen.get(m) ?? (seen.set(m, `<id-${seen.size}>`), seen.get(m)!));
  if (Array.isArray(value)) return value.map((v) => ids(v, seen));
  if (value && typeof value === 'object' && !(value instanceof Date)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ids(v, seen)]));
  return value;
}
const generated = (value: unknown) => normalize(ids(value));
/** Outbox entries as a sorted multiset: entry ids and same-batch ordering are the store's own. */
const outboxSet = (value: unknown) =>
  (value as { documentId: string; operation: string; status: string; attempts: number; scope: string[]; claimedBy?: string }[])
    .map((e) => `${e.documentId.replace(GENERATED, '<gen>')} ${e.operation} ${e.status} ${e.attempts} ${e.scope.join(',')} ${e.claimedBy ?? '-'}`)
    .sort();

/**
 * Nodes (or search hits) as a set: LibSQLStore stamps each node created in one call with its own clock
 * reading, this store with the batch's, so ties in `updatedAt` order differently (paging is checked in
 * the conformance suite).
 */
const unordered = (value: unknown) => (generated(value) as unknown[]).map((v) => JSON.stringify(v)).sort();

async function seed(s: KnowledgeStorage) {
  await s.createNode({ id: 'n-ada', name: ' Ada ', kind: 'person', content: 'Friend of [[Bob]]', description: 'A person', scope: RES });
  await s.createNode({ id: 'n-acme', name: 'Acme', kind: 'org', scope: ORG });
  await s.createNode({ id: 'n-long', name: LONG, kind: 'note', content: '', scope: RES });
  await s.appendKnowledge({ id: 'r1', node: 'n-ada', text: 'Met [[Acme]] and [[Carol]] over tea', scope: THREAD, sourceThreadId: 't1', resolutionScope: THREAD, defaultScope: RES, when: WHEN, maxScope: 'thread', metadata: { why: 'met' } });
  await s.appendKnowledge({ id: 'r2', node: 'n-acme', text: '[[Ada]] works at Acme', scope: RES, sourceThreadId: 't1', resolutionScope: THREAD, defaultScope: RES });
  await s.appendKnowledge({ id: 'r3', node: { id: 'n-ada' } as never, text: 'Ada prefers green tea', scope: RES, sourceThreadId: 't2', resolutionScope: RES, defaultScope: RES });
}

describe('KnowledgeStorageD1 matches LibSQLStore', () => {
  it('creates, finds and resolves nodes, and refuses bad ones alike', async () => {
    await p.same((s) => s.createNode({ id: 'n-ada', name: ' Ada ', kind: 'person', content: 'Friend of [[Bob]] and [[Ada]]', description: 'A person', scope: RES }), { normalize: generated });
    await p.same((s) => s.createNode({ id: 'other', name: 'ADA', kind: 'x', scope: RES }), { normalize: generated });
    await p.same((s) => s.createNode({ id: 'n-acme', name: 'Acme', kind: 'org', scope: ORG, resolutionScope: THREAD }), { normalize: generated });
    await p.same((s) => s.getNode('n-ada'), { normalize: generated });
    await p.same((s) => s.getNode('missing'));
    await p.same((s) => s.getNodeByName({ name: 'ada', scope: RES }), { normalize: generated });
    await p.same((s) => s.getNodeByName({ name: 'ada', scope: THREAD }));
    await p.same((s) => s.resolveNode({ name: ' ACME ', scope: THREAD }), { normalize: generated });
    await p.same((s) => s.resolveNode({ name: 'bob', scope: THREAD }), { normalize: generated });
    await p.same((s) => s.resolveNode({ name: 'bob', scope: ORG }));
    await p.bothRefuse((s) => s.createNode({ name: 'x', kind: 'k', scope: ['thread:t'] }));
    await p.bothRefuse((s) => s.createNode({ name: 'x', kind: 'k', scope: [] }));
    await p.bothRefuse((s) => s.createNode({ name: 'x', kind: 'k', description: 'd'.repeat(401), scope: RES }));
    await p.bothRefuse((s) => s.getNodeByName({ name: 'x', scope: ['nope'] }));
    await p.same((s) => s.listActivity({ scope: THREAD }), { normalize: generated });
  });

  it('appends, lists and searches knowledge alike', async () => {
    await p.same(seed, { normalize: generated });
    await p.same((s) => s.getKnowledge({ id: 'r1' }));
    await p.same((s) => s.getKnowledge({ id: 'missing' }));
    await p.same((s) => s.listKnowledgeAbout({ node: 'n-ada', scope: THREAD }));
    await p.same((s) => s.listKnowledgeAbout({ node: 'n-ada', scope: RES }));
    await p.same((s) => s.listKnowledgeAbout({ node: 'n-ada', scope: THREAD, limit: 1 }));
    await p.same((s) => s.listKnowledgeAbout({ node: 'n-ada', scope: THREAD, after: 'r3', limit: 5 }));
    await p.same((s) => s.listKnowledgeAbout({ node: 'missing', scope: THREAD }));
    await p.same((s) => s.listKnowledgeMentioning({ node: 'n-acme', scope: THREAD }));
    await p.same((s) => s.listKnowledgeMentioning({ node: { id: 'n-ada' } as never, scope: THREAD }));
    await p.same((s) => s.listKnowledgeRelatedTo({ node: 'n-acme', scope: THREAD }));
    await p.same((s) => s.listKnowledgeRelatedTo({ node: 'n-ada', scope: THREAD, limit: 1, after: 'r3' }));
    await p.same((s) => s.knowledgeBySource({ sourceThreadId: 't1', scope: THREAD }));
    await p.same((s) => s.knowledgeBySource({ sourceThreadId: 't1', scope: THREAD, limit: 1 }));
    await p.same((s) => s.knowledgeBySource({ sourceThreadId: 't1', scope: RES, after: 'r1' }));
    for (const query of ['ada', 'TEA', 'works at', '  ', '%', LONG.slice(3, 70), 'nothing'])
      await p.same((s) => s.search({ query, scope: THREAD }), { normalize: unordered });
    await p.same((s) => s.search({ query: 'tea', scope: THREAD, limit: 1 }), { normalize: unordered });
    await p.same((s) => s.listNodes({ scope: THREAD }), { normalize: unordered });
    await p.same((s) => s.listNodes({ scope: ORG }), { normalize: unordered });
    await p.same((s) => s.listNodes({ scope: THREAD, kind: 'person' }), { normalize: unordered });
    await p.same((s) => s.listNodes({ scope: THREAD, hasContent: true }), { normalize: unordered });
    await p.same((s) => s.listNodes({ scope: THREAD, hasContent: false }), { normalize: unordered });
    await p.same((s) => s.listNodes({ scope: THREAD, namePrefix: LONG.slice(0, 64).toUpperCase() }), { normalize: unordered });
    await p.same((s) => s.listNodes({ scope: THREAD, namePrefix: '%' }));
    await p.bothRefuse((s) => s.listNodes({ scope: THREAD, cursor: 'garbage' }));
    await p.bothRefuse((s) => s.listNodes({ scope: THREAD, kind: 'person', cursor: createKnowledgeNodeCursor({ updatedAt: WHEN, name: 'a', id: 'b' }) }));
    await p.same((s) => s.appendKnowledge({ node: 'missing', text: 't', scope: RES, sourceThreadId: 't', resolutionScope: RES, defaultScope: RES }), { throws: true });
    await p.bothRefuse((s) => s.appendKnowledge({ node: 'n-ada', text: 't', scope: RES, sourceThreadId: 't', resolutionScope: RES, defaultScope: RES, maxScope: 'thread' }));
    await p.same((s) => s.listActivity({ scope: THREAD }), { normalize: generated });
    await p.same((s) => s.listActivity({ scope: RES, limit: 2 }), { normalize: generated });
    await p.same(async (s) => s.listActivity({ scope: THREAD, after: (await s.listActivity({ scope: THREAD, limit: 3 }))[2]!.id }), { normalize: generated });
    await p.same((s) => s.listSemanticOutbox(), { normalize: outboxSet });
  });

  it('updates and merges nodes with version checks alike', async () => {
    await p.same(seed, { normalize: generated });
    await p.same((s) => s.updateNode({ id: 'n-ada', version: 9, name: 'Ada L' }), { throws: true });
    await p.same((s) => s.updateNode({ id: 'missing', version: 1 }), { throws: true });
    await p.bothRefuse((s) => s.updateNode({ id: 'n-ada', version: 1, description: 'd'.repeat(401) }));
    await p.same((s) => s.updateNode({ id: 'n-ada', version: 1, kind: 'human' }), { normalize: generated });
    await p.same((s) => s.updateNode({ id: 'n-ada', version: 2, name: 'Ada Lovelace', content: 'Knows [[Acme]] and [[Dave]]', scope: ORG }), { normalize: generated });
    await p.same((s) => s.updateNode({ id: 'n-ada', version: 3, content: 'Met [[acme]] and [[Eve]]', resolutionScope: THREAD }), { normalize: generated });
    await p.same((s) => s.updateNode({ id: 'n-ada', version: 4, content: 'Met [[Eve]]', scope: RES }), { normalize: generated });
    await p.same((s) => s.getNode('n-ada'), { normalize: generated });
    await p.same((s) => s.listKnowledgeMentioning({ node: 'n-acme', scope: THREAD }));
    await p.bothRefuse((s) => s.mergeNodes({ sourceId: 'n-acme', targetId: 'n-acme', sourceVersion: 1 }));
    await p.same((s) => s.mergeNodes({ sourceId: 'missing', targetId: 'n-acme', sourceVersion: 1 }), { throws: true });
    await p.same((s) => s.mergeNodes({ sourceId: 'n-acme', targetId: 'missing', sourceVersion: 1 }), { throws: true });
    await p.bothRefuse((s) => s.mergeNodes({ sourceId: 'n-acme', targetId: 'n-long', sourceVersion: 1 }));
    await p.same((s) => s.mergeNodes({ sourceId: 'n-long', targetId: 'n-ada', sourceVersion: 7 }), { throws: true });
    await p.same((s) => s.createNode({ id: 'n-ada-2', name: 'Ada (dup)', kind: 'person', description: 'The same Ada', scope: RES }), { normalize: generated });
    await p.same((s) => s.mergeNodes({ sourceId: 'n-ada-2', targetId: 'n-ada', sourceVersion: 1 }), { normalize: generated });
    await p.same((s) => s.createNode({ id: 'n-acme-2', name: 'ACME Corp', kind: 'org', description: 'Corp', scope: ORG }), { normalize: generated });
    await p.same((s) => s.mergeNodes({ sourceId: 'n-acme', targetId: 'n-acme-2', sourceVersion: 1 }), { normalize: generated });
    await p.bothRefuse((s) => s.mergeNodes({ sourceId: 'n-acme-2', targetId: 'n-acme', sourceVersion: 1 }));
    await p.bothRefuse((s) => s.updateNode({ id: 'n-acme', version: 2, kind: 'x' }));
    await p.same((s) => s.getNode('n-acme'), { normalize: generated });
    await p.same((s) => s.listKnowledgeAbout({ node: 'n-acme', scope: THREAD }));
    await p.same((s) => s.listKnowledgeRelatedTo({ node: 'n-acme', scope: THREAD }));
    await p.same((s) => s.resolveNode({ name: 'acme', scope: THREAD }), { normalize: generated });
    await p.same((s) => s.createNode({ name: 'Acme', kind: 'org', scope: ORG }), { normalize: generated });
    await p.same((s) => s.appendKnowledge({ id: 'r4', node: 'n-acme', text: 'About [[ACME]]', scope: ORG, sourceThreadId: 't3', resolutionScope: ORG, defaultScope: ORG }), { normalize: generated });
    await p.same((s) => s.listNodes({ scope: THREAD }), { normalize: unordered });
    await p.same((s) => s.listActivity({ scope: THREAD }), { normalize: generated });
    await p.same((s) => s.listSemanticOutbox({ limit: 500 }), { normalize: outboxSet });
  });

  it('removes, restores, rescopes and raises ceilings alike', async () => {
    await p.same(seed, { normalize: generated });
    await p.same((s) => s.removeKnowledge({ id: 'missing', deletedBy: 'me' }), { throws: true });
    await p.same((s) => s.removeKnowledge({ id: 'r1', deletedBy: 'me' }));
    await p.same((s) => s.removeKnowledge({ id: 'r1', deletedBy: 'again' }));
    await p.same((s) => s.getKnowledge({ id: 'r1' }));
    await p.same((s) => s.getKnowledge({ id: 'r1', includeDeleted: true }));
    await p.same((s) => s.listKnowledgeAbout({ node: 'n-ada', scope: THREAD, includeDeleted: true }));
    await p.same((s) => s.knowledgeBySource({ sourceThreadId: 't1', scope: THREAD, includeDeleted: true }));
    await p.same((s) => s.restoreKnowledge({ id: 'r1' }));
    await p.same((s) => s.restoreKnowledge({ id: 'r1' }));
    await p.same((s) => s.restoreKnowledge({ id: 'missing' }), { throws: true });
    await p.bothRefuse((s) => s.rescopeKnowledge({ id: 'r1', scope: RES }));
    await p.same((s) => s.rescopeKnowledge({ id: 'r2', scope: THREAD }));
    await p.same((s) => s.rescopeKnowledge({ id: 'missing', scope: THREAD }), { throws: true });
    await p.bothRefuse((s) => s.rescopeKnowledge({ id: 'r2', scope: ['resource:r'] }));
    await p.same((s) => s.raiseKnowledgeCeiling({ id: 'r1', maxScope: 'resource' }));
    await p.bothRefuse((s) => s.raiseKnowledgeCeiling({ id: 'r1', maxScope: 'thread' }));
    await p.same((s) => s.raiseKnowledgeCeiling({ id: 'r1' }));
    await p.same((s) => s.raiseKnowledgeCeiling({ id: 'missing', maxScope: 'org' }), { throws: true });
    await p.same((s) => s.rescopeKnowledge({ id: 'r1', scope: ORG }));
    await p.same((s) => s.removeKnowledge({ id: 'r3', deletedBy: 'me' }));
    await p.same((s) => s.rescopeKnowledge({ id: 'r3', scope: ORG }));
    await p.same((s) => s.listActivity({ scope: THREAD }), { normalize: generated });
    await p.same((s) => s.listSemanticOutbox({ limit: 500 }), { normalize: outboxSet });
  });

  it('keeps curation cursors and drains the outbox alike', async () => {
    await p.same((s) => s.getCurationCursor({ sourceThreadId: 't1', agent: 'curator' }));
    await p.same((s) => s.advanceCurationCursor({ sourceThreadId: 't1', agent: 'curator', lastKnowledgeId: '01B' }));
    await p.same((s) => s.advanceCurationCursor({ sourceThreadId: 't1', agent: 'curator', lastKnowledgeId: '01B' }));
    await p.bothRefuse((s) => s.advanceCurationCursor({ sourceThreadId: 't1', agent: 'curator', lastKnowledgeId: '01A' }));
    await p.same((s) => s.advanceCurationCursor({ sourceThreadId: 't1', agent: 'curator', lastKnowledgeId: '01C' }));
    await p.same((s) => s.getCurationCursor({ sourceThreadId: 't1', agent: 'curator' }));
    await p.same((s) => s.getCurationCursor({ sourceThreadId: 't1', agent: 'other' }));

    await p.same(seed, { normalize: generated });
    await p.same((s) => s.updateNode({ id: 'n-ada', version: 1, scope: ORG }), { normalize: generated });
    await p.same((s) => s.listSemanticOutbox({ status: 'pending', scope: RES, limit: 500 }), { normalize: outboxSet });
    const now = new Date(Date.now() + 1000);
    await p.same((s) => s.claimSemanticOutbox({ workerId: 'w1', limit: 4, now }), { normalize: outboxSet });
    await p.same((s) => s.claimSemanticOutbox({ workerId: 'w2', limit: 100, now, scope: ORG }), { normalize: outboxSet });
    await p.same((s) => s.listSemanticOutbox({ status: 'processing' }), { normalize: outboxSet });
    await p.same(async (s) => s.completeSemanticOutbox({ ids: (await s.listSemanticOutbox({ status: 'processing' })).map((e) => e.id), workerId: 'w1' }));
    await p.same(async (s) => s.releaseSemanticOutbox({ ids: (await s.listSemanticOutbox({ status: 'processing' })).map((e) => e.id), workerId: 'w2', retryAt: new Date(0) }));
    await p.same((s) => s.completeSemanticOutbox({ ids: [], workerId: 'w1' }));
    await p.same((s) => s.releaseSemanticOutbox({ ids: ['missing'], workerId: 'w1' }));
    await p.same((s) => s.listSemanticOutbox({ limit: 500 }), { normalize: outboxSet });
    await p.same((s) => s.claimSemanticOutbox({ workerId: 'w3', now: new Date(Date.now() + 120_000), claimTimeoutMs: 1000 }), { normalize: outboxSet });
    await p.same((s) => s.listSemanticOutbox({ status: 'completed', limit: 3 }), { normalize: (v) => (v as unknown[]).length });
    await p.same((s) => s.dangerouslyClearAll());
    await p.same((s) => s.getNode('n-ada'));
    await p.same((s) => s.getCurationCursor({ sourceThreadId: 't1', agent: 'curator' }));
    await p.same((s) => s.listSemanticOutbox());
  });
});
