import { Agent } from '@mastra/core/agent';
import { Mastra } from '@mastra/core/mastra';
import { SpanType } from '@mastra/core/observability';
import { createMockModel } from '@mastra/core/test-utils/llm-mock';
import { MastraStorageExporter, Observability } from '@mastra/observability';
import { describe, expect, it } from 'vitest';
import { faultyD1 } from '../support/faults';
import { useHarness } from '../support/harness';

const h = useHarness();

describe.each(['binding', 'rest'] as const)('an agent run traced into D1 over %s', (kind) => {
  it('is stored by @mastra/observability and read back with listTraces and getTrace', async () => {
    const d1 = faultyD1(h.d1.db);
    const storage = await h.freshStore(kind, kind === 'binding' ? { binding: d1.db } : {});
    const exporter = new MastraStorageExporter();
    const agent = new Agent({
      id: 'echo-agent',
      name: 'Echo Agent',
      instructions: 'Answer briefly.',
      model: createMockModel({ mockText: 'Hello from the mock model', version: 'v2' }) as never,
    });
    const mastra = new Mastra({
      agents: { echo: agent },
      storage,
      logger: false,
      observability: new Observability({ configs: { default: { serviceName: 'd1-integration', exporters: [exporter] } } }),
    });

    const result = await mastra.getAgent('echo').generate('Say hello');
    expect(result.text).toBe('Hello from the mock model');
    d1.mark();
    await exporter.flush();
    if (kind === 'binding') {
      // The exporter's flush: one batchCreateSpans, the batchUpdateSpans calls and one batchCreateMetrics, one statement each.
      const { roundTrips, statements } = d1.since();
      expect(roundTrips).toBeLessThanOrEqual(4);
      expect(statements).toBe(roundTrips);
    }

    const obs = (await storage.getStore('observability'))!;
    const list = await obs.listTraces({ filters: { entityName: 'Echo Agent' } });
    expect(list.pagination).toMatchObject({ total: 1, page: 0 });
    const root = list.spans[0]!;
    expect(root).toMatchObject({ spanType: SpanType.AGENT_RUN, entityId: 'echo-agent', parentSpanId: null, status: 'success' });
    expect(root.endedAt).toBeInstanceOf(Date);

    const trace = (await obs.getTrace({ traceId: root.traceId }))!;
    expect(trace.spans.length).toBeGreaterThan(1);
    expect(trace.spans[0]!.spanId).toBe(root.spanId);
    const model = trace.spans.find((s) => s.spanType === SpanType.MODEL_GENERATION);
    expect(model?.parentSpanId).toBe(root.spanId);
    expect(JSON.stringify(root.output)).toContain('Hello from the mock model');
    expect(trace.spans.every((s) => s.traceId === root.traceId && s.endedAt instanceof Date)).toBe(true);

    const structure = (await obs.getStructure({ traceId: root.traceId }))!;
    expect(structure.spans.map((s) => s.spanId)).toEqual(trace.spans.map((s) => s.spanId));
    await mastra.shutdown();
  });
});
