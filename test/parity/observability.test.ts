import { EntityType, SpanType } from '@mastra/core/observability';
import { InMemoryStore, type ListBranchesArgs, type ListTracesArgs, type ObservabilityStorage } from '@mastra/core/storage';
import { LibSQLStore } from '@mastra/libsql';
import { beforeAll, describe, expect, it } from 'vitest';
import { agentTrace, at, comparable, span } from '../support/observability';
import { useHarness } from '../support/harness';

// The same writes go to D1Store, LibSQLStore (the oracle wherever it implements a method) and core's
// ObservabilityInMemory (the reference for the rest). Reads must agree once generated timestamps are
// dropped; against the in-memory store, fields it leaves absent are compared as SQL's NULL.

const h = useHarness();

type Stores = { d1: ObservabilityStorage; libsql: ObservabilityStorage; memory: ObservabilityStorage };
let stores: Stores;

const withoutTimestamps = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (key, v) => (key === 'createdAt' || key === 'updatedAt' ? undefined : v)));

const SPANS = [
  ...agentTrace('a', 0, { userId: 'u1', tags: ['x', 'y'], metadata: { plan: 'pro', n: 1 }, scope: { core: '1.0' }, input: [{ role: 'user', content: 'hello there' }] }),
  ...agentTrace('b', 100, { userId: 'u2', tags: ['x'], environment: 'prod', resourceId: 'r1', threadId: 'th1', error: { message: 'failed' } }),
  ...agentTrace('c', 200, { userId: 'u1', sessionId: 's1', runId: 'run-c', metadata: { plan: 'free' }, entityVersionId: 'v2', experimentId: 'e1' }, true),
  ...agentTrace('d', 300, { spanType: SpanType.WORKFLOW_RUN, entityType: EntityType.WORKFLOW_RUN, entityId: 'wf', entityName: 'WF', requestId: 'q1', serviceName: 'svc', source: 'cloud', organizationId: 'o1' }),
  ...agentTrace('e', 400, { input: 'a plain prompt', output: { text: 'answer', usage: [1, 2.5] }, attributes: { model: 'm', nested: { deep: [null, true] } }, links: [{ traceId: 'a' }], requestContext: { tenant: 't' } }),
  span({ traceId: 'e', spanId: 'e-deep', parentSpanId: 'e-tool', spanType: SpanType.PROCESSOR_RUN, startedAt: at(406.5), endedAt: at(406.7) }),
];

beforeAll(async () => {
  const libsqlStore = new LibSQLStore({ id: 'parity-libsql', url: ':memory:' });
  await libsqlStore.init();
  const memoryStore = new InMemoryStore({ id: 'parity-memory' });
  const d1Store = await h.freshStore('binding');
  stores = {
    d1: (await d1Store.getStore('observability'))!,
    libsql: (await libsqlStore.getStore('observability'))!,
    memory: (await memoryStore.getStore('observability'))!,
  };
  for (const store of Object.values(stores)) {
    await store.batchCreateSpans({ records: SPANS });
    await store.batchUpdateSpans({
      records: [
        { traceId: 'd', spanId: 'd-tool', updates: { error: { message: 'child failed' } } },
        { traceId: 'e', spanId: 'e-llm', updates: { output: { tokens: 3 }, attributes: { usage: { in: 1 } } } },
      ],
    });
    await store.updateSpan({ traceId: 'a', spanId: 'a-root', updates: { output: 'done', metadata: { plan: 'pro', n: 1, later: true } } });
  }
});

/** Runs a read on every store and returns D1's result next to each oracle's. */
async function read<T>(call: (store: ObservabilityStorage) => Promise<T>) {
  const [d1, libsql, memory] = await Promise.all([call(stores.d1), call(stores.libsql), call(stores.memory)]);
  return { d1, libsql, memory };
}

