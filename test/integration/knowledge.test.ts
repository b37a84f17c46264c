import { Mastra } from '@mastra/core';
import { Agent } from '@mastra/core/agent';
import type { KnowledgeStorage } from '@mastra/core/storage';
import { MastraVector, type QueryResult } from '@mastra/core/vector';
import { Memory, Subconscious } from '@mastra/memory';
import { describe, expect, it } from 'vitest';
import { recallModel } from '../../examples/worker/src/recall-model';
import { D1Store } from '../../src';
import { uniquePrefix, useHarness } from '../support/harness';

const h = useHarness();
const SCOPE = ['org:acme', 'resource:user-1'];

/** A vector store in process memory, shared by the "Workers" as an external vector service would be. */
class TinyVector extends MastraVector {
  readonly indexes = new Map<string, Map<string, { vector: number[]; metadata: Record<string, unknown> }>>();
  upserts = 0;
  constructor() {
    super({ id: 'tiny' });
  }
  async createIndex({ indexName }: { indexName: string }) {
    if (!this.indexes.has(indexName)) this.indexes.set(indexName, new Map());
  }
  async listIndexes() {
    return [...this.indexes.keys()];
  }
  async upsert({ indexName, ids = [], vectors, metadata = [] }: { indexName: string; ids?: string[]; vectors: number[][]; metadata?: Record<string, unknown>[] }) {
    vectors.forEach((vector, i) => this.indexes.get(indexName)!.set(ids[i]!, { vector, metadata: metadata[i] ?? {} }));
    this.upserts += vectors.length;
    return ids;
  }
  async query({ indexName, queryVector, topK = 10, filter }: Parameters<MastraVector['query']>[0]): Promise<QueryResult[]> {
    const rows = [...(this.indexes.get(indexName) ?? new Map()).entries()].filter(([, v]) => Object.entries((filter ?? {}) as Record<string, unknown>).every(([k, want]) => v.metadata[k] === want));
    const score = (v: number[]) => v.reduce((sum, x, i) => sum + x * (queryVector?.[i] ?? 0), 0);
    return rows.map(([id, v]) => ({ id, score: score(v.vector), metadata: v.metadata })).sort((a, b) => b.score - a.score).slice(0, topK);
  }
  async deleteVectors({ indexName, ids = [] }: { indexName: string; ids?: string[] }) {
    for (const id of ids) this.indexes.get(indexName)?.delete(id);
  }
  async describeIndex({ indexName }: { indexName: string }) {
    return { dimension: 3, count: this.indexes.get(indexName)?.size ?? 0, metric: 'dotproduct' as const };
  }
  async deleteIndex({ indexName }: { indexName: string }) {
    this.indexes.delete(indexName);
  }
  async updateVector() {}
  async deleteVector({ indexName, id }: { indexName: string; id: string }) {
    this.indexes.get(indexName)?.delete(id);
  }
}

/** A deterministic embedder: how often each of three words occurs. */
const embedder = {
  specificationVersion: 'v2' as const,
  provider: 'local',
  modelId: 'word-count',
  maxEmbeddingsPerCall: 100,
  supportsParallelCalls: true,
  async doEmbed({ values }: { values: string[] }) {
    return { embeddings: values.map((v) => ['tea', 'code', 'ada'].map((w) => v.toLowerCase().split(w).length - 1 + 0.01)) };
  },
};

/** One Worker's app: a fresh D1Store on the shared database and an agent whose memory runs subconscious OM. */
function worker(tablePrefix: string, vector: TinyVector) {
  const memory = new Memory({
    vector,
    embedder: embedder as never,
    options: { observationalMemory: { model: recallModel() as never, experimental_subconscious: new Subconscious() } },
  });
  const agent = new Agent({ id: 'assistant', name: 'assistant', instructions: 'Help.', model: recallModel() as never, memory });
  const mastra = new Mastra({ storage: new D1Store({ id: 'app', binding: h.d1.db, tablePrefix }), agents: { assistant: agent }, logger: false });
  return { mastra, memory: async () => (await mastra.getAgent('assistant').getMemory()) as Memory };
}

describe('Observational Memory subconscious knowledge on D1', () => {
  it('knowledge written and indexed by one Worker survives into a second Mastra on the same D1', async () => {
    const prefix = uniquePrefix('om');
    const vector = new TinyVector();
    const first = worker(prefix, vector);
    await first.mastra.getStorage()!.init();
    const knowledge = (await first.mastra.getStorage()!.getStore('knowledge')) as KnowledgeStorage;
    const ada = await knowledge.createNode({ name: 'Ada', kind: 'person', content: 'Writes [[Code]]', scope: SCOPE });
    await knowledge.appendKnowledge({ node: ada.id, text: '[[Ada]] likes green tea', scope: SCOPE, sourceThreadId: 'thread-1', resolutionScope: SCOPE, defaultScope: SCOPE });
    const pending = (await knowledge.listSemanticOutbox({ status: 'pending', scope: SCOPE })).length;
    expect(pending).toBe(3);
    expect(await (await first.memory()).drainKnowledgeSemanticIndex(SCOPE)).toBe(pending);
    expect(vector.upserts).toBe(pending);

    const second = worker(prefix, vector);
    const store = (await second.mastra.getStorage()!.getStore('knowledge')) as KnowledgeStorage;
    const found = await store.resolveNode({ name: 'ada', scope: [...SCOPE, 'thread:thread-2'] });
    expect(found).toMatchObject({ id: ada.id, content: 'Writes [[Code]]' });
    expect((await store.listKnowledgeAbout({ node: ada.id, scope: SCOPE })).records.map((r) => r.text)).toEqual(['[[Ada]] likes green tea']);
    expect(await (await second.memory()).drainKnowledgeSemanticIndex(SCOPE)).toBe(0);
    const hits = await (await (await second.memory()).getKnowledgeSemanticIndex()).search('tea', SCOPE, 1);
    expect(hits[0]?.metadata).toMatchObject({ document_type: 'record', name: 'Ada' });
  });
});
