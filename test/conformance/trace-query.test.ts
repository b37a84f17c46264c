import { MastraError } from '@mastra/core/error';
import { SpanType } from '@mastra/core/observability';
import {
  getTraceQueryCanonicalFieldDescriptors,
  getTraceQueryFieldsResponseSchema,
  getTraceQueryValuesResponseSchema,
  parseGetTraceQueryFieldsArgs,
  parseGetTraceQueryValuesArgs,
  parseQueryThreadsInput,
  parseTraceQueryRequest,
  planThreadQuery,
  planTraceQuery,
  planTraceQueryObservedFields,
  planTraceQueryValues,
  queryThreadsResultSchema,
  traceQueryGroupResponseSchema,
  traceQueryPaginatedTraceResponseSchema,
  traceQueryTraceResponseSchema,
  type ObservabilityStorage,
  type TraceQueryTenantScope,
} from '@mastra/core/storage';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';
import { faultyD1 } from '../support/faults';
import { agentTrace, at, span } from '../support/observability';

// queryTraces, queryThreads and trace-query discovery end to end on D1, on plans made as the server
// makes them (core's parser, then core's planner), every response checked with core's zod schemas.

const timeRange = { from: '2025-12-31T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' };
type Options = { scope?: TraceQueryTenantScope };

/**
 * Six traces: t1 and t6 start together (ties go by trace id), t2 failed, t3 has an erroring child, t4 is
 * still running and t5 started before the range; neither of the last two is ever listed.
 */
async function seeded(obs: ObservabilityStorage) {
  const org1 = { organizationId: 'org-1' };
  await obs.batchCreateSpans({
    records: [
      ...agentTrace('t1', 10, { ...org1, threadId: 'th-a', resourceId: 'u1', environment: 'prod', metadata: { team: 'red', n: 5 }, tags: ['vip', 'beta'], input: 'hello t1' }),
      ...agentTrace('t2', 20, { ...org1, threadId: 'th-a', resourceId: 'u2', metadata: { team: 'blue' }, error: { message: 'boom' } }),
      span({ ...org1, traceId: 't2', spanId: 't2-gen', parentSpanId: 't2-root', spanType: SpanType.MODEL_GENERATION, attributes: { model: 'gpt-x', provider: 'openai' }, startedAt: at(21), endedAt: at(22) }),
      ...agentTrace('t3', 30, { organizationId: 'org-2', threadId: 'th-b', metadata: { team: '  ' } }),
      span({ traceId: 't3', spanId: 't3-bad', parentSpanId: 't3-root', error: { message: 'child failed' }, startedAt: at(31), endedAt: at(32) }),
      ...agentTrace('t4', 40, { threadId: 'th-c' }, true),
      ...agentTrace('t5', -5 * 86_400, { threadId: 'th-c' }),
      ...agentTrace('t6', 10, { threadId: 'th-b' }),
    ],
  });
  await obs.batchCreateScores({
    scores: [
      { scoreId: 's1', timestamp: at(15), traceId: 't1', scorerId: 'relevance', score: 0.9, scoreSource: 'live', ...org1 },
      { scoreId: 's2', timestamp: at(25), traceId: 't2', scorerId: 'relevance', score: 0.2 },
    ],
  });
  await obs.batchCreateFeedback({
    feedbacks: [
      { feedbackId: 'f1', timestamp: at(16), traceId: 't1', feedbackType: 'rating', value: 5, reviewStatus: 'needs-review' },
      { feedbackId: 'f2', timestamp: at(36), traceId: 't3', feedbackType: 'correction', value: 'great', reviewStatus: 'needs-review' },
    ],
  } as never);
  const traces = async (request: Record<string, unknown>, options?: Options) => {
    const result = await obs.queryTraces(planTraceQuery(parseTraceQueryRequest({ timeRange, ...request }), options));
    return 'traces' in result ? result : expect.unreachable('a traces result');
  };
  const ids = async (where: unknown, options?: Options) => (await traces({ where }, options)).traces.map((t) => t.traceId);
  return { traces, ids };
}

const eq = (path: string, literal: unknown) => ({ op: 'eq', left: { path }, right: { literal } });

