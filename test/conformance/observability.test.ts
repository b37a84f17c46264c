import { ErrorCategory } from '@mastra/core/error';
import { EntityType, SpanType } from '@mastra/core/observability';
import type { ObservabilityStorage } from '@mastra/core/storage';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ObservabilityStorageD1, type D1DomainConfig, type D1Store } from '../../src';
import { faultyD1, type FaultyD1 } from '../support/faults';
import { agentTrace, at, span } from '../support/observability';
import { CLIENT_KINDS, customClientOver, uniquePrefix, useHarness, type ClientKind } from '../support/harness';
import { startRestEmulator } from '../support/rest-emulator';
import { failure } from '../reliability/assertions';

const h = useHarness();

async function observability(kind: ClientKind, store?: D1Store): Promise<ObservabilityStorage> {
  return (await (store ?? (await h.freshStore(kind))).getStore('observability'))!;
}

/**
 * A store whose every statement, on every transport, is checked against D1's limits (`limits`); on the
 * binding the same wrapper also counts statements and injects faults (`d1`).
 */
async function counted(kind: ClientKind): Promise<{ obs: ObservabilityStorage; d1?: FaultyD1; limits: FaultyD1 }> {
  const limits = faultyD1(h.d1.db);
  if (kind === 'binding') return { obs: await observability(kind, await h.freshStore(kind, { binding: limits.db })), d1: limits, limits };
  if (kind === 'custom') return { obs: await observability(kind, await h.freshStore(kind, { client: customClientOver(limits.db) })), limits };
  const emulator = await startRestEmulator(limits.db);
  onTestFinished(() => emulator.close());
  const { apiBaseUrl, accountId, databaseId, apiToken } = emulator;
  return { obs: await observability(kind, await h.freshStore(kind, { apiBaseUrl, accountId, databaseId, apiToken })), limits };
}

/** Values JSON columns must give back exactly. */
const TRICKY = {
  text: 'quotes " and \\ backslashes, unicode é 漢字 🎉, line\u2028separator',
  numbers: [0, -1, 1.5, 1e21, 2 ** 53 - 1, -0.000001],
  nested: { deep: { deeper: [null, true, false, { k: 'v' }] } },
  empty: { obj: {}, arr: [], str: '' },
};

