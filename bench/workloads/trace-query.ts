/** Studio's trace list: `queryTraces` with a span exists-clause, as the server plans it. */
import { SpanType } from '@mastra/core/observability';
import { parseTraceQueryRequest, planTraceQuery, type CreateSpanRecord } from '@mastra/core/storage';
import { at } from '../data';
import type { Subject } from '../subjects';
import { expectCount, workload, type Workload } from '../workload';

const TRACES = 1_000;

/** 1,000 traces of a root and one child; every 10th child is a tool call. */
async function seedTraces(s: Subject): Promise<void> {
  const records = Array.from({ length: TRACES }, (_, t) => {
    const traceId = `trace-${t}`;
    const root = { traceId, spanId: `${traceId}-root`, parentSpanId: null, name: 'agent run', spanType: SpanType.AGENT_RUN, isEvent: false, startedAt: at(t), endedAt: at(t + 1) };
    const child = { ...root, spanId: `${traceId}-child`, parentSpanId: root.spanId, name: 'step', spanType: t % 10 === 0 ? SpanType.TOOL_CALL : SpanType.GENERIC };
    return [root, child] as CreateSpanRecord[];
  }).flat();
  await (await s.domain('observability')).batchCreateSpans({ records });
}

const toolCallPage = planTraceQuery(
  parseTraceQueryRequest({
    timeRange: { from: at(-60).toISOString(), to: at(TRACES + 60).toISOString() },
    where: { spans: { some: { op: 'eq', left: { path: 'spanType' }, right: { literal: 'tool_call' } } } },
    page: { limit: 25 },
  }),
);

export const traceQueryWorkloads: Workload[] = [
  workload({
    group: 'observability',
    name: 'queryTraces: 25 traces with a tool call, of 1,000',
    floor: 1,
    setup: seedTraces,
    run: async (s) => (await s.domain('observability')).queryTraces(toolCallPage),
    check: (r) => expectCount('traces', (r as { traces?: unknown[] }).traces?.length, 25),
  }),
];
