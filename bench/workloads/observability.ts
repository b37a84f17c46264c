/** Tracing spans as MastraStorageExporter writes them and Studio reads them. */
import type { CreateSpanRecord } from '@mastra/core/storage';
import { spans } from '../data';
import type { Subject } from '../subjects';
import { expectCount, workload, type Workload } from '../workload';

const observability = (s: Subject) => s.domain('observability');

/** 50 traces of 10 spans. */
async function seedTraces(s: Subject): Promise<CreateSpanRecord[]> {
  const records = spans(50, 10);
  await (await observability(s)).batchCreateSpans({ records });
  return records;
}

export const observabilityWorkloads: Workload[] = [
  workload<void, CreateSpanRecord[]>({
    group: 'observability',
    name: 'batchCreateSpans of 200',
    floor: 1,
    before: async (_s, _shared, rep) => spans(20, 10, `b${rep}-`),
    run: async (s, _shared, records) => (await observability(s)).batchCreateSpans({ records }),
  }),
  workload({
    group: 'observability',
    name: 'listTraces: page of 20 of 50',
    floor: 1,
    setup: seedTraces,
    run: async (s) => (await observability(s)).listTraces({ pagination: { page: 0, perPage: 20 } }),
    check: (r) => expectCount('traces', (r as { spans?: unknown[] }).spans?.length, 20),
  }),
  workload<CreateSpanRecord[]>({
    group: 'observability',
    name: 'getTrace (10 spans)',
    floor: 1,
    setup: seedTraces,
    run: async (s, records) => (await observability(s)).getTrace({ traceId: records[0]!.traceId }),
    check: (r) => expectCount('spans', (r as { spans?: unknown[] } | null)?.spans?.length, 10),
  }),
];
