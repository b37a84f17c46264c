import { ErrorCategory, MastraError } from '@mastra/core/error';
import { EntityType } from '@mastra/core/observability';
import { InMemoryStore, type ObservabilityStorage } from '@mastra/core/storage';
import { beforeEach, describe, expect, it } from 'vitest';
import { useHarness } from '../support/harness';
import { agentTrace, at, comparable } from '../support/observability';
import { outcome } from '../support/parity';

// Parity of the signal side (metrics, logs, scores, feedback, discovery) with core's own
// ObservabilityInMemory, the reference implementation (LibSQLStore has none of these methods). The same
// calls go to both stores; results are compared without store noise (null fields, delta cursor values,
// which are per-store counters: their behaviour is checked on their own below).

const h = useHarness();
let stores: { memory: ObservabilityStorage; d1: ObservabilityStorage };

beforeEach(async () => {
  const d1 = (await (await h.freshStore('binding')).getStore('observability'))!;
  stores = { memory: (await new InMemoryStore().getStore('observability'))!, d1 };
});

type Call = (obs: ObservabilityStorage) => Promise<unknown>;

/** Both stores give the same (comparable) answer. */
async function same(call: Call): Promise<unknown> {
  const memory = await outcome(() => call(stores.memory), comparable);
  const d1 = await outcome(() => call(stores.d1), comparable);
  expect(d1).toEqual(memory);
  return memory;
}

/** Both refuse; D1 with a USER MastraError whose id ends like core's when core's is a MastraError. */
async function bothRefuse(call: Call): Promise<void> {
  const memory = await outcome(() => call(stores.memory));
  const d1 = await call(stores.d1).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect('error' in memory).toBe(true);
  expect(d1).toBeInstanceOf(MastraError);
  expect((d1 as MastraError).category).toBe(ErrorCategory.USER);
  if ('category' in memory && memory.category === ErrorCategory.USER) expect(memory.error.endsWith((d1 as MastraError).id.replace(/^MASTRA_STORAGE_CLOUDFLARE_D1_/, ''))).toBe(true);
}

async function both(call: Call): Promise<void> {
  await call(stores.memory);
  await call(stores.d1);
}

const context = (i: number) => ({
  entityType: i % 2 ? EntityType.AGENT : EntityType.TOOL,
  entityName: `entity-${i % 3}`,
  resourceId: `r${i % 2}`,
  organizationId: 'org',
  threadId: `th${i % 4}`,
  environment: i % 2 ? 'prod' : 'dev',
  serviceName: `svc${i % 2}`,
  tags: i % 2 ? ['a', 'b'] : ['b'],
});

const metrics = Array.from({ length: 12 }, (_, i) => ({
  metricId: `m${i}`,
  timestamp: at(i * 40),
  name: i % 3 ? 'mastra_agent_duration_ms' : 'mastra_model_total_input_tokens',
  value: (i * 37) % 11,
  traceId: `t${i % 3}`,
  provider: i % 2 ? 'openai' : 'anthropic',
  model: 'm',
  estimatedCost: i % 4 ? i / 8 : null,
  costUnit: i % 4 ? 'usd' : null,
  labels: { status: i % 5 ? 'ok' : 'error', region: `eu${i % 2}` },
  executionSource: i % 3 ? 'cloud' : null,
  source: i % 3 ? null : 'local',
  ...context(i),
}));

const logs = Array.from({ length: 8 }, (_, i) => ({
  logId: `l${i}`,
  timestamp: at(100 - i * 7),
  level: (['info', 'warn', 'error', 'debug'] as const)[i % 4],
  message: `message ${i}`,
  data: { i },
  traceId: `t${i % 3}`,
  ...context(i),
}));