describe('observability parity with LibSQLStore and ObservabilityInMemory', () => {
  it('getSpan, getRootSpan and getTrace, including a missing key', async () => {
    for (const traceId of ['a', 'b', 'c', 'd', 'e', 'none']) {
      const cases: ((s: ObservabilityStorage) => Promise<unknown>)[] = [
        (s) => s.getSpan({ traceId, spanId: `${traceId}-llm` }),
        (s) => s.getRootSpan({ traceId }),
        (s) => s.getTrace({ traceId }),
      ];
      for (const call of cases) {
        const r = await read(call);
        expect(withoutTimestamps(r.d1)).toEqual(withoutTimestamps(r.libsql));
        expect(comparable(r.d1)).toEqual(comparable(r.memory));
      }
    }
  });

  it('getStructure / getTraceLight: the in-memory projection, and a subset of LibSQLStore\'s', async () => {
    for (const traceId of ['a', 'e', 'none']) {
      const r = await read((s) => s.getStructure({ traceId }));
      expect(comparable(r.d1)).toEqual(comparable(r.memory));
      // LibSQLStore drops only six heavy columns; every field D1 returns must agree with it.
      const libsqlSpans = (r.libsql?.spans ?? []) as unknown as Record<string, unknown>[];
      const picked = r.d1 && { traceId, spans: r.d1.spans.map((sp, i) => Object.fromEntries(Object.keys(sp).map((k) => [k, libsqlSpans[i]![k]]))) };
      expect(withoutTimestamps(r.d1)).toEqual(withoutTimestamps(picked));
      expect(await stores.d1.getTraceLight({ traceId })).toEqual(r.d1);
    }
  });

  it('getBranch and getSpans', async () => {
    for (const [traceId, spanId, depth] of [['e', 'e-root', undefined], ['e', 'e-root', 1], ['e', 'e-tool', undefined], ['e', 'e-deep', 0], ['a', 'missing', undefined]] as const) {
      const r = await read((s) => s.getBranch({ traceId, spanId, depth }));
      expect(withoutTimestamps(r.d1)).toEqual(withoutTimestamps(r.libsql));
      expect(comparable(r.d1)).toEqual(comparable(r.memory));
    }
    const d1 = await stores.d1.getSpans({ traceId: 'e', spanIds: ['e-tool', 'missing', 'e-root'] });
    const memory = await stores.memory.getSpans({ traceId: 'e', spanIds: ['e-tool', 'missing', 'e-root'] });
    expect(comparable(d1)).toEqual(comparable(memory));
  });

  // Each case names the oracles that implement it: LibSQLStore ignores entityVersionId, experimentId,
  // traceId, parent/root entity filters and exclusive bounds, and matches metadata numbers as text;
  // ObservabilityInMemory ignores traceId and parent/root entity filters on traces.
  const traceCases: [string, ListTracesArgs, ('libsql' | 'memory')[], string[]][] = [
    ['no filter', {}, ['libsql', 'memory'], ['e', 'd', 'c', 'b', 'a']],
    ['pages', { pagination: { page: 1, perPage: 2 } }, ['libsql', 'memory'], ['c', 'b']],
    ['page past the end', { pagination: { page: 9, perPage: 2 } }, ['libsql', 'memory'], []],
    ['startedAt ASC', { orderBy: { field: 'startedAt', direction: 'ASC' } }, ['libsql', 'memory'], ['a', 'b', 'c', 'd', 'e']],
    ['endedAt DESC (running first)', { orderBy: { field: 'endedAt', direction: 'DESC' } }, ['libsql', 'memory'], ['c', 'e', 'd', 'b', 'a']],
    ['endedAt ASC (running last)', { orderBy: { field: 'endedAt', direction: 'ASC' } }, ['libsql', 'memory'], ['a', 'b', 'd', 'e', 'c']],
    ['userId', { filters: { userId: 'u1' } }, ['libsql', 'memory'], ['c', 'a']],
    ['resource + thread', { filters: { resourceId: 'r1', threadId: 'th1' } }, ['libsql', 'memory'], ['b']],
    ['session + run', { filters: { sessionId: 's1', runId: 'run-c' } }, ['libsql', 'memory'], ['c']],
    ['request + service + source + org', { filters: { requestId: 'q1', serviceName: 'svc', source: 'cloud', organizationId: 'o1' } }, ['libsql', 'memory'], ['d']],
    ['entity', { filters: { entityType: EntityType.WORKFLOW_RUN, entityId: 'wf', entityName: 'WF' } }, ['libsql', 'memory'], ['d']],
    ['environment', { filters: { environment: 'prod' } }, ['libsql', 'memory'], ['b']],
    ['spanType', { filters: { spanType: SpanType.AGENT_RUN } }, ['libsql', 'memory'], ['e', 'c', 'b', 'a']],
    ['tags (all must match)', { filters: { tags: ['x', 'y'] } }, ['libsql', 'memory'], ['a']],
    ['one tag', { filters: { tags: ['x'] } }, ['libsql', 'memory'], ['b', 'a']],
    ['metadata string', { filters: { metadata: { plan: 'pro' } } }, ['libsql', 'memory'], ['a']],
    ['metadata number and boolean', { filters: { metadata: { n: 1, later: true } } }, ['memory'], ['a']],
    ['scope', { filters: { scope: { core: '1.0' } } }, ['libsql', 'memory'], ['a']],
    ['status success', { filters: { status: 'success' as never } }, ['libsql', 'memory'], ['e', 'd', 'a']],
    ['status error', { filters: { status: 'error' as never } }, ['libsql', 'memory'], ['b']],
    ['status running', { filters: { status: 'running' as never } }, ['libsql', 'memory'], ['c']],
    ['hasChildError', { filters: { hasChildError: true } }, ['libsql', 'memory'], ['d', 'b']],
    ['no child error', { filters: { hasChildError: false } }, ['libsql', 'memory'], ['e', 'c', 'a']],
    ['startedAt range', { filters: { startedAt: { start: at(100), end: at(300) } } }, ['libsql', 'memory'], ['d', 'c', 'b']],
    ['startedAt exclusive', { filters: { startedAt: { start: at(100), end: at(300), startExclusive: true, endExclusive: true } } }, ['memory'], ['c']],
    ['endedAt range', { filters: { endedAt: { start: at(105), end: at(410) } } }, ['libsql', 'memory'], ['e', 'd', 'b']],
    ['entityVersionId + experimentId', { filters: { entityVersionId: 'v2', experimentId: 'e1' } }, ['memory'], ['c']],
  ];

  it.each(traceCases)('listTraces and listTracesLight: %s', async (_name, args, oracles, expected) => {
    const traces = await read((s) => s.listTraces(args));
    expect(traces.d1.spans.map((x) => x.traceId)).toEqual(expected);
    const light = await read((s) => s.listTracesLight(args));
    if (oracles.includes('libsql')) {
      expect(withoutTimestamps(traces.d1)).toEqual(withoutTimestamps(traces.libsql));
      expect(withoutTimestamps(light.d1)).toEqual(withoutTimestamps(light.libsql));
    }
    if (oracles.includes('memory')) {
      expect(comparable(traces.d1)).toEqual(comparable(traces.memory));
      expect(comparable(light.d1)).toEqual(comparable(light.memory));
    }
  });

  const branchCases: [string, ListBranchesArgs, string[]][] = [
    ['no filter', {}, ['e-deep', 'e-tool', 'e-root', 'd-tool', 'd-root', 'c-tool', 'c-root', 'b-tool', 'b-root', 'a-tool']],
    ['pages, oldest first', { pagination: { page: 1, perPage: 3 }, orderBy: { field: 'startedAt', direction: 'ASC' } }, ['b-tool', 'c-root', 'c-tool']],
    ['endedAt DESC', { orderBy: { field: 'endedAt', direction: 'DESC' } }, ['c-root', 'e-root', 'e-tool', 'e-deep', 'd-root', 'd-tool', 'c-tool', 'b-root', 'b-tool', 'a-root']],
    ['tool calls', { filters: { spanType: SpanType.TOOL_CALL } }, ['e-tool', 'd-tool', 'c-tool', 'b-tool', 'a-tool']],
    ['a non-branch span type', { filters: { spanType: SpanType.MODEL_GENERATION } }, []],
    ['one trace, running', { filters: { traceId: 'c', status: 'running' as never } }, ['c-root']],
    ['entity', { filters: { entityType: EntityType.TOOL, entityId: 'tool-1' } }, ['e-tool', 'd-tool', 'c-tool', 'b-tool', 'a-tool']],
    ['errors', { filters: { status: 'error' as never } }, ['d-tool', 'b-root']],
  ];

  it.each(branchCases)('listBranches: %s', async (_name, args, expected) => {
    const d1 = await stores.d1.listBranches(args);
    const memory = await stores.memory.listBranches(args);
    expect(d1.branches.map((x) => x.spanId)).toEqual(expected);
    expect(comparable(d1)).toEqual(comparable(memory));
  });

  it('batchDeleteTraces, then updates of deleted spans, agree', async () => {
    for (const store of Object.values(stores)) await store.batchDeleteTraces({ traceIds: ['b', 'd', 'never'] });
    await Promise.all([stores.d1, stores.libsql].map((s) => s.updateSpan({ traceId: 'b', spanId: 'b-root', updates: { name: 'gone' } })));
    const r = await read((s) => s.listTraces({}));
    expect(withoutTimestamps(r.d1)).toEqual(withoutTimestamps(r.libsql));
    expect(comparable(r.d1)).toEqual(comparable(r.memory));
    const gone = await read((s) => s.getTrace({ traceId: 'b' }));
    expect([gone.d1, gone.libsql, gone.memory]).toEqual([null, null, null]);
  });
});