describe.each(CLIENT_KINDS)('ObservabilityStorageD1 on %s', (kind) => {
  it('stores a span and reads every column back, JSON columns exactly', async () => {
    const obs = await observability(kind);
    const record = span({
      traceId: 't1',
      spanId: 's1',
      spanType: SpanType.AGENT_RUN,
      isEvent: true,
      startedAt: at(1),
      endedAt: at(2),
      entityType: EntityType.AGENT,
      entityId: 'a',
      entityName: 'A',
      userId: 'u',
      organizationId: 'o',
      resourceId: 'r',
      runId: 'run',
      sessionId: 'sess',
      threadId: 'th',
      requestId: 'req',
      environment: 'prod',
      source: 'local',
      serviceName: 'svc',
      experimentId: 'exp',
      entityVersionId: 'v1',
      attributes: { ...TRICKY },
      metadata: { k: 'v', n: 1 },
      tags: ['a', 'b'],
      links: [{ traceId: 'x', spanId: 'y' }],
      input: 'plain string input',
      output: TRICKY,
      error: { message: 'boom', details: TRICKY.nested },
      scope: { core: '1.0.0' },
      requestContext: { tenant: 't', list: [1, 2] },
    });
    await obs.createSpan({ span: record });
    const { span: stored } = (await obs.getSpan({ traceId: 't1', spanId: 's1' }))!;
    expect(stored).toMatchObject(record);
    expect(stored.isEvent).toBe(true);
    expect(stored.startedAt).toEqual(at(1));
    expect(stored.createdAt).toBeInstanceOf(Date);
    expect(stored.parentEntityId).toBeNull();
    expect(await obs.getSpan({ traceId: 't1', spanId: 'nope' })).toBeNull();
  });

  it('batchCreateSpans writes 250 spans in one round trip and one statement, as upserts', async () => {
    const { obs, d1 } = await counted(kind);
    const records = Array.from({ length: 250 }, (_, i) => span({ traceId: `t${i % 5}`, spanId: `s${i}`, startedAt: at(i), input: { i } }));
    d1?.mark();
    await obs.batchCreateSpans({ records });
    if (d1) expect(d1.since()).toEqual({ roundTrips: 1, statements: 1 });
    await obs.batchCreateSpans({ records: [{ ...records[0]!, name: 'replaced' }] });
    const trace = (await obs.getTrace({ traceId: 't0' }))!;
    expect(trace.spans).toHaveLength(50);
    expect(trace.spans[0]).toMatchObject({ spanId: 's0', name: 'replaced', input: { i: 0 } });
    expect(trace.spans.map((s) => s.startedAt.getTime())).toEqual([...trace.spans.map((s) => s.startedAt.getTime())].sort((a, b) => a - b));
  });

  it('updateSpan and batchUpdateSpans change only the given fields; a missing span is left alone', async () => {
    const obs = await observability(kind);
    await obs.batchCreateSpans({ records: agentTrace('t', 0, { input: { q: 1 }, metadata: { m: 1 } }, true) });
    await obs.updateSpan({ traceId: 't', spanId: 't-root', updates: { output: { a: 2 }, endedAt: at(20) } });
    await obs.batchUpdateSpans({
      records: [
        { traceId: 't', spanId: 't-llm', updates: { attributes: { model: 'm' } } },
        { traceId: 't', spanId: 't-llm', updates: { error: { message: 'x' }, input: undefined } },
        { traceId: 't', spanId: 'missing', updates: { name: 'ghost' } },
      ],
    });
    const root = (await obs.getSpan({ traceId: 't', spanId: 't-root' }))!.span;
    expect(root).toMatchObject({ input: { q: 1 }, metadata: { m: 1 }, output: { a: 2 }, endedAt: at(20) });
    expect(root.updatedAt!.getTime()).toBeGreaterThanOrEqual(root.createdAt.getTime());
    const llm = (await obs.getSpan({ traceId: 't', spanId: 't-llm' }))!.span;
    expect(llm).toMatchObject({ attributes: { model: 'm' }, error: { message: 'x' }, input: null });
    expect(await obs.getSpan({ traceId: 't', spanId: 'missing' })).toBeNull();
  });

  it('reads traces: root, whole trace, structure, spans by id and branches', async () => {
    const obs = await observability(kind);
    await obs.batchCreateSpans({
      records: [
        ...agentTrace('t', 0),
        span({ traceId: 't', spanId: 't-grandchild', parentSpanId: 't-tool', startedAt: at(6.5), input: 'big' }),
      ],
    });
    expect((await obs.getRootSpan({ traceId: 't' }))!.span.spanId).toBe('t-root');
    expect(await obs.getRootSpan({ traceId: 'none' })).toBeNull();
    expect(await obs.getTrace({ traceId: 'none' })).toBeNull();
    expect((await obs.getTrace({ traceId: 't' }))!.spans.map((s) => s.spanId)).toEqual(['t-root', 't-llm', 't-tool', 't-grandchild']);

    const structure = (await obs.getStructure({ traceId: 't' }))!;
    expect(Object.keys(structure.spans[0]!).sort()).toEqual(
      ['traceId', 'spanId', 'parentSpanId', 'name', 'spanType', 'isEvent', 'startedAt', 'endedAt', 'error', 'entityType', 'entityId', 'entityName', 'createdAt', 'updatedAt'].sort(),
    );
    expect(await obs.getTraceLight({ traceId: 't' })).toEqual(structure);
    expect(await obs.getStructure({ traceId: 'none' })).toBeNull();

    const byId = await obs.getSpans({ traceId: 't', spanIds: ['t-tool', 'nope', 't-root'] });
    expect(byId.spans.map((s) => s.spanId)).toEqual(['t-tool', 't-root']);

    expect((await obs.getBranch({ traceId: 't', spanId: 't-tool' }))!.spans.map((s) => s.spanId)).toEqual(['t-tool', 't-grandchild']);
    expect((await obs.getBranch({ traceId: 't', spanId: 't-root', depth: 1 }))!.spans.map((s) => s.spanId)).toEqual(['t-root', 't-llm', 't-tool']);
    expect((await obs.getBranch({ traceId: 't', spanId: 't-root', depth: 0 }))!.spans.map((s) => s.spanId)).toEqual(['t-root']);
    expect(await obs.getBranch({ traceId: 't', spanId: 'nope' })).toBeNull();
  });

  it('getBranch survives a parent cycle', async () => {
    const obs = await observability(kind);
    await obs.batchCreateSpans({
      records: [
        span({ traceId: 'c', spanId: 'a', parentSpanId: 'b', startedAt: at(0) }),
        span({ traceId: 'c', spanId: 'b', parentSpanId: 'a', startedAt: at(1) }),
      ],
    });
    expect((await obs.getBranch({ traceId: 'c', spanId: 'a' }))!.spans.map((s) => s.spanId)).toEqual(['a', 'b']);
  });

  it('listTraces filters root spans, pages with a total in one round trip, and orders running traces by endedAt', async () => {
    const { obs, d1 } = await counted(kind);
    await obs.batchCreateSpans({
      records: [
        ...agentTrace('a', 0, { userId: 'u1', tags: ['x', 'y'], metadata: { plan: 'pro', n: 1 }, scope: { core: '1' } }),
        ...agentTrace('b', 100, { userId: 'u2', tags: ['x'], environment: 'prod', error: { message: 'root failed' } }),
        ...agentTrace('c', 200, { userId: 'u1', metadata: { plan: 'free', nested: { a: [1] } } }, true),
        ...agentTrace('d', 300, { spanType: SpanType.WORKFLOW_RUN, entityType: EntityType.WORKFLOW_RUN, entityId: 'wf' }),
      ],
    });
    await obs.updateSpan({ traceId: 'd', spanId: 'd-tool', updates: { error: { message: 'child failed' } } });

    const ids = async (args: Parameters<ObservabilityStorage['listTraces']>[0]) => (await obs.listTraces(args)).spans.map((s) => s.traceId);
    expect(await ids({})).toEqual(['d', 'c', 'b', 'a']);
    expect(await ids({ filters: { userId: 'u1' } })).toEqual(['c', 'a']);
    expect(await ids({ filters: { tags: ['x'] } })).toEqual(['b', 'a']);
    expect(await ids({ filters: { tags: ['x', 'y'] } })).toEqual(['a']);
    expect(await ids({ filters: { metadata: { plan: 'pro' } } })).toEqual(['a']);
    expect(await ids({ filters: { metadata: { n: 1 } } })).toEqual(['a']);
    expect(await ids({ filters: { metadata: { n: '1' } } })).toEqual([]);
    expect(await ids({ filters: { metadata: { nested: { a: [1] } } } })).toEqual(['c']);
    expect(await ids({ filters: { scope: { core: '1' } } })).toEqual(['a']);
    expect(await ids({ filters: { environment: 'prod' } })).toEqual(['b']);
    expect(await ids({ filters: { entityId: 'wf' } })).toEqual(['d']);
    expect(await ids({ filters: { spanType: SpanType.WORKFLOW_RUN } })).toEqual(['d']);
    expect(await ids({ filters: { traceId: 'c' } })).toEqual(['c']);
    expect(await ids({ filters: { status: 'error' as never } })).toEqual(['b']);
    expect(await ids({ filters: { status: 'running' as never } })).toEqual(['c']);
    expect(await ids({ filters: { status: 'success' as never } })).toEqual(['d', 'a']);
    expect(await ids({ filters: { hasChildError: true } })).toEqual(['d', 'b']);
    expect(await ids({ filters: { hasChildError: false } })).toEqual(['c', 'a']);
    expect(await ids({ filters: { startedAt: { start: at(100), end: at(300) } } })).toEqual(['d', 'c', 'b']);
    expect(await ids({ filters: { startedAt: { start: at(100), end: at(300), startExclusive: true, endExclusive: true } } })).toEqual(['c']);
    expect(await ids({ filters: { endedAt: { end: at(110) } } })).toEqual(['b', 'a']);
    expect(await ids({ orderBy: { field: 'startedAt', direction: 'ASC' } })).toEqual(['a', 'b', 'c', 'd']);
    expect(await ids({ orderBy: { field: 'endedAt', direction: 'DESC' } })).toEqual(['c', 'd', 'b', 'a']);
    expect(await ids({ orderBy: { field: 'endedAt', direction: 'ASC' } })).toEqual(['a', 'b', 'd', 'c']);

    d1?.mark();
    const page = await obs.listTraces({ pagination: { page: 1, perPage: 3 } });
    if (d1) expect(d1.since().roundTrips).toBe(1);
    expect(page.pagination).toEqual({ total: 4, page: 1, perPage: 3, hasMore: false });
    expect(page.spans.map((s) => [s.traceId, s.status])).toEqual([['a', 'success']]);
    const beyond = await obs.listTraces({ pagination: { page: 5, perPage: 3 }, filters: { userId: 'u1' } });
    expect(beyond).toEqual({ pagination: { total: 2, page: 5, perPage: 3, hasMore: false }, spans: [] });

    const light = await obs.listTracesLight({ filters: { traceId: 'a' } });
    expect(light.spans).toEqual([expect.objectContaining({ traceId: 'a', status: 'success', metadata: { plan: 'pro', n: 1 } })]);
    expect(light.spans[0]).not.toHaveProperty('output');
    expect(light.spans[0]).not.toHaveProperty('attributes');
  });

  it('listTraces takes every filter at once (D1 caps: 100 parameters, expression depth 100)', async () => {
    const { obs, d1, limits } = await counted(kind);
    const context = {
      entityType: EntityType.AGENT,
      entityId: 'agent-1',
      entityName: 'Agent One',
      entityVersionId: 'v',
      parentEntityType: EntityType.WORKFLOW_RUN,
      parentEntityId: 'p',
      parentEntityName: 'P',
      parentEntityVersionId: 'pv',
      rootEntityType: EntityType.WORKFLOW_RUN,
      rootEntityId: 'r',
      rootEntityName: 'R',
      rootEntityVersionId: 'rv',
      experimentId: 'x',
      userId: 'u',
      organizationId: 'o',
      resourceId: 'res',
      runId: 'run',
      sessionId: 'sess',
      threadId: 'th',
      requestId: 'req',
      environment: 'env',
      source: 'src',
      serviceName: 'svc',
      scope: { core: '1', deep: { a: 1 } },
      metadata: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i % 2 ? i : `v${i}`])),
      tags: Array.from({ length: 60 }, (_, i) => `tag${i}`),
    };
    await obs.batchCreateSpans({ records: [...agentTrace('all', 0, context), ...agentTrace('other', 100, { ...context, rootEntityId: 'elsewhere' })] });
    const list = await obs.listTraces({
      filters: {
        ...context,
        traceId: 'all',
        spanType: SpanType.AGENT_RUN,
        startedAt: { start: at(0), end: at(50) },
        endedAt: { start: at(10), end: at(10) },
        status: 'success' as never,
        hasChildError: false,
      },
    });
    expect(list.spans.map((s) => s.traceId)).toEqual(['all']);
    // 34 parameters and 30 AND-ed conditions: metadata, scope and tags bind one JSON parameter each.
    expect(limits.violations).toEqual([]);
    if (d1) expect(d1.counters.maxParams).toBeLessThanOrEqual(40);
    expect((await obs.listTraces({ filters: { rootEntityId: 'elsewhere', parentEntityName: 'P' } })).spans.map((s) => s.traceId)).toEqual(['other']);
  });

  it('a null filter value finds traces without that value', async () => {
    const obs = await observability(kind);
    await obs.batchCreateSpans({ records: [...agentTrace('with', 0, { environment: 'prod' }), ...agentTrace('without', 100)] });
    expect((await obs.listTraces({ filters: { environment: null } })).spans.map((s) => s.traceId)).toEqual(['without']);
  });

  it('splits a batch over the 2,000,000-byte value limit into several statements of one batch', async () => {
    const { obs, d1, limits } = await counted(kind);
    const payload = 'p'.repeat(900_000);
    const records = [0, 1, 2].map((i) => span({ traceId: 'large', spanId: `s${i}`, startedAt: at(i), input: payload }));
    if (d1) {
      // The batch is atomic on the binding: a failing second statement leaves nothing of the first.
      d1.arm({ statement: 2 });
      await failure(obs.batchCreateSpans({ records }));
      expect(await obs.getTrace({ traceId: 'large' })).toBeNull();
    }
    d1?.mark();
    await obs.batchCreateSpans({ records });
    if (d1) expect(d1.since()).toEqual({ roundTrips: 1, statements: 2 });
    await obs.batchUpdateSpans({ records: records.map((r) => ({ traceId: r.traceId, spanId: r.spanId, updates: { output: payload } })) });
    const trace = (await obs.getTrace({ traceId: 'large' }))!;
    expect(trace.spans.map((s) => [s.spanId, (s.input as string).length, (s.output as string).length])).toEqual([0, 1, 2].map((i) => [`s${i}`, 900_000, 900_000]));
    expect(limits.violations).toEqual([]);
  });

  it('listBranches lists anchor spans anywhere in a trace, filtered on the span itself', async () => {
    const obs = await observability(kind);
    await obs.batchCreateSpans({ records: [...agentTrace('a', 0), ...agentTrace('b', 100, {}, true)] });
    const list = await obs.listBranches({});
    expect(list.branches.map((s) => s.spanId)).toEqual(['b-tool', 'b-root', 'a-tool', 'a-root']);
    expect(list.pagination).toEqual({ total: 4, page: 0, perPage: 10, hasMore: false });
    expect((await obs.listBranches({ filters: { spanType: SpanType.TOOL_CALL } })).branches.map((s) => s.spanId)).toEqual(['b-tool', 'a-tool']);
    expect((await obs.listBranches({ filters: { spanType: SpanType.MODEL_GENERATION } })).branches).toEqual([]);
    expect((await obs.listBranches({ filters: { traceId: 'a', status: 'success' as never } })).branches.map((s) => s.spanId)).toEqual(['a-tool', 'a-root']);
    expect((await obs.listBranches({ filters: { status: 'running' as never } })).branches.map((s) => [s.spanId, s.status])).toEqual([['b-root', 'running']]);
  });

  it('batchDeleteTraces removes whole traces in one batch; a scope outside the trace keeps it; oversized calls are USER errors', async () => {
    const obs = await observability(kind);
    await obs.batchCreateSpans({ records: [...agentTrace('a', 0), ...agentTrace('b', 10), ...agentTrace('c', 20)] });
    await obs.batchDeleteTraces({ traceIds: ['a', 'c', 'unknown'] });
    expect((await obs.listTraces({})).spans.map((s) => s.traceId)).toEqual(['b']);
    expect(await obs.getTrace({ traceId: 'a' })).toBeNull();
    await obs.batchDeleteTraces({ traceIds: ['b'], organizationId: 'o' });
    const tooMany = Array.from({ length: 1001 }, (_, i) => `t${i}`);
    expect((await failure(obs.batchDeleteTraces({ traceIds: tooMany }))).category).toBe(ErrorCategory.USER);
    expect(await obs.getTrace({ traceId: 'b' })).not.toBeNull();
    await obs.dangerouslyClearAll();
    expect((await obs.listTraces({})).pagination!.total).toBe(0);
  });

  it('rejects bad input as USER errors before writing anything', async () => {
    const obs = await observability(kind);
    const big = 'x'.repeat(2_000_001);
    const error = await failure(obs.batchCreateSpans({ records: [span({ traceId: 'big', spanId: 'ok' }), span({ traceId: 'big', spanId: 'huge', input: big })] }));
    expect(error.category).toBe(ErrorCategory.USER);
    expect(error.message).toContain('huge');
    expect(await obs.getTrace({ traceId: 'big' })).toBeNull();
    const missing = await failure(obs.createSpan({ span: { ...span({ traceId: 'm', spanId: 'm' }), name: undefined as never } }));
    expect(missing.category).toBe(ErrorCategory.USER);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect((await failure(obs.createSpan({ span: span({ traceId: 'm', spanId: 'c', attributes: circular }) }))).category).toBe(ErrorCategory.USER);
    expect((await failure(obs.createSpan({ span: span({ traceId: 'm', spanId: 'd', startedAt: new Date(NaN) }) }))).category).toBe(ErrorCategory.USER);
    expect(await obs.getTrace({ traceId: 'm' })).toBeNull();
    expect((await failure(obs.listTraces({ pagination: { page: 0, perPage: 1000 } }))).category).toBe(ErrorCategory.USER);
    await obs.createSpan({ span: span({ traceId: 'u', spanId: 'u' }) });
    expect((await failure(obs.updateSpan({ traceId: 'u', spanId: 'u', updates: { output: big } }))).category).toBe(ErrorCategory.USER);
  });

  it('works standalone, as a domain class built from a connection', async () => {
    const obs = new ObservabilityStorageD1({ ...h.connection(kind), tablePrefix: uniquePrefix('obs') } as D1DomainConfig);
    await obs.init();
    await obs.createSpan({ span: span({ traceId: 'solo', spanId: 'root' }) });
    expect((await obs.listTraces({})).spans.map((s) => s.traceId)).toEqual(['solo']);
  });

  it('declares what it implements and keeps core behaviour for the rest', async () => {
    const obs = await observability(kind);
    expect([...obs.getFeatures()!].sort()).toEqual([
      'delta-polling', 'entity-name-discovery', 'entity-type-discovery', 'environment-discovery', 'feedback', 'logs', 'metric-discovery', 'metrics',
      'service-name-discovery', 'tag-discovery', 'thread-query', 'trace-query', 'trace-query-discovery', 'trace-query-root-duration', 'trace-query-tenant-scope',
    ]);
    expect(obs.observabilityStrategy.preferred).toBe('batch-with-updates');
    expect(obs.tracingStrategy).toEqual(obs.observabilityStrategy);
    expect(await obs.listTraces({ mode: 'delta' })).toMatchObject({ spans: [], deltaCursor: '0' });
    expect(await obs.listLogs({})).toMatchObject({ logs: [] });
  });
});
