import { ErrorCategory, MastraError } from '@mastra/core/error';
import { SpanType } from '@mastra/core/observability';
import {
  parseTraceQueryRequest,
  planTraceQuery,
  traceQueryDeltaTraceResponseSchema,
  TraceQueryCursorError,
  type ObservabilityStorage,
} from '@mastra/core/storage';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';
import { faultyD1 } from '../support/faults';
import { SCHEMA_MARKER_TABLE } from '../../src/sql/schema';
import { uniquePrefix } from '../support/harness';
import { agentTrace, at, span } from '../support/observability';
import { failure } from '../reliability/assertions';

// Delta polling of traces, branches and trace queries on every client: new means first stored (a trace's
// root span, a branch's anchor span; for trace queries, a root span stored with `endedAt`), so updates
// and late children never re-emit, and cursors survive deletes without ever being reused.

const traces = async (obs: ObservabilityStorage, after?: string, limit?: number) => {
  const r = await obs.listTraces({ mode: 'delta', after, limit } as never);
  return { ids: r.spans.map((s) => s.traceId), cursor: r.deltaCursor!, hasMore: (r as { delta: { hasMore: boolean } }).delta.hasMore };
};

const timeRange = { from: '2025-12-31T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' };
const isError = { op: 'eq', left: { path: 'status' }, right: { literal: 'error' } };
const deltaPlan = (after?: string, where?: unknown) => planTraceQuery(parseTraceQueryRequest({ timeRange, mode: 'delta', after, limit: 2, where } as never));
const poll = async (obs: ObservabilityStorage, after?: string, where?: unknown) => traceQueryDeltaTraceResponseSchema.parse(await obs.queryTraces(deltaPlan(after, where)));

