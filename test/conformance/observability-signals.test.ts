import { ErrorCategory } from '@mastra/core/error';
import type { ObservabilityStorage } from '@mastra/core/storage';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';
import { faultyD1 } from '../support/faults';
import { agentTrace, at } from '../support/observability';
import { failure, userFailure } from '../reliability/assertions';

// D1-side behaviour of the signal tables: idempotent exporter retries, one round trip per batch, delta
// cursors that survive deletes, bad input refused with nothing written, tenant-scoped deletes.

const metric = (i: number, extra: Record<string, unknown> = {}) => ({
  metricId: `m${i}`,
  timestamp: at(i),
  name: 'mastra_agent_duration_ms',
  value: i,
  traceId: `t${i % 2}`,
  labels: { status: 'ok' },
  ...extra,
});
const log = (i: number, extra: Record<string, unknown> = {}) => ({ logId: `l${i}`, timestamp: at(i), level: 'info', message: `m${i}`, traceId: `t${i % 2}`, ...extra });

const metricIds = async (obs: ObservabilityStorage) => (await obs.listMetrics({ pagination: { page: 0, perPage: 100 }, orderBy: { field: 'timestamp', direction: 'ASC' } })).metrics.map((m) => m.metricId);

describeConformance('observability', 'Observability signals', ({ it, domain, store, h, kind }) => {
  it('a whole exporter batch is one round trip, and a retried batch writes nothing twice', async () => {
    const d1 = faultyD1(h.d1.db);
    const obs = (await (await store({ binding: d1.db })).getStore('observability'))!;
    const big = Array.from({ length: 1000 }, (_, i) => metric(i, { metadata: { pad: 'x'.repeat(3000) } }));
    d1.mark();
    await obs.batchCreateMetrics({ metrics: big as never });
    expect(d1.since().roundTrips).toBe(1);
    expect(d1.since().statements).toBeGreaterThan(1);
    await obs.batchCreateMetrics({ metrics: big.slice(0, 10) as never });
    expect((await obs.listMetrics({})).pagination!.total).toBe(1000);
    expect(d1.violations).toEqual([]);
  }, { rest: 'round trips are counted on the binding wrapper', custom: 'round trips are counted on the binding wrapper' });

  it('stores every field and reads it back; retries keep the first write', async () => {
    const obs = await domain();
    const full = metric(1, { provider: 'p', model: 'm', estimatedCost: 0.5, costUnit: 'usd', costMetadata: { a: [1, 'é'] }, tags: ['x'], scope: { s: 1 }, metadata: { q: '"' } });
    await obs.batchCreateMetrics({ metrics: [full, { ...full, value: 99 }] as never });
    await obs.batchCreateMetrics({ metrics: [{ ...full, value: 100 }] as never });
    expect((await obs.listMetrics({})).metrics).toEqual([full]);
    await obs.createFeedback({ feedback: { feedbackId: 'f', timestamp: at(1), feedbackType: 'rating', value: '4', userId: 'u' } as never });
    const [fb] = (await obs.listFeedback({})).feedback;
    expect(fb).toMatchObject({ value: '4', feedbackSource: '', source: '', feedbackUserId: 'u', reviewStatus: 'needs-review' });
  });

  it('delta cursors are never reused after the newest rows are deleted', async () => {
    const obs = await domain();
    await obs.batchCreateLogs({ logs: [log(1), log(2), log(3)] as never });
    const before = await obs.listLogs({ mode: 'delta' } as never);
    await obs.batchDeleteTraces({ traceIds: ['t1'] });
    await obs.batchCreateLogs({ logs: [log(4, { traceId: 'x' })] as never });
    const polled = await obs.listLogs({ mode: 'delta', after: before.deltaCursor } as never);
    expect(polled.logs.map((l) => l.logId)).toEqual(['l4']);
    expect(Number(polled.deltaCursor)).toBeGreaterThan(Number(before.deltaCursor));
    expect((await failure(obs.listLogs({ mode: 'delta', after: '-1' } as never))).category).toBe(ErrorCategory.USER);
  });

  it('bad records are USER errors naming the field, and nothing of the batch is written', async () => {
    const obs = await domain();
    await userFailure(obs.batchCreateMetrics({ metrics: [metric(1), metric(2, { timestamp: undefined })] as never }), 'timestamp');
    await userFailure(obs.batchCreateMetrics({ metrics: [metric(1), metric(3, { metricId: undefined })] as never }), 'metricId');
    await userFailure(obs.batchCreateLogs({ logs: [log(1), log(2, { metadata: { big: 'x'.repeat(2_000_001) } })] as never }), 'l2');
    await userFailure(obs.batchCreateScores({ scores: [{ scoreId: 's', timestamp: at(1), scorerId: 'x', score: Number.NaN }] as never }), 'score');
    await userFailure(obs.batchCreateFeedback({ feedbacks: 'nope' as never }), 'records');
    expect(await metricIds(obs)).toEqual([]);
    expect((await obs.listLogs({})).logs).toEqual([]);
  });

  it('batchDeleteTraces removes spans and linked signals in one batch, within the tenant scope', async () => {
    const d1 = kind === 'binding' ? faultyD1(h.d1.db) : undefined;
    const obs = (await (await store(d1 ? { binding: d1.db } : {})).getStore('observability'))!;
    await obs.batchCreateSpans({ records: [...agentTrace('t0', 0, { resourceId: 'r0' }), ...agentTrace('t1', 20, { resourceId: 'r1' })] });
    await obs.batchCreateMetrics({ metrics: [metric(0, { resourceId: 'r0' }), metric(1, { resourceId: 'r1' }), metric(3, { resourceId: 'r0' })] as never });
    await obs.batchCreateScores({ scores: [{ scoreId: 's', timestamp: at(1), scorerId: 'x', score: 1, traceId: 't1', resourceId: 'r1' }] as never });
    d1?.mark();
    await obs.batchDeleteTraces({ traceIds: ['t0', 't1'], resourceId: 'r1' });
    if (d1) expect(d1.since().roundTrips).toBe(1);
    expect(await obs.getTrace({ traceId: 't1' })).toBeNull();
    expect(await obs.getTrace({ traceId: 't0' })).not.toBeNull();
    expect(await metricIds(obs)).toEqual(['m0', 'm3']);
    expect(await obs.getScoreById('s')).toBeNull();
  });

  it('lists page with totals, and prefixes do not see each other', async () => {
    const obs = await domain();
    const other = await domain();
    await obs.batchCreateMetrics({ metrics: Array.from({ length: 25 }, (_, i) => metric(i)) as never });
    const page = await obs.listMetrics({ pagination: { page: 2, perPage: 10 } });
    expect(page.pagination).toEqual({ total: 25, page: 2, perPage: 10, hasMore: false });
    expect(page.metrics.map((m) => m.metricId)).toEqual(['m4', 'm3', 'm2', 'm1', 'm0']);
    expect((await other.listMetrics({})).pagination!.total).toBe(0);
    expect(await other.getMetricNames({})).toEqual({ names: [] });
  });

  it('prune() ages out each signal table by its timestamp, under its own policy key', async () => {
    const obs = (await domain()) as ObservabilityStorage & { prune: (policies: object) => Promise<{ table: string; deleted: number }[]> };
    const day = 86_400_000;
    const old = new Date(Date.now() - 40 * day);
    const recent = new Date(Date.now() - day);
    await obs.batchCreateMetrics({ metrics: [metric(1, { timestamp: old }), metric(2, { timestamp: recent })] as never });
    await obs.batchCreateLogs({ logs: [log(1, { timestamp: old }), log(2, { timestamp: old }), log(3, { timestamp: recent })] as never });
    await obs.batchCreateScores({ scores: [{ scoreId: 's1', timestamp: old, scorerId: 'x', score: 1 }] as never });
    await obs.batchCreateFeedback({ feedbacks: [{ feedbackId: 'f1', timestamp: old, feedbackType: 't', value: 1 }] as never });
    const results = await obs.prune({ metrics: { maxAge: '30d' }, logs: { maxAge: '30d' }, scores: { maxAge: '60d' } });
    expect(results.map((r) => [r.table.replace(/^.*?mastra_/, 'mastra_'), r.deleted])).toEqual([
      ['mastra_metric_events', 1],
      ['mastra_log_events', 2],
      ['mastra_score_events', 0],
    ]);
    expect(await metricIds(obs)).toEqual(['m2']);
    expect((await obs.listLogs({})).logs.map((l) => l.logId)).toEqual(['l3']);
    expect((await obs.listFeedback({})).feedback).toHaveLength(1);
    await userFailure(obs.prune({ metrics: { maxAge: 'soon' } }), 'maxAge');
  });
});
