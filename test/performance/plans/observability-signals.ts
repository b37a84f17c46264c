import { agentTrace, at } from '../../support/observability';
import { STORED, GROUPS, MATCHES, FILTERED_BUDGET, range, expectIndexed, rowsRead, storeWithLog, domain, type PlanCases } from '../plan-kit';

// The signal tables (metrics, logs, scores, feedback): lists, lookups, deletes and analytics find their
// rows through the (key, timestamp), timestamp, traceId and signal-id indexes. Discovery over spans,
// logs and metrics is a DISTINCT over every row by nature and is not listed here.

const metrics = (count: number) =>
  range(count).map((i) => ({ metricId: `m${i}`, timestamp: at(i), name: `metric_${i % GROUPS}`, value: i % 97, traceId: `t${i % GROUPS}`, labels: { status: i % 3 ? 'ok' : 'error' } }));
const scores = (count: number) => range(count).map((i) => ({ scoreId: `s${i}`, timestamp: at(i), scorerId: `scorer-${i % GROUPS}`, score: (i % 10) / 10, traceId: `t${i % GROUPS}` }));
const feedback = (count: number) => range(count).map((i) => ({ feedbackId: `f${i}`, timestamp: at(i), feedbackType: `type-${i % GROUPS}`, value: i % 5, traceId: `t${i % GROUPS}` }));
const logs = (count: number) => range(count).map((i) => ({ logId: `l${i}`, timestamp: at(i), level: ['info', 'warn', 'error', 'debug', 'fatal'][i % 5], message: 'm', traceId: `t${i % GROUPS}` }));

export default {
  'observability signals': {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const obs = await domain(store, 'observability');
      await obs.batchCreateSpans({ records: agentTrace('t1', 0) });
      await obs.batchCreateMetrics({ metrics: metrics(40) as never });
      await obs.batchCreateLogs({ logs: logs(40) as never });
      await obs.batchCreateScores({ scores: scores(40) as never });
      await obs.batchCreateFeedback({ feedbacks: feedback(40) as never });
      const pagination = { page: 0, perPage: 20 };
      const name = ['metric_1'];
      await expectIndexed(prefix, counter, async () => {
        await obs.listMetrics({ filters: { name }, pagination });
        await obs.listLogs({ filters: { level: 'warn' }, pagination });
        await obs.listLogs({ mode: 'delta', after: '3', filters: { level: 'warn' } } as never);
        await obs.listScores({ filters: { scorerId: 'scorer-1' }, pagination });
        await obs.listFeedback({ filters: { feedbackType: 'type-1' }, pagination });
        await obs.getScoreById('s1');
        await obs.updateFeedbackReviewStatus({ feedbackId: 'f1', reviewStatus: 'reviewed' });
        await obs.getMetricAggregate({ name, aggregation: 'avg', filters: { timestamp: { start: at(0), end: at(30) } }, comparePeriod: 'previous_period' });
        await obs.getMetricBreakdown({ name, groupBy: ['status'], aggregation: 'count' });
        await obs.getMetricTimeSeries({ name, interval: '1m', aggregation: 'sum', groupBy: ['status'] });
        await obs.getMetricPercentiles({ name: 'metric_1', percentiles: [0.5, 0.95], interval: '1h' });
        await obs.getScoreAggregate({ scorerId: 'scorer-1', aggregation: 'last' });
        await obs.getFeedbackPercentiles({ feedbackType: 'type-1', percentiles: [0.5], interval: '1h' });
        await obs.getMetricNames({ prefix: 'metric_1' });
        await obs.getMetricLabelValues({ metricName: 'metric_1', labelKey: 'status' });
        await obs.deleteScores({ scoreIds: ['s2'] });
        await obs.deleteFeedback({ feedbackIds: ['f2'], resourceId: 'r' });
        await obs.batchDeleteTraces({ traceIds: ['t1'] });
      });
    },
    async budgets() {
      const { store, counter } = await storeWithLog();
      const obs = await domain(store, 'observability');
      await obs.batchCreateMetrics({ metrics: metrics(STORED) as never });
      await obs.batchCreateScores({ scores: scores(STORED) as never });
      const pagination = { page: 0, perPage: 20 };
      const name = ['metric_7'];
      // An aggregate reads its matches once, plus the index entries that find them.
      const SCAN = 2 * MATCHES + 10;
      await rowsRead(counter, {
        'listMetrics by name': [() => obs.listMetrics({ filters: { name }, pagination }), FILTERED_BUDGET + SCAN],
        'listScores by scorer': [() => obs.listScores({ filters: { scorerId: 'scorer-7' }, pagination }), FILTERED_BUDGET + SCAN],
        'getMetricAggregate with comparePeriod': [() => obs.getMetricAggregate({ name, aggregation: 'sum', filters: { timestamp: { start: at(500), end: at(1000) } }, comparePeriod: 'previous_period' }), SCAN],
        'getMetricTimeSeries by label': [() => obs.getMetricTimeSeries({ name, interval: '1m', aggregation: 'avg', groupBy: ['status'] }), 3 * SCAN],
        // D1 also counts the rows the ranking window and the percentile join pass: linear in the matches, far below a scan.
        'getMetricPercentiles': [() => obs.getMetricPercentiles({ name: 'metric_7', percentiles: [0.5, 0.9, 0.99], interval: '1h' }), 25 * MATCHES],
      });
    },
  },
} satisfies PlanCases;
