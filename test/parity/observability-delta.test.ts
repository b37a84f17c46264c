import { SpanType } from '@mastra/core/observability';
import { InMemoryStore, type ObservabilityStorage } from '@mastra/core/storage';
import { beforeEach, describe, expect, it } from 'vitest';
import { useHarness } from '../support/harness';
import { agentTrace, at, comparable, span } from '../support/observability';
import { outcome } from '../support/parity';

// Delta polling of traces and branches against core's ObservabilityInMemory, the reference (LibSQLStore
// has no delta mode). The same writes and polls go to both stores, each polling with its own returned
// cursors. Cursor values are per-store counters (core's is shared by every stream), so they are compared
// normalized: each store's cursors are replaced by their rank among the cursors that store returned.

const h = useHarness();
let stores: { memory: ObservabilityStorage; d1: ObservabilityStorage };

beforeEach(async () => {
  const d1 = (await (await h.freshStore('binding')).getStore('observability'))!;
  stores = { memory: (await new InMemoryStore().getStore('observability'))!, d1 };
});

type Poll = { deltaCursor?: string } & Record<string, unknown>;
type Script = (obs: ObservabilityStorage, poll: (call: (after?: string) => Promise<Poll>, after?: string) => Promise<Poll>) => Promise<void>;

/** Runs `script` on both stores; every poll's rows and `delta` must agree, and so must the ranks of the cursors. */
async function sameSequence(script: Script) {
  const run = async (obs: ObservabilityStorage) => {
    const polls: unknown[] = [];
    const cursors: string[] = [];
    await script(obs, async (call, after) => {
      const result = await call(after);
      polls.push(comparable(result));
      cursors.push(result.deltaCursor!);
      return result;
    });
    const ranks = [...new Set(cursors.map(Number))].sort((a, b) => a - b);
    return { polls, cursors: cursors.map((c) => ranks.indexOf(Number(c))) };
  };
  const memory = await run(stores.memory);
  const d1 = await run(stores.d1);
  expect(d1).toEqual(memory);
  return d1;
}

const traceBatch = (id: string, start: number, extra = {}) => agentTrace(id, start, extra);

describe('observability delta polling parity with ObservabilityInMemory', () => {
  it('listTraces and listTracesLight: new traces once, in first-write order, through updates, late roots and limits', async () => {
    const { polls } = await sameSequence(async (obs, poll) => {
      await obs.batchCreateSpans({ records: traceBatch('old', 0) });
      const traces = (after?: string, limit?: number, filters?: object) => obs.listTraces({ mode: 'delta', after, limit, filters } as never) as never;
      const light = (after?: string) => obs.listTracesLight({ mode: 'delta', after, limit: 2 } as never) as never;
      const start = await poll(traces);
      const startLight = await poll(light);
      await obs.batchCreateSpans({ records: [agentTrace('late', 5)[1]!, ...traceBatch('a', 10, { userId: 'u1' }), ...traceBatch('b', 20)] });
      await obs.batchCreateSpans({ records: [agentTrace('late', 5)[0]!, ...traceBatch('c', 30, { userId: 'u1' })] });
      await obs.batchUpdateSpans({ records: [{ traceId: 'a', spanId: 'a-root', updates: { output: 'done' } }] });
      const one = await poll((after) => traces(after, 1), start.deltaCursor);
      const rest = await poll((after) => traces(after, 10), one.deltaCursor);
      await poll((after) => traces(after), rest.deltaCursor);
      await poll((after) => traces(after, 10, { userId: 'u1' }), start.deltaCursor);
      await poll((after) => traces(after, 10, { userId: 'nobody' }), start.deltaCursor);
      const l1 = await poll(light, startLight.deltaCursor);
      await poll(light, l1.deltaCursor);
    });
    expect((polls[2] as { spans: { traceId: string }[] }).spans.map((s) => s.traceId)).toEqual(['a']);
    expect((polls[3] as { spans: { traceId: string }[] }).spans.map((s) => s.traceId)).toEqual(['b', 'late', 'c']);
  });

  // Not compared: a `spanType` filter in delta mode, which core's in-memory store ignores (its delta path
  // skips the span-type check its page path makes); D1 applies it in both modes (conformance tests it).
  it('listBranches: anchor spans once, with filters and limits', async () => {
    await sameSequence(async (obs, poll) => {
      const branches = (after?: string, limit?: number, filters?: object) => obs.listBranches({ mode: 'delta', after, limit, filters } as never) as never;
      const start = await poll(branches);
      await obs.batchCreateSpans({ records: [...traceBatch('a', 0), ...traceBatch('b', 10)] });
      await obs.batchCreateSpans({ records: [span({ traceId: 'a', spanId: 'wf', parentSpanId: 'a-root', spanType: SpanType.WORKFLOW_RUN, startedAt: at(3) }), traceBatch('a', 0)[2]!] });
      const page = await poll((after) => branches(after, 3), start.deltaCursor);
      await poll((after) => branches(after, 10), page.deltaCursor);
      await poll((after) => branches(after, 10, { traceId: 'b' }), start.deltaCursor);
    });
  });

  it('deletes: a poll after a delete returns nothing old and no duplicate; a re-created trace is new', async () => {
    await sameSequence(async (obs, poll) => {
      const traces = (after?: string) => obs.listTraces({ mode: 'delta', after } as never) as never;
      const branches = (after?: string) => obs.listBranches({ mode: 'delta', after } as never) as never;
      await obs.batchCreateSpans({ records: [...traceBatch('a', 0), ...traceBatch('b', 10)] });
      const start = await poll(traces);
      const startBranches = await poll(branches);
      await obs.batchDeleteTraces({ traceIds: ['b'] });
      const afterDelete = await poll(traces, start.deltaCursor);
      await obs.batchCreateSpans({ records: [...traceBatch('c', 20), ...traceBatch('b', 30)] });
      const next = await poll(traces, afterDelete.deltaCursor);
      await poll(traces, next.deltaCursor);
      await poll(branches, startBranches.deltaCursor);
    });
  });

  it('bad cursors are refused alike', async () => {
    for (const after of ['x', '-1', '1.5']) {
      const memory = await outcome(() => stores.memory.listTraces({ mode: 'delta', after } as never));
      const d1 = await outcome(() => stores.d1.listTraces({ mode: 'delta', after } as never));
      expect(d1).toEqual(memory);
    }
  });
});
