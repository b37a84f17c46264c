import { Agent } from '@mastra/core/agent';
import { Mastra } from '@mastra/core/mastra';
import { createMockModel } from '@mastra/core/test-utils/llm-mock';
import { parseTraceQueryRequest, planTraceQuery, traceQueryTraceResponseSchema } from '@mastra/core/storage';
import { MastraStorageExporter, Observability } from '@mastra/observability';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../support/harness';

const h = useHarness();

describe.each(['binding', 'rest'] as const)('Studio trace list over %s', (kind) => {
  it('finds the traces of an agent run with queryTraces, as the Traces page asks for them', async () => {
    const storage = await h.freshStore(kind);
    const exporter = new MastraStorageExporter();
    const echo = new Agent({
      id: 'echo-agent',
      name: 'Echo Agent',
      instructions: 'Answer briefly.',
      model: createMockModel({ mockText: 'Hello from the mock model', version: 'v2' }) as never,
    });
    const mastra = new Mastra({
      agents: { echo },
      storage,
      logger: false,
      observability: new Observability({ configs: { default: { serviceName: 'd1-trace-query', exporters: [exporter] } } }),
    });
    await mastra.getAgent('echo').generate('Say hello', { memory: { thread: 'thread-1', resource: 'user-1' } } as never);
    await mastra.getAgent('echo').generate('Say hello again');
    await exporter.flush();

    const obs = (await storage.getStore('observability'))!;
    expect(obs.getFeatures()).toContain('trace-query');
    const now = Date.now();
    const timeRange = { from: new Date(now - 3_600_000).toISOString(), to: new Date(now + 60_000).toISOString() };
    // Studio's request: newest first, 25 a page; the server plans it with core's planner.
    const query = (where?: unknown) =>
      obs.queryTraces(planTraceQuery(parseTraceQueryRequest({ timeRange, where, orderBy: [{ field: 'startedAt', direction: 'desc' }], page: { limit: 25 } })));

    const all = traceQueryTraceResponseSchema.parse(await query());
    expect(all.traces).toHaveLength(2);
    expect(all.traces.every((t) => t.entityName === 'Echo Agent' && t.status === 'success')).toBe(true);
    expect(all.traces[1]!.inputPreview).toContain('Say hello');

    const withModel = traceQueryTraceResponseSchema.parse(await query({ spans: { some: { op: 'eq', left: { path: 'spanType' }, right: { literal: 'model_generation' } } } }));
    expect(withModel.traces.map((t) => t.traceId).sort()).toEqual(all.traces.map((t) => t.traceId).sort());
    const inThread = traceQueryTraceResponseSchema.parse(await query({ op: 'eq', left: { path: 'threadId' }, right: { literal: 'thread-1' } }));
    expect(inThread.traces.map((t) => t.threadId)).toEqual(['thread-1']);
    await mastra.shutdown();
  });
});