describeConformance('observability', 'trace query', ({ domain, store, h, it }) => {
  it('lists ended traces in the range by their root span, paging with core cursors', async () => {
    const obs = await domain();
    const { traces } = await seeded(obs);
    const first = traceQueryTraceResponseSchema.parse(await traces({ page: { limit: 2 } }));
    expect(first.traces.map((t) => t.traceId)).toEqual(['t3', 't2']);
    expect(first.page.next).toEqual(expect.any(String));
    const second = traceQueryTraceResponseSchema.parse(await traces({ page: { limit: 2, after: first.page.next } }));
    expect(second.traces.map((t) => t.traceId)).toEqual(['t1', 't6']);
    expect(second.page.next).toBeNull();
    expect(second.traces[0]).toEqual({
      traceId: 't1',
      rootSpanId: 't1-root',
      name: 'span t1-root',
      entityId: 'agent-1',
      parentSpanId: null,
      createdAt: expect.any(String),
      metadata: { team: 'red', n: 5 },
      inputPreview: 'hello t1',
      threadId: 'th-a',
      resourceId: 'u1',
      startedAt: at(10).toISOString(),
      endedAt: at(20).toISOString(),
      entityName: 'Agent One',
      entityType: 'agent',
      environment: 'prod',
      status: 'success',
    });
    const ascending = await traces({ orderBy: [{ field: 'endedAt', direction: 'asc' }], page: { limit: 3 } });
    expect(ascending.traces.map((t) => t.traceId)).toEqual(['t1', 't6', 't2']);
    const rest = await traces({ orderBy: [{ field: 'endedAt', direction: 'asc' }], page: { limit: 3, after: (ascending as { page: { next: string } }).page.next } });
    expect(rest.traces.map((t) => t.traceId)).toEqual(['t3']);
  });

  it('pages by number with the total, in one round trip', async () => {
    const obs = await domain();
    const { traces } = await seeded(obs);
    const page0 = traceQueryPaginatedTraceResponseSchema.parse(await traces({ pagination: { page: 0, perPage: 3 } }));
    expect(page0.traces.map((t) => t.traceId)).toEqual(['t3', 't2', 't1']);
    expect(page0.pagination).toEqual({ total: 4, page: 0, perPage: 3, hasMore: true });
    const page1 = traceQueryPaginatedTraceResponseSchema.parse(await traces({ pagination: { page: 1, perPage: 3 }, where: eq('status', 'success') }));
    expect(page1.traces.map((t) => t.traceId)).toEqual([]);
    expect(page1.pagination).toEqual({ total: 3, page: 1, perPage: 3, hasMore: false });
  });

  it('filters on trace fields, metadata and tags with two-valued logic', async () => {
    const { ids } = await seeded(await domain());
    expect(await ids(eq('threadId', 'th-a'))).toEqual(['t2', 't1']);
    expect(await ids(eq('metadata.team', 'red'))).toEqual(['t1']);
    expect(await ids({ op: 'exists', path: 'metadata.team' })).toEqual(['t2', 't1']);
    expect(await ids({ op: 'not', arg: eq('metadata.team', 'red') })).toEqual(['t3', 't2', 't6']);
    expect(await ids({ op: 'notIn', value: { path: 'environment' }, set: ['prod'] })).toEqual(['t3', 't2', 't6']);
    expect(await ids({ op: 'includes', path: 'tags', value: 'vip' })).toEqual(['t1']);
    expect(await ids({ op: 'notExists', path: 'tags' })).toEqual(['t3', 't2', 't6']);
    expect(await ids(eq('status', 'error'))).toEqual(['t2']);
    expect(await ids({ op: 'gte', left: { path: 'durationMs' }, right: { literal: 10_000 } })).toEqual(['t3', 't2', 't1', 't6']);
    expect(await ids({ op: 'gt', left: { path: 'durationMs' }, right: { literal: 10_000 } })).toEqual([]);
    expect(await ids({ op: 'lt', left: { path: 'startedAt' }, right: { literal: at(20).toISOString() } })).toEqual(['t1', 't6']);
  });

  it('matches exists-clauses over spans, scores and feedback', async () => {
    const { ids } = await seeded(await domain());
    expect(await ids({ spans: { some: eq('model', 'gpt-x') } })).toEqual(['t2']);
    expect(await ids({ spans: { some: { op: 'exists', path: 'error' } } })).toEqual(['t3', 't2']);
    expect(await ids({ spans: { none: eq('status', 'error') } })).toEqual(['t1', 't6']);
    expect(await ids({ spans: { some: { op: 'and', args: [eq('spanType', 'tool_call'), { op: 'gte', left: { path: 'durationMs' }, right: { literal: 1000 } }] } } })).toEqual(['t3', 't2', 't1', 't6']);
    expect(await ids({ scores: { some: { op: 'and', args: [eq('scorerId', 'relevance'), { op: 'gt', left: { path: 'score' }, right: { literal: 0.5 } }] } } })).toEqual(['t1']);
    expect(await ids({ scores: { some: { op: 'gte', left: { path: 'timestamp' }, right: { literal: at(20).toISOString() } } } })).toEqual(['t2']);
    expect(await ids({ scores: { none: eq('scorerId', 'relevance') } })).toEqual(['t3', 't6']);
    expect(await ids({ feedback: { some: eq('value', 'great') } })).toEqual(['t3']);
    expect(await ids({ feedback: { some: { op: 'gte', left: { path: 'value' }, right: { literal: 4 } } } })).toEqual(['t1']);
    expect(await ids({ op: 'or', args: [{ feedback: { some: { op: 'exists', path: 'value' } } }, eq('status', 'error')] })).toEqual(['t3', 't2', 't1']);
  });

  it('applies the tenant scope to the roots and to every related scan', async () => {
    const { ids } = await seeded(await domain());
    expect(await ids(undefined, { scope: { organizationId: 'org-1' } })).toEqual(['t2', 't1']);
    expect(await ids(undefined, { scope: { organizationId: 'org-1', resourceId: 'u1' } })).toEqual(['t1']);
    expect(await ids({ scores: { some: eq('scorerId', 'relevance') } }, { scope: { organizationId: 'org-1' } })).toEqual(['t1']);
    expect(await ids({ spans: { some: eq('spanType', 'model_generation') } }, { scope: { organizationId: 'org-1' } })).toEqual(['t2']);
  });

  it('sends a plan with more values than D1 binds as one parameter', async () => {
    const { ids } = await seeded(await domain());
    const args = Array.from({ length: 60 }, (_, i) => eq(`metadata.k${i}`, `v${i}`));
    expect(await ids({ op: 'or', args: [...args, eq('metadata.team', 'red')] })).toEqual(['t1']);
  });

  it('lists threads, and thread groups, by keyset', async () => {
    const obs = await domain();
    await seeded(obs);
    const threads = (input: Record<string, unknown>) => obs.queryThreads(planThreadQuery(parseQueryThreadsInput({ traces: { timeRange }, ...input })));
    const first = queryThreadsResultSchema.parse(await threads({ page: { limit: 1 } }));
    expect(first.threads).toEqual([{ threadId: 'th-a' }]);
    const second = queryThreadsResultSchema.parse(await threads({ page: { limit: 1, after: first.page.next } }));
    expect(second).toEqual({ threads: [{ threadId: 'th-b' }], page: { next: null } });
    expect((await threads({ where: { traces: { some: eq('status', 'error') } } })).threads).toEqual([{ threadId: 'th-a' }]);
    expect((await threads({ where: { traces: { none: eq('status', 'error') } } })).threads).toEqual([{ threadId: 'th-b' }]);
    expect((await threads({ traces: { timeRange, where: eq('metadata.team', 'blue') } })).threads).toEqual([{ threadId: 'th-a' }]);
    const groups = traceQueryGroupResponseSchema.parse(await obs.queryTraces(planTraceQuery(parseTraceQueryRequest({ timeRange, group: { by: ['threadId'] } }))));
    expect(groups).toEqual({ groups: [{ threadId: 'th-a' }, { threadId: 'th-b' }], page: { next: null } });
  });

  it('discovers metadata fields and field values with counts', async () => {
    const obs = await domain();
    await seeded(obs);
    const observed = await obs.getTraceQueryObservedFields(planTraceQueryObservedFields(parseGetTraceQueryFieldsArgs({ timeRange, predicateScope: 'trace' })));
    getTraceQueryFieldsResponseSchema.parse({ canonicalFields: getTraceQueryCanonicalFieldDescriptors('trace'), ...observed });
    expect(observed.observedFields.map((f) => [f.path, f.occurrences])).toEqual([['metadata.team', 2]]);
    expect(observed.observedFieldsTruncated).toBe(false);
    const values = async (predicateScope: string, path: string, extra: Record<string, unknown> = {}) =>
      getTraceQueryValuesResponseSchema.parse(await obs.getTraceQueryValues(planTraceQueryValues(parseGetTraceQueryValuesArgs({ timeRange, predicateScope, path, ...extra }))));
    expect(await values('trace', 'metadata.team')).toEqual({ values: [{ value: 'blue', count: 1 }, { value: 'red', count: 1 }], valuesTruncated: false });
    expect(await values('trace', 'tags', { limit: 1 })).toEqual({ values: [{ value: 'beta', count: 1 }], valuesTruncated: true });
    expect((await values('spans', 'spanType', { search: 'TOOL' })).values).toEqual([{ value: 'tool_call', count: 4 }]);
    expect((await values('scores', 'scorerId')).values).toEqual([{ value: 'relevance', count: 2 }]);
    expect((await values('feedback', 'feedbackType')).values).toEqual([{ value: 'correction', count: 1 }, { value: 'rating', count: 1 }]);
  });

  it(
    'sends one statement per call within D1 limits; a D1 failure is a THIRD_PARTY error',
    async () => {
      const d1 = faultyD1(h.d1.db);
      const obs = (await (await store({ binding: d1.db })).getStore('observability'))!;
      const { traces } = await seeded(obs);
      const many = { op: 'or', args: Array.from({ length: 60 }, (_, i) => eq(`metadata.k${i}`, `v${i}`)) };
      d1.mark();
      await traces({ where: many });
      await traces({ where: { spans: { some: eq('spanType', 'tool_call') } }, pagination: { page: 0, perPage: 2 } });
      await obs.queryThreads(planThreadQuery(parseQueryThreadsInput({ traces: { timeRange, where: many } })));
      expect(d1.since()).toEqual({ roundTrips: 3, statements: 4 });
      expect(d1.violations).toEqual([]);
      d1.arm({ roundTrip: 1 });
      const error = await traces({}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect((error as MastraError).category).toBe('THIRD_PARTY');
    },
    { rest: 'faults are injected into the Workers binding', custom: 'faults are injected into the Workers binding' },
  );

  it('answers delta plans (polling itself: observability-delta.test.ts)', async () => {
    const obs = await domain();
    const result = await obs.queryTraces(planTraceQuery(parseTraceQueryRequest({ timeRange, mode: 'delta' })));
    expect(result).toMatchObject({ traces: [], delta: { hasMore: false } });
  });
});
