import { SpanType } from '@mastra/core/observability';
import {
  parseGetTraceQueryFieldsArgs,
  parseGetTraceQueryValuesArgs,
  parseQueryThreadsInput,
  parseTraceQueryRequest,
  planThreadQuery,
  planTraceQuery,
  planTraceQueryObservedFields,
  planTraceQueryValues,
  type CreateSpanRecord,
  type ObservabilityStorage,
} from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { at } from '../../bench/data';
import { domain, expectIndexed, FILTERED_BUDGET, GROUPS, lookupsOf, planOf, range, rowsRead, STORED, storeWithLog } from './plan-kit';

// Trace queries walk the partial index of root spans in time order and look related records up by
// trace id: EXPLAIN QUERY PLAN shows no full scan, and a filtered page reads a bounded number of rows.

const timeRange = { from: at(-60).toISOString(), to: at(STORED + 60).toISOString() };
const query = (request: Record<string, unknown>, scope?: { organizationId: string }) => planTraceQuery(parseTraceQueryRequest({ timeRange, ...request }), { scope });
const toolCall = { spans: { some: { op: 'eq', left: { path: 'spanType' }, right: { literal: 'tool_call' } } } };

/** One root and one child per trace; every `GROUPS`-th trace's child is a tool call, the others generic. */
function traces(count: number): CreateSpanRecord[] {
  return range(count).flatMap((t) => {
    const traceId = `trace-${String(t).padStart(4, '0')}`;
    const root = { traceId, spanId: `${traceId}-root`, parentSpanId: null, name: 'agent run', spanType: SpanType.AGENT_RUN, isEvent: false, startedAt: at(t), endedAt: at(t + 1) };
    return [
      { ...root, threadId: `thread-${t % GROUPS}`, organizationId: 'org', metadata: { team: `team-${t % 3}` } },
      { ...root, spanId: `${traceId}-child`, parentSpanId: root.spanId, name: 'step', spanType: t % GROUPS === 0 ? SpanType.TOOL_CALL : SpanType.GENERIC },
    ] as CreateSpanRecord[];
  });
}

async function calls(obs: ObservabilityStorage) {
  return {
    keyset: () => obs.queryTraces(query({ page: { limit: 20 } })),
    filtered: () => obs.queryTraces(query({ where: toolCall, page: { limit: 20 } })),
    scoped: () => obs.queryTraces(query({ where: { scores: { none: { op: 'exists', path: 'spanId' } } }, page: { limit: 20 } }, { organizationId: 'org' })),
    paged: () => obs.queryTraces(query({ where: { feedback: { some: { op: 'gt', left: { path: 'value' }, right: { literal: 3 } } } }, pagination: { page: 0, perPage: 20 } })),
    threads: () => obs.queryThreads(planThreadQuery(parseQueryThreadsInput({ traces: { timeRange }, where: { traces: { some: toolCall } }, page: { limit: 20 } }))),
    fields: () => obs.getTraceQueryObservedFields(planTraceQueryObservedFields(parseGetTraceQueryFieldsArgs({ timeRange, predicateScope: 'trace' }))),
    values: () => obs.getTraceQueryValues(planTraceQueryValues(parseGetTraceQueryValuesArgs({ timeRange, predicateScope: 'spans', path: 'spanType' }))),
    scoreValues: () => obs.getTraceQueryValues(planTraceQueryValues(parseGetTraceQueryValuesArgs({ timeRange, predicateScope: 'scores', path: 'scorerId' }))),
  };
}

describe('trace query plans', () => {
  it('finds root spans through the partial root index and related records by trace id', async () => {
    const { store, counter, prefix } = await storeWithLog();
    const obs = await domain(store, 'observability');
    await obs.batchCreateSpans({ records: traces(40) });
    const all = await calls(obs);
    await expectIndexed(prefix, counter, async () => {
      for (const call of Object.values(all)) await call();
    });
    const [statement] = await lookupsOf(counter, all.filtered);
    const plan = await planOf(statement!);
    expect(plan).toMatch(/SEARCH r USING INDEX \S*root_started_idx \(startedAt>\? AND startedAt<\?\)/);
    expect(plan).toMatch(/SEARCH x USING (COVERING )?INDEX \S*(trace_started_idx|pk\S*|autoindex\S*) \(traceId=\?/);
  });

  it('reads a bounded number of rows for a filtered page of 1,000 traces', async () => {
    const { store, counter } = await storeWithLog();
    const obs = await domain(store, 'observability');
    await obs.batchCreateSpans({ records: traces(STORED) });
    const all = await calls(obs);
    const page = await all.filtered();
    expect('traces' in page && page.traces).toHaveLength(STORED / GROUPS);
    await rowsRead(counter, {
      'keyset page, no predicate': [all.keyset, FILTERED_BUDGET],
      // 20 matches at 1 in 50 walk every root, each checked by one trace-id lookup of its spans.
      'keyset page with a span exists-clause (1 trace in 50 matches)': [all.filtered, 4 * STORED + FILTERED_BUDGET],
    });
  });
});