const scores = Array.from({ length: 8 }, (_, i) => ({
  scoreId: `s${i}`,
  timestamp: at(i * 30),
  traceId: `t${i % 3}`,
  scorerId: i % 2 ? 'relevance' : 'toxicity',
  scorerName: 'Scorer',
  score: ((i * 13) % 7) / 4,
  reason: i % 2 ? 'because' : undefined,
  ...(i % 3 === 0 ? { source: 'live' } : { scoreSource: 'experiment' }),
  metadata: { run: i % 2, nested: { k: 'v' } },
  ...context(i),
}));

const feedback = Array.from({ length: 8 }, (_, i) => ({
  feedbackId: `f${i}`,
  timestamp: at(i * 25),
  traceId: `t${i % 3}`,
  feedbackType: i % 2 ? 'thumbs' : 'rating',
  value: i % 3 === 0 ? 'great' : i % 3 === 1 ? ` ${i} ` : i,
  comment: `c${i}`,
  ...(i % 2 ? { feedbackSource: 'user' } : {}),
  ...(i % 4 === 1 ? { feedbackUserId: 'fu' } : i % 4 === 2 ? { metadata: { userId: 'mu' } } : {}),
  ...(i === 3 ? { reviewStatus: 'reviewed' as const } : {}),
  ...context(i),
}));

async function seed(): Promise<void> {
  await both((obs) => obs.batchCreateSpans({ records: [...agentTrace('t0', 0, { tags: ['span-tag'], environment: 'staging', serviceName: 'spans' }), ...agentTrace('t1', 10)] }));
  await both((obs) => obs.batchCreateMetrics({ metrics: metrics as never }));
  await both((obs) => obs.batchCreateLogs({ logs: logs as never }));
  await both((obs) => obs.batchCreateScores({ scores: scores as never }));
  await both((obs) => obs.batchCreateFeedback({ feedbacks: feedback as never }));
}

