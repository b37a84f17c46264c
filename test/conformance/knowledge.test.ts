import { MastraError } from '@mastra/core/error';
import { KnowledgeConflictError, type KnowledgeStorage } from '@mastra/core/storage';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';
import { uniquePrefix } from '../support/harness';

const ORG = ['org:o'];
const RES = ['org:o', 'resource:r'];
const THREAD = ['org:o', 'resource:r', 'thread:t1'];
const ATOMIC = 'knowledge mutations are multi-statement batches, which need an atomic batch';
const append = (k: KnowledgeStorage, node: string, text: string, id?: string) =>
  k.appendKnowledge({ id, node, text, scope: RES, sourceThreadId: 't1', resolutionScope: THREAD, defaultScope: RES });

async function refusal(call: () => Promise<unknown>): Promise<MastraError> {
  const error = await call().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MastraError);
  expect((error as MastraError).category).toBe('USER');
  return error as MastraError;
}

describeConformance('knowledge', 'KnowledgeStorageD1', (t) => {
  t.it(
    'builds a graph from wikilinks, follows merges, and lists what each scope may see',
    async () => {
      const k = await t.domain();
      const ada = await k.createNode({ name: 'Ada', kind: 'person', content: 'Friend of [[Bob]]', scope: RES });
      const record = await append(k, ada.id, '[[Ada]] drinks tea with [[Bob]] at [[Acme]]');
      const bob = (await k.resolveNode({ name: 'bob', scope: THREAD }))!;
      expect(bob).toMatchObject({ name: 'Bob', kind: 'node', scope: RES, version: 1 });
      expect((await k.listKnowledgeMentioning({ node: bob.id, scope: THREAD })).records.map((r) => r.id)).toEqual([record.id]);
      expect((await k.listKnowledgeAbout({ node: ada.id, scope: ORG })).records).toEqual([]);

      const merged = await k.mergeNodes({ sourceId: bob.id, targetId: ada.id, sourceVersion: 1 });
      expect(merged.id).toBe(ada.id);
      expect((await k.resolveNode({ name: 'Bob', scope: THREAD }))!.id).toBe(ada.id);
      expect((await k.listKnowledgeRelatedTo({ node: bob.id, scope: THREAD })).records.map((r) => r.id)).toEqual([record.id]);
      expect((await k.listNodes({ scope: THREAD })).map((n) => n.name).sort()).toEqual(['Acme', 'Ada']);
      expect((await k.listActivity({ scope: THREAD })).map((a) => a.action)).toEqual(['node-merged', 'record-created', 'node-created', 'node-created', 'node-created']);
    },
    { custom: ATOMIC },
  );

  t.it(
    'filters names and searches with inputs longer than D1’s 50-byte LIKE pattern cap',
    async () => {
      const k = await t.domain();
      const name = `Observational memory subconscious knowledge graph node ${'n'.repeat(20)}`;
      await k.createNode({ name, kind: 'note', content: 'Long 100% literal_text', scope: RES });
      await k.createNode({ name: 'Other', kind: 'note', scope: RES });
      const prefix = name.slice(0, 64).toUpperCase();
      expect(prefix.length).toBeGreaterThan(60);
      expect((await k.listNodes({ scope: RES, namePrefix: prefix })).map((n) => n.name)).toEqual([name]);
      expect(await k.listNodes({ scope: RES, namePrefix: `${prefix}x` })).toEqual([]);
      expect((await k.search({ query: name.slice(5, 70), scope: RES })).map((r) => r.name)).toEqual([name]);
      expect((await k.search({ query: '100% literal_', scope: RES })).map((r) => r.name)).toEqual([name]);
      expect(await k.search({ query: '1_0', scope: RES })).toEqual([]);
    },
    { custom: ATOMIC },
  );

  t.it(
    'pages nodes by cursor, each node once, most recently updated first',
    async () => {
      const k = await t.domain();
      for (const name of ['a', 'b', 'c', 'd', 'e']) await k.createNode({ name, kind: 'k', scope: RES });
      const all = await k.listNodes({ scope: RES });
      const { createKnowledgeNodeCursor } = await import('@mastra/core/storage');
      const seen: string[] = [];
      let page = await k.listNodes({ scope: RES, limit: 2 });
      while (page.length) {
        seen.push(...page.map((n) => n.id));
        page = await k.listNodes({ scope: RES, limit: 2, cursor: createKnowledgeNodeCursor(page.at(-1)!) });
      }
      expect(seen).toEqual(all.map((n) => n.id));
      expect([...all].sort((x, y) => y.updatedAt.getTime() - x.updatedAt.getTime() || x.name.localeCompare(y.name))).toEqual(all);
    },
    { custom: ATOMIC },
  );

  t.it(
    'version-checked updates and merges: of two concurrent writers with the same version, one wins',
    async () => {
      const k = await t.domain();
      const node = await k.createNode({ name: 'Ada', kind: 'person', scope: RES });
      const results = await Promise.allSettled([1, 2].map((i) => k.updateNode({ id: node.id, version: 1, content: `v${i} [[Link${i}]]` })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(KnowledgeConflictError);
      const stored = (await k.getNode(node.id))!;
      expect(stored.version).toBe(2);
      const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ content: string }>).value;
      expect(stored.content).toBe(winner.content);
      // Only the winner's wikilink made a node.
      expect((await k.listNodes({ scope: RES })).map((n) => n.name).sort()).toEqual(['Ada', `Link${winner.content.slice(1, 2)}`]);

      const target = await k.createNode({ name: 'Target', kind: 'person', scope: ORG });
      await expect(k.mergeNodes({ sourceId: node.id, targetId: target.id, sourceVersion: 1 })).rejects.toBeInstanceOf(KnowledgeConflictError);
      expect((await k.getNode(node.id))!.mergedInto).toBeUndefined();
    },
    { custom: ATOMIC },
  );

  t.it(
    'concurrent writers creating the same node, directly or through a wikilink, end with one node',
    async () => {
      const prefix = uniquePrefix('kn');
      const [a, b] = await Promise.all([t.domain({ tablePrefix: prefix }), t.domain({ tablePrefix: prefix })]);
      const host = await a.createNode({ name: 'Host', kind: 'k', scope: RES });
      const created = await Promise.all([a.createNode({ name: 'Ada', kind: 'person', scope: RES }), b.createNode({ name: ' ada ', kind: 'person', scope: RES })]);
      expect(created[0].id).toBe(created[1].id);
      const records = await Promise.all([append(a, host.id, 'met [[Zed]]'), append(b, host.id, 'saw [[zed]]')]);
      const zed = (await a.listNodes({ scope: RES, namePrefix: 'zed' }))!;
      expect(zed).toHaveLength(1);
      const mentioning = await a.listKnowledgeMentioning({ node: zed[0]!.id, scope: RES });
      expect(mentioning.records.map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort());
      const activity = await a.listActivity({ scope: RES });
      expect(activity.filter((e) => e.action === 'node-created' && e.recordId === zed[0]!.id)).toHaveLength(1);
      const outbox = await a.listSemanticOutbox({ limit: 500 });
      expect(outbox.filter((e) => e.documentId === `knowledge:node:${zed[0]!.id}`)).toHaveLength(1);
    },
    { custom: ATOMIC },
  );

  t.it('two stores draining the semantic outbox concurrently claim every entry exactly once, in document order', async () => {
    const prefix = uniquePrefix('kd');
    const writer = (await (await t.h.freshStore('binding', { tablePrefix: prefix })).getStore('knowledge'))!;
    const nodes = await Promise.all(['A', 'B', 'C'].map((name) => writer.createNode({ name, kind: 'k', scope: RES })));
    for (let i = 0; i < 12; i++) {
      const record = await append(writer, nodes[i % 3]!.id, `fact ${i} about [[N${i % 4}]]`);
      if (i % 4 === 0) await writer.removeKnowledge({ id: record.id, deletedBy: 'test' });
    }
    const total = (await writer.listSemanticOutbox({ status: 'pending', limit: 1000 })).length;
    expect(total).toBeGreaterThan(20);

    const drainers = await Promise.all([t.domain({ tablePrefix: prefix }), t.domain({ tablePrefix: prefix })]);
    const claims: { worker: string; id: string; documentId: string; createdAt: number }[] = [];
    await Promise.all(
      drainers.map(async (k, i) => {
        const worker = `w${i}`;
        for (let idle = 0; idle < 3; ) {
          const entries = await k.claimSemanticOutbox({ workerId: worker, limit: 4 });
          if (!entries.length) {
            idle++;
            continue;
          }
          idle = 0;
          for (const e of entries) {
            // Another claimer holds no unfinished earlier entry of this document.
            const earlier = (await k.listSemanticOutbox({ limit: 1000 })).filter((o) => o.documentId === e.documentId && o.status !== 'completed' && (o.createdAt < e.createdAt || (+o.createdAt === +e.createdAt && o.id < e.id)));
            expect(earlier).toEqual([]);
            claims.push({ worker, id: e.id, documentId: e.documentId, createdAt: +e.createdAt });
          }
          await k.completeSemanticOutbox({ ids: entries.map((e) => e.id), workerId: worker });
        }
      }),
    );
    expect(claims).toHaveLength(total);
    expect(new Set(claims.map((c) => c.id)).size).toBe(total);
    expect(await writer.listSemanticOutbox({ status: 'pending' })).toEqual([]);
    expect((await writer.listSemanticOutbox({ status: 'completed', limit: 1000 })).every((e) => e.attempts === 1)).toBe(true);
  });

  t.it('complete and release only touch entries the worker holds; a stale claim can be taken over', async () => {
    const prefix = uniquePrefix('ko');
    const writer = (await (await t.h.freshStore('binding', { tablePrefix: prefix })).getStore('knowledge'))!;
    await writer.createNode({ name: 'A', kind: 'k', scope: RES });
    await writer.createNode({ name: 'B', kind: 'k', scope: ORG });
    const k = await t.domain({ tablePrefix: prefix });
    const [first] = await k.claimSemanticOutbox({ workerId: 'w1', limit: 1, scope: RES });
    await k.completeSemanticOutbox({ ids: [first!.id], workerId: 'w2' });
    await k.releaseSemanticOutbox({ ids: [first!.id], workerId: 'w2' });
    expect((await k.listSemanticOutbox({ status: 'processing' })).map((e) => e.claimedBy)).toEqual(['w1']);
    expect(await k.claimSemanticOutbox({ workerId: 'w2', limit: 1, scope: ORG, now: new Date(Date.now() + 1000) })).toHaveLength(1);
    const taken = await k.claimSemanticOutbox({ workerId: 'w3', now: new Date(Date.now() + 120_000) });
    expect(taken.map((e) => [e.claimedBy, e.attempts])).toEqual([['w3', 2], ['w3', 2]]);
    await k.releaseSemanticOutbox({ ids: taken.map((e) => e.id), workerId: 'w3', retryAt: new Date(Date.now() + 3_600_000) });
    expect(await k.claimSemanticOutbox({ workerId: 'w4' })).toEqual([]);
  });

  t.it('refuses bad input as USER errors that write nothing', async () => {
    const k = await t.domain();
    const error = await refusal(() => k.createNode({ name: 'x', kind: 'k', scope: ['thread:t'] }));
    expect(error.message).toContain('Thread knowledge scope requires');
    await refusal(() => k.createNode({ name: 'x', kind: 'k', description: 'd'.repeat(401), scope: RES }));
    await refusal(() => k.createNode({ name: 42 as never, kind: 'k', scope: RES }));
    await refusal(() => k.listNodes({ scope: RES, cursor: '%E0%A4%A' }));
    await refusal(() => k.listNodes({ scope: RES, limit: -1 }));
    await refusal(() => k.completeSemanticOutbox({ ids: 'x' as never, workerId: 'w' }));
    await refusal(() => k.advanceCurationCursor({ sourceThreadId: 't', agent: 'a', lastKnowledgeId: undefined as never }));
    expect(await k.listNodes({ scope: RES })).toEqual([]);
    expect(await k.listActivity({ scope: THREAD })).toEqual([]);
  });

  t.it(
    'a custom client, whose batch is not atomic, refuses multi-statement mutations with a USER error',
    async () => {
      const k = await t.domain();
      const error = await refusal(() => k.createNode({ name: 'x', kind: 'k', scope: RES }));
      expect(error.id).toMatch(/ATOMIC_BATCH_REQUIRED$/);
      expect(await k.listNodes({ scope: RES })).toEqual([]);
      const cursor = await k.advanceCurationCursor({ sourceThreadId: 't', agent: 'a', lastKnowledgeId: '01' });
      expect(await k.getCurationCursor({ sourceThreadId: 't', agent: 'a' })).toEqual(cursor);
    },
    { binding: 'the binding batch is atomic', rest: 'the REST batch is atomic' },
  );
});