describeConformance('observability', 'Observability delta polling', ({ it, domain, store, h }) => {
  it('listTraces polls traces in the order their root span was first stored, each once', async () => {
    const obs = await domain();
    await obs.batchCreateSpans({ records: agentTrace('old', 0) });
    const start = await traces(obs);
    expect(start.ids).toEqual([]);
    // A child before its root: the trace is new when the root arrives, not before.
    await obs.batchCreateSpans({ records: [...agentTrace('a', 10), agentTrace('b', 5)[1]!] });
    await obs.batchCreateSpans({ records: [agentTrace('b', 5)[0]!, ...agentTrace('c', 1)] });
    const first = await traces(obs, start.cursor, 2);
    expect(first).toMatchObject({ ids: ['a', 'b'], hasMore: true });
    await obs.updateSpan({ traceId: 'a', spanId: 'a-root', updates: { output: 'later' } });
    await obs.batchCreateSpans({ records: [agentTrace('a', 10)[0]!, span({ traceId: 'b', spanId: 'late', parentSpanId: 'b-root' })] });
    const second = await traces(obs, first.cursor, 2);
    expect(second).toMatchObject({ ids: ['c'], hasMore: false });
    const idle = await traces(obs, second.cursor);
    expect(idle).toEqual({ ids: [], cursor: second.cursor, hasMore: false });
    const light = await obs.listTracesLight({ mode: 'delta', after: start.cursor, limit: 5 } as never);
    expect(light.spans.map((s) => s.traceId)).toEqual(['a', 'b', 'c']);
    expect(light.deltaCursor).toBe(second.cursor);
    const filtered = await obs.listTraces({ mode: 'delta', after: start.cursor, filters: { entityId: 'nobody' } } as never);
    expect(filtered.spans).toEqual([]);
  });

  it('a poll after deletes returns nothing old and no duplicate, and cursors are never reused', async () => {
    const obs = await domain();
    await obs.batchCreateSpans({ records: [...agentTrace('a', 0), ...agentTrace('b', 1)] });
    const before = await traces(obs);
    const branchesBefore = await obs.listBranches({ mode: 'delta' } as never);
    await obs.batchDeleteTraces({ traceIds: ['b'] });
    expect(await traces(obs, before.cursor)).toEqual({ ids: [], cursor: expect.any(String), hasMore: false });
    await obs.batchCreateSpans({ records: [...agentTrace('c', 2), ...agentTrace('b', 3)] });
    const after = await traces(obs, before.cursor);
    expect(after.ids).toEqual(['c', 'b']);
    expect(Number(after.cursor)).toBeGreaterThan(Number(before.cursor));
    expect((await traces(obs, after.cursor)).ids).toEqual([]);
    const branches = await obs.listBranches({ mode: 'delta', after: branchesBefore.deltaCursor } as never);
    expect(branches.branches.map((b) => b.spanId)).toEqual(['c-root', 'c-tool', 'b-root', 'b-tool']);
  });

  it('listBranches polls anchor spans by first write, with filters', async () => {
    const obs = await domain();
    const start = await obs.listBranches({ mode: 'delta' } as never);
    await obs.batchCreateSpans({ records: [...agentTrace('a', 0), ...agentTrace('b', 1)] });
    await obs.batchUpdateSpans({ records: [{ traceId: 'a', spanId: 'a-tool', updates: { output: 'x' } }] });
    const tools = await obs.listBranches({ mode: 'delta', after: start.deltaCursor, filters: { spanType: SpanType.TOOL_CALL } } as never);
    expect(tools.branches.map((b) => b.spanId)).toEqual(['a-tool', 'b-tool']);
    const all = await obs.listBranches({ mode: 'delta', after: start.deltaCursor, limit: 3 } as never);
    expect(all).toMatchObject({ delta: { limit: 3, hasMore: true } });
    expect(all.branches.map((b) => b.spanId)).toEqual(['a-root', 'a-tool', 'b-root']);
    const rest = await obs.listBranches({ mode: 'delta', after: all.deltaCursor } as never);
    expect(rest.branches.map((b) => b.spanId)).toEqual(['b-tool']);
  });

  it('bad cursors are USER errors, and nothing is read', async () => {
    const obs = await domain();
    for (const after of ['-1', 'abc', '1.5', '99999999999999999999']) {
      for (const call of [() => obs.listTraces({ mode: 'delta', after } as never), () => obs.listBranches({ mode: 'delta', after } as never)]) {
        const error = await failure(call());
        expect([error.category, error.id]).toEqual([ErrorCategory.USER, 'OBSERVABILITY_INVALID_DELTA_CURSOR']);
      }
    }
  });

  it('queryTraces delta plans list traces once, when they end, and check cursor ownership', async () => {
    const obs = await domain();
    await obs.batchCreateSpans({ records: agentTrace('done', 0) });
    const start = await poll(obs);
    const errorsStart = await poll(obs, undefined, isError);
    expect(start.traces).toEqual([]);
    await obs.batchCreateSpans({ records: [...agentTrace('run', 10, {}, true), ...agentTrace('x', 20), ...agentTrace('y', 30, { error: { message: 'no' } })] });
    const first = await poll(obs, start.deltaCursor);
    expect([first.traces.map((t) => t.traceId), first.delta]).toEqual([['x', 'y'], { limit: 2, hasMore: false }]);
    await obs.updateSpan({ traceId: 'run', spanId: 'run-root', updates: { endedAt: at(15) } });
    await obs.updateSpan({ traceId: 'x', spanId: 'x-root', updates: { output: 'again' } });
    const second = await poll(obs, first.deltaCursor);
    expect(second.traces.map((t) => t.traceId)).toEqual(['run']);
    expect((await poll(obs, errorsStart.deltaCursor, isError)).traces.map((t) => t.traceId)).toEqual(['y']);
    // Another filter's cursor is refused by core's planner; another adapter's or a forged one by the store.
    expect(() => deltaPlan(first.deltaCursor, isError)).toThrow(TraceQueryCursorError);
    const forged = (adapter: string, watermark: string) => ({ ...deltaPlan(), deltaCursor: { adapter, watermark } });
    await expect(obs.queryTraces(forged('pg', '1') as never)).rejects.toThrow(TraceQueryCursorError);
    await expect(obs.queryTraces(forged('d1', 'x1') as never)).rejects.toThrow(TraceQueryCursorError);
  });

  it('a poll and a span write are each one round trip', async () => {
    const d1 = faultyD1(h.d1.db);
    const obs = (await (await store({ binding: d1.db })).getStore('observability'))!;
    d1.mark();
    await obs.batchCreateSpans({ records: agentTrace('a', 0) });
    await obs.batchUpdateSpans({ records: [{ traceId: 'a', spanId: 'a-root', updates: { output: 'x' } }] });
    const start = await obs.listTraces({ mode: 'delta' } as never);
    await obs.listTraces({ mode: 'delta', after: '0', filters: { status: 'success' } } as never);
    await obs.listBranches({ mode: 'delta', after: '0' } as never);
    await obs.queryTraces(deltaPlan(undefined));
    expect(d1.since().roundTrips).toBe(6);
    expect(start.deltaCursor).toBe('1');
    expect(d1.violations).toEqual([]);
  }, { rest: 'round trips are counted on the binding wrapper', custom: 'round trips are counted on the binding wrapper' });

  it('a database made before delta polling gets its cursor table on init', async () => {
    const tablePrefix = uniquePrefix('dlt');
    const old = (await (await store({ tablePrefix })).getStore('observability'))!;
    await old.batchCreateSpans({ records: agentTrace('old', 0) });
    // What an older package left: no cursor table, and its own schema marker.
    await h.d1.db.batch([
      h.d1.db.prepare(`DROP TABLE "${tablePrefix}mastra_ai_span_cursors"`),
      h.d1.db.prepare(`UPDATE "${tablePrefix}${SCHEMA_MARKER_TABLE}" SET "hash" = 'older'`),
    ]);
    const obs = (await (await store({ tablePrefix })).getStore('observability'))!;
    const start = await traces(obs);
    await obs.batchCreateSpans({ records: agentTrace('new', 1) });
    expect((await traces(obs, start.cursor)).ids).toEqual(['new']);
    expect((await obs.listTraces({})).spans.map((s) => s.traceId)).toEqual(['new', 'old']);
  });

  it('errors reading a poll are THIRD_PARTY', async () => {
    const d1 = faultyD1(h.d1.db);
    const obs = (await (await store({ binding: d1.db })).getStore('observability'))!;
    d1.arm({ roundTrip: 1 });
    const error = await obs.listTraces({ mode: 'delta', after: '0' } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MastraError);
    expect((error as MastraError).category).toBe(ErrorCategory.THIRD_PARTY);
  }, { rest: 'faults are injected into the Workers binding', custom: 'faults are injected into the Workers binding' });
});
