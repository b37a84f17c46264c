import { Agent } from '@mastra/core/agent';
import { Mastra } from '@mastra/core/mastra';
import { createMockModel } from '@mastra/core/test-utils/llm-mock';
import { MastraStorageExporter, Observability } from '@mastra/observability';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../support/harness';

const h = useHarness();

describe.each(['binding', 'rest'] as const)('signals of an agent run exported into D1 over %s', (kind) => {
  it('stores duration metrics, logs, scores and feedback that aggregate, bucket and list', async () => {
    const storage = await h.freshStore(kind);
    const exporter = new MastraStorageExporter();
    const observability = new Observability({ configs: { default: { serviceName: 'd1-signals', exporters: [exporter] } } });
    const agent = new Agent({
      id: 'echo-agent',
      name: 'Echo Agent',
      instructions: 'Answer briefly.',
      model: createMockModel({ mockText: 'Hello from the mock model', version: 'v2' }) as never,
    });
    const mastra = new Mastra({ agents: { echo: agent }, storage, logger: false, observability });

    const result = await mastra.getAgent('echo').generate('Say hello');
    const traceId = result.traceId!;
    expect(traceId).toBeTruthy();
    observability.getDefaultInstance()!.getLoggerContext!().warn('disk almost full', { freeMb: 12 });
    await mastra.observability.addScore!({ traceId, score: { scorerId: 'relevance', score: 0.8, scoreSource: 'live', reason: 'on topic' } });
    await mastra.observability.addFeedback!({ traceId, feedback: { feedbackType: 'thumbs', value: 1, feedbackSource: 'user', comment: 'nice' } });
    await exporter.flush();

    const obs = (await storage.getStore('observability'))!;
    const name = ['mastra_agent_duration_ms'];
    const aggregate = await obs.getMetricAggregate({ name, aggregation: 'count' });
    expect(aggregate.value).toBe(1);
    const duration = await obs.getMetricAggregate({ name, aggregation: 'max' });
    expect(duration.value).toBeGreaterThanOrEqual(0);
    const series = await obs.getMetricTimeSeries({ name, interval: '1m', aggregation: 'count', groupBy: ['status'] });
    expect(series.series).toHaveLength(1);
    expect(series.series[0]!.name).toBe('ok');
    expect(series.series[0]!.points.every((p) => p.timestamp.getTime() % 60_000 === 0)).toBe(true);
    expect(series.series[0]!.points.reduce((sum, p) => sum + p.value, 0)).toBe(1);
    expect((await obs.getMetricNames({})).names).toContain('mastra_agent_duration_ms');

    expect((await obs.listLogs({ filters: { level: 'warn' } })).logs.map((l) => l.message)).toEqual(['disk almost full']);
    expect((await obs.listScores({ filters: { traceId } })).scores).toMatchObject([{ scorerId: 'relevance', score: 0.8, scoreSource: 'live', reason: 'on topic' }]);
    expect((await obs.listFeedback({ filters: { traceId } })).feedback).toMatchObject([{ feedbackType: 'thumbs', value: 1, comment: 'nice', reviewStatus: 'needs-review' }]);
    expect(await obs.getFeedbackAggregate({ feedbackType: 'thumbs', aggregation: 'sum' })).toEqual({ value: 1 });
  });
});
