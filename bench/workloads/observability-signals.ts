/** Metrics as MastraStorageExporter writes them and Studio's metrics dashboard reads them (rows read included). */
import type { Subject } from '../subjects';
import { workload, type Workload } from '../workload';

const T0 = Date.UTC(2026, 0, 1);
const observability = (s: Subject) => s.domain('observability');
const NAME = 'mastra_agent_duration_ms';

/** `count` duration metrics, one a second, alternating two agents and two statuses. */
function durations(count: number, idPrefix = 'm') {
  return Array.from({ length: count }, (_, i) => ({
    metricId: `${idPrefix}${i}`,
    timestamp: new Date(T0 + i * 1_000),
    name: i % 10 === 9 ? 'mastra_model_total_input_tokens' : NAME,
    value: (i * 7919) % 5_000,
    entityType: 'agent',
    entityName: `agent-${i % 2}`,
    threadId: `thread-${i % 50}`,
    resourceId: `user-${i % 20}`,
    labels: { status: i % 7 ? 'ok' : 'error' },
  }));
}

/** 10,000 metric rows (9,000 of them agent durations) over ~2.8 hours, written by one exporter flush per 1,000. */
async function seedMetrics(s: Subject): Promise<void> {
  const obs = await observability(s);
  const rows = durations(10_000);
  for (let i = 0; i < rows.length; i += 1_000) await obs.batchCreateMetrics({ metrics: rows.slice(i, i + 1_000) as never });
}

const window = { timestamp: { start: new Date(T0 + 5_000_000), end: new Date(T0 + 10_000_000) } };

const nonEmpty = (what: string, length: number | undefined) => (length ? undefined : `no ${what}`);

export const observabilitySignalsWorkloads: Workload[] = [
  workload<void, unknown[]>({
    group: 'observability signals',
    name: 'batchCreateMetrics of 1,000 (one exporter flush)',
    floor: 1,
    before: async (_s, _shared, rep) => durations(1_000, `b${rep}-`),
    run: async (s, _shared, metrics) => (await observability(s)).batchCreateMetrics({ metrics: metrics as never }),
  }),
  workload({
    group: 'observability signals',
    name: 'getMetricAggregate with comparePeriod, over 10,000 rows',
    floor: 1,
    setup: seedMetrics,
    run: async (s) => (await observability(s)).getMetricAggregate({ name: [NAME], aggregation: 'avg', filters: window, comparePeriod: 'previous_period' }),
    check: (r) => ((r as { previousValue?: number | null }).previousValue == null ? 'no previous value' : undefined),
  }),
  workload({
    group: 'observability signals',
    name: 'getMetricTimeSeries by status, 1m buckets, over 10,000 rows',
    floor: 1,
    setup: seedMetrics,
    run: async (s) => (await observability(s)).getMetricTimeSeries({ name: [NAME], interval: '1m', aggregation: 'avg', groupBy: ['status'] }),
    check: (r) => nonEmpty('series', (r as { series: unknown[] }).series.length),
  }),
  workload({
    group: 'observability signals',
    name: 'getMetricPercentiles p50/p95/p99, 1h buckets, over 10,000 rows',
    floor: 1,
    setup: seedMetrics,
    run: async (s) => (await observability(s)).getMetricPercentiles({ name: NAME, percentiles: [0.5, 0.95, 0.99], interval: '1h' }),
    check: (r) => nonEmpty('points', (r as { series: { points: unknown[] }[] }).series[0]?.points.length),
  }),
  workload({
    group: 'observability signals',
    name: 'getMetricBreakdown by agent and status, over 10,000 rows',
    floor: 1,
    setup: seedMetrics,
    run: async (s) => (await observability(s)).getMetricBreakdown({ name: [NAME], groupBy: ['entityName', 'status'], aggregation: 'count' }),
    check: (r) => nonEmpty('groups', (r as { groups: unknown[] }).groups.length),
  }),
];