describe('ObservabilityStorageD1 signals match core ObservabilityInMemory', () => {
  it('listMetrics: filters, order and pages', async () => {
    await seed();
    await same((obs) => obs.listMetrics({}));
    await same((obs) => obs.listMetrics({ orderBy: { field: 'timestamp', direction: 'ASC' }, pagination: { page: 1, perPage: 5 } }));
    await same((obs) => obs.listMetrics({ filters: { name: ['mastra_agent_duration_ms'], labels: { status: 'ok' } } }));
    await same((obs) => obs.listMetrics({ filters: { traceIds: ['t1', 't2'], provider: 'openai', tags: ['a'] } }));
    await same((obs) => obs.listMetrics({ filters: { source: 'local' } }));
    await same((obs) => obs.listMetrics({ filters: { executionSource: 'cloud', resourceId: 'r1', environment: 'prod' } }));
    await same((obs) => obs.listMetrics({ filters: { timestamp: { start: at(80), end: at(240), endExclusive: true } } }));
    await same((obs) => obs.listMetrics({ filters: { timestamp: { start: at(80), startExclusive: true } } }));
    await bothRefuse((obs) => obs.listMetrics({ filters: { name: [] } }));
    await same((obs) => obs.listMetrics({ filters: { labels: { status: 'error', region: 'eu0' } } }));
  });

  it('listLogs: levels and context filters', async () => {
    await seed();
    await same((obs) => obs.listLogs({}));
    await same((obs) => obs.listLogs({ filters: { level: ['warn', 'error'] }, orderBy: { field: 'timestamp', direction: 'ASC' } }));
    await same((obs) => obs.listLogs({ filters: { level: 'info', threadId: 'th0' } }));
    await same((obs) => obs.listLogs({ filters: { entityType: EntityType.AGENT, tags: ['a', 'b'] }, pagination: { page: 0, perPage: 2 } }));
    await same((obs) => obs.listLogs({ filters: { traceId: 't1', serviceName: 'svc1' } }));
  });

  it('scores: create, list by scorer, source and metadata, order by score, get, delete', async () => {
    await seed();
    await same((obs) => obs.createScore({ score: { scoreId: 'one', timestamp: at(5), scorerId: 'solo', score: 0.5, source: 'manual' } as never }));
    await same((obs) => obs.listScores({}));
    await same((obs) => obs.listScores({ orderBy: { field: 'score', direction: 'ASC' } }));
    await same((obs) => obs.listScores({ filters: { scorerId: ['relevance', 'solo'] } }));
    await same((obs) => obs.listScores({ filters: { scorerId: 'toxicity', source: 'live' } }));
    await same((obs) => obs.listScores({ filters: { scoreSource: 'experiment', metadata: { run: 1 } } }));
    await same((obs) => obs.listScores({ filters: { metadata: { nested: { k: 'v' } } }, pagination: { page: 1, perPage: 3 } }));
    await same((obs) => obs.getScoreById('s3'));
    await same((obs) => obs.getScoreById('missing'));
    await same((obs) => obs.deleteScores({ scoreIds: ['s0', 's1', 'nope'], organizationId: 'other' }));
    await same((obs) => obs.deleteScores({ scoreIds: ['s0', 's1', 'nope'], resourceId: 'r0' }));
    await same((obs) => obs.deleteScores({ scoreIds: [] }));
    await same((obs) => obs.listScores({ pagination: { page: 0, perPage: 50 } }));
  });

  it('feedback: defaults, filters, review status and delete', async () => {
    await seed();
    await same((obs) => obs.createFeedback({ feedback: { feedbackId: 'solo', timestamp: at(3), feedbackType: 'rating', value: 5, source: 'api' } as never }));
    await same((obs) => obs.listFeedback({}));
    await same((obs) => obs.listFeedback({ filters: { feedbackType: ['thumbs'], feedbackSource: 'user' } }));
    await same((obs) => obs.listFeedback({ filters: { source: '' } }));
    await same((obs) => obs.listFeedback({ filters: { feedbackUserId: 'mu' } }));
    await same((obs) => obs.listFeedback({ filters: { reviewStatus: 'reviewed' } }));
    await same((obs) => obs.updateFeedbackReviewStatus({ feedbackId: 'f2', reviewStatus: 'reviewed' }));
    await same((obs) => obs.listFeedback({ filters: { reviewStatus: 'needs-review' }, orderBy: { field: 'timestamp', direction: 'ASC' } }));
    await same((obs) => obs.deleteFeedback({ feedbackIds: ['f0', 'f1', 'f2'], organizationId: 'org', resourceId: 'r1' }));
    await same((obs) => obs.listFeedback({ pagination: { page: 0, perPage: 50 } }));
  });

  it('discovery: the eight methods over spans, logs and metrics', async () => {
    await seed();
    await same((obs) => obs.getMetricNames({}));
    await same((obs) => obs.getMetricNames({ prefix: 'mastra_agent', limit: 5 }));
    await same((obs) => obs.getMetricNames({ prefix: 'nothing' }));
    await same((obs) => obs.getMetricLabelKeys({ metricName: 'mastra_agent_duration_ms' }));
    await same((obs) => obs.getMetricLabelValues({ metricName: 'mastra_agent_duration_ms', labelKey: 'status' }));
    await same((obs) => obs.getMetricLabelValues({ metricName: 'mastra_agent_duration_ms', labelKey: 'region', prefix: 'eu', limit: 1 }));
    await same((obs) => obs.getEntityTypes({}));
    await same((obs) => obs.getEntityNames({}));
    await same((obs) => obs.getEntityNames({ entityType: EntityType.TOOL }));
    await same((obs) => obs.getServiceNames({}));
    await same((obs) => obs.getEnvironments({}));
    await same((obs) => obs.getTags({}));
    await same((obs) => obs.getTags({ entityType: EntityType.AGENT }));
  });

  it('batchDeleteTraces removes linked signals, tenant-scoped', async () => {
    await seed();
    await same((obs) => obs.batchDeleteTraces({ traceIds: ['t2'], resourceId: 'r1' }));
    await same((obs) => obs.batchDeleteTraces({ traceIds: ['t0'] }));
    await same(async (obs) => [await obs.listMetrics({ pagination: { page: 0, perPage: 50 } }), await obs.listLogs({}), await obs.listScores({}), await obs.listFeedback({})]);
    await same(async (obs) => [await obs.getTrace({ traceId: 't0' }), await obs.getTrace({ traceId: 't1' })]);
    await same((obs) => obs.batchDeleteTraces({ traceIds: ['t1'], organizationId: 'elsewhere' }));
    await same(async (obs) => [await obs.getTrace({ traceId: 't1' }), (await obs.listMetrics({ pagination: { page: 0, perPage: 50 } })).metrics.length]);
  });

  it('delta mode: polls new records in write order and never re-emits', async () => {
    await seed();
    const poll = async (obs: ObservabilityStorage) => {
      const start = await obs.listLogs({ mode: 'delta', filters: { level: 'info' } } as never);
      await obs.batchCreateLogs({ logs: [{ ...logs[0]!, logId: 'new1' }, { ...logs[1]!, logId: 'new2' }, { ...logs[0]!, logId: 'new3', message: 'third' }] as never });
      const first = await obs.listLogs({ mode: 'delta', after: start.deltaCursor, limit: 1, filters: { level: 'info' } } as never);
      const second = await obs.listLogs({ mode: 'delta', after: first.deltaCursor, limit: 5, filters: { level: 'info' } } as never);
      const empty = await obs.listLogs({ mode: 'delta', after: second.deltaCursor, filters: { level: 'info' } } as never);
      return { start, first, second, empty, same: empty.deltaCursor === second.deltaCursor };
    };
    await same(poll);
    await bothRefuse((obs) => obs.listLogs({ mode: 'delta', after: 'not-a-cursor' } as never));
  });

  it('refuses bad input', async () => {
    await bothRefuse((obs) => obs.updateFeedbackReviewStatus({ feedbackId: 'missing', reviewStatus: 'reviewed' }));
    await bothRefuse((obs) => obs.listScores({ orderBy: { field: 'name' as never } }));
    await bothRefuse((obs) => obs.listLogs({ pagination: { page: -1, perPage: 5 } } as never));
  });

  it('metric analytics: aggregate (with comparePeriod), breakdown, time series', async () => {
    await seed();
    const name = ['mastra_agent_duration_ms', 'mastra_model_total_input_tokens'];
    const window = { timestamp: { start: at(200), end: at(440) } };
    for (const aggregation of ['sum', 'avg', 'min', 'max', 'count', 'last'] as const) {
      await same((obs) => obs.getMetricAggregate({ name, aggregation }));
      await same((obs) => obs.getMetricAggregate({ name, aggregation, filters: window, comparePeriod: 'previous_period' }));
    }
    await same((obs) => obs.getMetricAggregate({ name, aggregation: 'count_distinct', distinctColumn: 'threadId', filters: { ...window, resourceId: 'r1' }, comparePeriod: 'previous_period' }));
    await same((obs) => obs.getMetricAggregate({ name: ['none'], aggregation: 'count' }));
    await same((obs) => obs.getMetricAggregate({ name, aggregation: 'sum', filters: window, comparePeriod: 'previous_day' }));
    await same((obs) => obs.getMetricBreakdown({ name, groupBy: ['entityName', 'status'], aggregation: 'count' }));
    await same((obs) => obs.getMetricBreakdown({ name, groupBy: ['model'], aggregation: 'sum', filters: { labels: { region: 'eu1' } } }));
    await same((obs) => obs.getMetricBreakdown({ name, groupBy: ['threadId', 'resourceId'], aggregation: 'count_distinct', distinctColumn: 'threadId', limit: 2, orderDirection: 'DESC' }));
    await same((obs) => obs.getMetricBreakdown({ name, groupBy: ['region', 'missing'], aggregation: 'avg', orderDirection: 'ASC' }));
    await same((obs) => obs.getMetricTimeSeries({ name, interval: '1m', aggregation: 'sum' }));
    await same((obs) => obs.getMetricTimeSeries({ name, interval: '5m', aggregation: 'avg', groupBy: ['status', 'provider'] }));
    await same((obs) => obs.getMetricTimeSeries({ name: ['none'], interval: '1h', aggregation: 'max' }));
  });

  it('metric percentiles are exact percentile_cont over UTC buckets (core in-memory uses nearest rank)', async () => {
    await seed();
    const result = await stores.d1.getMetricPercentiles({ name: 'mastra_agent_duration_ms', percentiles: [0.5, 0.9, 0], interval: '5m' });
    const values = metrics.filter((m) => m.name === 'mastra_agent_duration_ms');
    const buckets = [...new Set(values.map((m) => Math.floor(m.timestamp.getTime() / 300_000) * 300_000))].sort((a, b) => a - b);
    const cont = (sorted: number[], p: number) => {
      const pos = p * (sorted.length - 1);
      const lo = Math.floor(pos);
      return sorted[lo]! + (pos - lo) * ((sorted[Math.ceil(pos)] ?? sorted[lo]!) - sorted[lo]!);
    };
    expect(result.series).toEqual(
      [0.5, 0.9, 0].map((percentile) => ({
        percentile,
        points: buckets.map((b) => {
          const sorted = values.filter((m) => Math.floor(m.timestamp.getTime() / 300_000) * 300_000 === b).map((m) => m.value).sort((x, y) => x - y);
          return { timestamp: new Date(b), value: cont(sorted, percentile) };
        }),
      })),
    );
  });

  it('score and feedback analytics match, through the same builder', async () => {
    await seed();
    const window = { timestamp: { start: at(100), end: at(200) } };
    for (const aggregation of ['sum', 'avg', 'min', 'max', 'count', 'last', 'count_distinct'] as const) {
      await same((obs) => obs.getScoreAggregate({ scorerId: 'relevance', aggregation, filters: window, comparePeriod: 'previous_period' }));
      await same((obs) => obs.getFeedbackAggregate({ feedbackType: 'thumbs', aggregation }));
    }
    await same((obs) => obs.getScoreAggregate({ scorerId: 'toxicity', scoreSource: 'experiment', aggregation: 'avg' }));
    await same((obs) => obs.getFeedbackAggregate({ feedbackType: 'rating', feedbackSource: 'user', aggregation: 'sum' }));
    await same((obs) => obs.getScoreBreakdown({ scorerId: 'relevance', groupBy: ['entityName', 'environment'], aggregation: 'avg' }));
    await same((obs) => obs.getFeedbackBreakdown({ feedbackType: 'rating', groupBy: ['resourceId'], aggregation: 'max' }));
    await same((obs) => obs.getScoreTimeSeries({ scorerId: 'toxicity', interval: '1m', aggregation: 'avg' }));
    await same((obs) => obs.getScoreTimeSeries({ scorerId: 'relevance', scoreSource: 'experiment', interval: '1m', aggregation: 'max', groupBy: ['entityName', 'reason'] }));
    await same((obs) => obs.getFeedbackTimeSeries({ feedbackType: 'thumbs', interval: '5m', aggregation: 'sum', groupBy: ['serviceName'] }));
    await same((obs) => obs.getFeedbackTimeSeries({ feedbackType: 'rating', feedbackSource: 'user', interval: '1h', aggregation: 'count' }));
    await same((obs) => obs.getScorePercentiles({ scorerId: 'relevance', percentiles: [0.25, 0.5, 0.99], interval: '1h' }));
    await same((obs) => obs.getFeedbackPercentiles({ feedbackType: 'rating', percentiles: [0.5, 1], interval: '1m' }));
  });
});
