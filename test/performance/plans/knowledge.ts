import { knowledgeScopeKey } from '@mastra/core/storage';
import { at } from '../../../bench/data';
import { FILTERED_BUDGET, GROUPS, STORED, range, expectIndexed, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

const ORG = ['org:o'];
const resource = (i: number) => ['org:o', `resource:r${i % GROUPS}`];
const scoped = (scope: string[]) => ({ scope, scopeKey: knowledgeScopeKey(scope) });

export default {
  knowledge: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const k = await domain(store, 'knowledge');
      const scope = resource(1);
      const thread = [...scope, 'thread:t1'];
      const ada = await k.createNode({ id: 'ada', name: 'Ada', kind: 'person', content: 'knows [[Bob]]', scope });
      const org = await k.createNode({ id: 'acme', name: 'Acme', kind: 'org', scope: ORG });
      await expectIndexed(prefix, counter, async () => {
        await k.createNode({ name: 'Ada', kind: 'person', scope });
        const record = await k.appendKnowledge({ id: 'r1', node: ada.id, text: 'met [[Acme]] and [[Carol]]', scope: thread, sourceThreadId: 't1', resolutionScope: thread, defaultScope: scope });
        await k.getNode(ada.id);
        await k.getNodeByName({ name: 'ada', scope });
        await k.resolveNode({ name: 'acme', scope: thread });
        await k.listNodes({ scope: thread, namePrefix: 'a', kind: 'person', hasContent: true });
        const updated = await k.updateNode({ id: ada.id, version: ada.version, content: 'knows [[Dave]]', scope: ORG });
        await k.mergeNodes({ sourceId: updated.id, targetId: org.id, sourceVersion: updated.version });
        await k.getKnowledge({ id: record.id });
        await k.listKnowledgeAbout({ node: ada.id, scope: thread });
        await k.listKnowledgeMentioning({ node: org.id, scope: thread });
        await k.listKnowledgeRelatedTo({ node: org.id, scope: thread, after: 'r9' });
        await k.knowledgeBySource({ sourceThreadId: 't1', scope: thread });
        await k.removeKnowledge({ id: record.id, deletedBy: 'me' });
        await k.restoreKnowledge({ id: record.id });
        await k.rescopeKnowledge({ id: record.id, scope: thread });
        await k.raiseKnowledgeCeiling({ id: record.id, maxScope: 'org' });
        await k.search({ query: 'acme', scope: thread });
        await k.advanceCurationCursor({ sourceThreadId: 't1', agent: 'a', lastKnowledgeId: 'r1' });
        await k.getCurationCursor({ sourceThreadId: 't1', agent: 'a' });
        await k.listActivity({ scope: thread, after: 'Z' });
        await k.listSemanticOutbox({ status: 'pending', scope: thread });
        await k.listSemanticOutbox();
        const claimed = await k.claimSemanticOutbox({ workerId: 'w', limit: 5, scope: thread });
        await k.completeSemanticOutbox({ ids: claimed.slice(0, 2).map((e) => e.id), workerId: 'w' });
        await k.releaseSemanticOutbox({ ids: claimed.slice(2).map((e) => e.id), workerId: 'w' });
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const k = await domain(store, 'knowledge');
      const nodeOf = (i: number) => `node-${i % GROUPS}`;
      await seed(prefix, 'mastra_knowledge_nodes', range(STORED).map((i) => ({
        id: i < GROUPS ? nodeOf(i) : `n-${i}`, type: 'node', name: `Name ${i}`, canonicalName: `name ${i}`, kind: 'note', content: `about ${i}`,
        ...scoped(resource(i)), version: 1, createdAt: at(i), updatedAt: at(i),
      })));
      await seed(prefix, 'mastra_knowledge_records', range(STORED).map((i) => ({
        id: `r-${String(i).padStart(4, '0')}`, node: nodeOf(i), text: `fact ${i}`, ...scoped(resource(i)), sourceThreadId: `t${i % GROUPS}`, capturedAt: at(i),
      })));
      await seed(prefix, 'mastra_knowledge_activity', range(STORED).map((i) => ({
        id: `a-${String(i).padStart(4, '0')}`, action: 'record-created', recordType: 'record', recordId: `r-${i}`, ...scoped(resource(i)), createdAt: at(i),
      })));
      await seed(prefix, 'mastra_knowledge_semantic_outbox', range(STORED).map((i) => ({
        id: `o-${String(i).padStart(4, '0')}`, idempotencyKey: `k-${i}`, documentId: `knowledge:record:r-${i}`, documentType: 'record', operation: 'upsert',
        ...scoped(resource(i)), status: i % GROUPS === 7 ? 'pending' : 'completed', attempts: 0, availableAt: at(i), createdAt: at(i),
      })));
      const scope = [...resource(7), 'thread:t7'];
      await rowsRead(counter, {
        listNodes: [() => k.listNodes({ scope }), FILTERED_BUDGET],
        search: [() => k.search({ query: 'fact', scope }), FILTERED_BUDGET],
        listKnowledgeAbout: [() => k.listKnowledgeAbout({ node: nodeOf(7), scope }), FILTERED_BUDGET],
        knowledgeBySource: [() => k.knowledgeBySource({ sourceThreadId: 't7', scope }), FILTERED_BUDGET],
        listActivity: [() => k.listActivity({ scope }), FILTERED_BUDGET],
        listSemanticOutbox: [() => k.listSemanticOutbox({ status: 'pending' }), FILTERED_BUDGET],
        claimSemanticOutbox: [() => k.claimSemanticOutbox({ workerId: 'w', limit: 100 }), FILTERED_BUDGET * 2],
      });
    },
  },
} satisfies PlanCases;
