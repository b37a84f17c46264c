import { SpanType } from '@mastra/core/observability';
import type { CreateSpanRecord } from '@mastra/core/storage';
import { at, spans } from '../../../bench/data';
import { STORED, GROUPS, FILTERED_BUDGET, range, expectIndexed, rowsRead, storeWithLog, domain, type PlanCases } from '../plan-kit';

/** One root span and one tool call per trace, the entity and resource cycling through `GROUPS` values. */
function traces(count: number): CreateSpanRecord[] {
  return range(count).flatMap((t) => {
    const traceId = `trace-${t}`;
    const root = { traceId, spanId: `${traceId}-root`, parentSpanId: null, name: 'agent run', spanType: SpanType.AGENT_RUN, isEvent: false, startedAt: at(t), endedAt: at(t + 1) };
    return [
      { ...root, entityId: `agent-${t % GROUPS}`, resourceId: `user-${t % GROUPS}` },
      { ...root, spanId: `${traceId}-tool`, parentSpanId: root.spanId, name: 'tool', spanType: SpanType.TOOL_CALL, entityId: `tool-${t % GROUPS}` },
    ] as CreateSpanRecord[];
  });
}

export default {
  observability: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const observability = await domain(store, 'observability');
      const records = spans(4, 5);
      await observability.batchCreateSpans({ records });
      await expectIndexed(prefix, counter, async () => {
        await observability.getTrace({ traceId: records[0]!.traceId });
        await observability.getRootSpan({ traceId: records[0]!.traceId });
        await observability.getBranch({ traceId: records[0]!.traceId, spanId: records[0]!.spanId });
        await observability.listTraces({ pagination: { page: 0, perPage: 20 } });
        await observability.listTraces({ filters: { entityId: 'weather-agent', resourceId: 'user-1' }, pagination: { page: 0, perPage: 20 } });
        await observability.listTraces({ filters: { hasChildError: true }, orderBy: { field: 'endedAt', direction: 'DESC' }, pagination: { page: 0, perPage: 20 } });
        await observability.listBranches({ filters: { spanType: SpanType.TOOL_CALL }, pagination: { page: 0, perPage: 20 } });
        await observability.batchUpdateSpans({ records: [{ traceId: records[1]!.traceId, spanId: records[1]!.spanId, updates: { endedAt: new Date(), output: { text: 'done' } } }] });
        await observability.batchDeleteTraces({ traceIds: [records[19]!.traceId] });
      });
    },
    async budgets() {
      const { store, counter } = await storeWithLog();
      const observability = await domain(store, 'observability');
      await observability.batchCreateSpans({ records: traces(STORED) });
      const pagination = { page: 0, perPage: 20 };
      await rowsRead(counter, {
        'listTraces by entity': [() => observability.listTraces({ filters: { entityId: 'agent-7' }, pagination }), FILTERED_BUDGET],
        'listTraces by resource': [() => observability.listTraces({ filters: { resourceId: 'user-7' }, pagination }), FILTERED_BUDGET],
        'listTracesLight by entity': [() => observability.listTracesLight({ filters: { entityId: 'agent-7' }, pagination }), FILTERED_BUDGET],
        // Unfiltered, the total is every trace: the count reads each root once, the page only its rows.
        'listTraces, every trace': [() => observability.listTraces({ pagination }), STORED + FILTERED_BUDGET],
      });
    },
  },
} satisfies PlanCases;
