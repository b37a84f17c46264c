import type { MemoryStorage, WorkflowsStorage } from '@mastra/core/storage';
import type { StepResult } from '@mastra/core/workflows';
import { describe, expect, it } from 'vitest';
import { newMessages, newSnapshot, newThread, uid } from './builders';
import { verified } from './figures';
import { ATOMIC_KINDS, useRig, type AtomicKind } from './rig';
import { settle } from './sweep';

const rig = useRig(import.meta.url);

/** Two stores on one prefix, as two Workers (or a Worker and a Node process) would be. */
async function twoStores(kind: AtomicKind) {
  const first = await rig.open(kind);
  const other: AtomicKind = kind === 'binding' ? 'rest' : 'binding';
  const second = rig.store(other, { tablePrefix: first.prefix });
  return { first, stores: [first.store, second] as const };
}

const stepResult = (i: number): StepResult<unknown, unknown, unknown, unknown> =>
  ({ status: 'success', output: { step: i }, payload: {}, startedAt: 1_000 + i, endedAt: 2_000 + i }) as StepResult<unknown, unknown, unknown, unknown>;

describe.each(ATOMIC_KINDS)('concurrency on %s', (kind) => {
  it('50 concurrent saveMessages on one thread, from two stores: every message present once', async () => {
    const { first, stores } = await twoStores(kind);
    const memories = await Promise.all(stores.map(async (s) => (await s.getStore('memory'))!));
    const thread = await memories[0]!.saveThread({ thread: newThread() });
    const batches = Array.from({ length: 50 }, () => newMessages(thread, 3));
    await Promise.all(batches.map((messages, i) => memories[i % 2]!.saveMessages({ messages })));
    const { messages, total } = await memories[0]!.listMessages({ threadId: thread.id, perPage: false });
    expect(total).toBe(150);
    expect(new Set(messages.map((m) => m.id))).toEqual(new Set(batches.flat().map((m) => m.id)));
    expect(await first.count('mastra_messages', 'thread_id = ?', thread.id)).toBe(150);
    verified(150);
  });

  it('20 concurrent updateWorkflowResults on one run, from two stores: all 20 results kept', async () => {
    const { stores } = await twoStores(kind);
    const workflows = await Promise.all(stores.map(async (s) => (await s.getStore('workflows'))!));
    const runId = uid('run');
    await workflows[0]!.persistWorkflowSnapshot({ workflowName: 'wf', runId, snapshot: newSnapshot(runId, 'running') });
    const returned = await Promise.all(
      Array.from({ length: 20 }, (_, i) => workflows[i % 2]!.updateWorkflowResults({ workflowName: 'wf', runId, stepId: `step${i}`, result: stepResult(i), requestContext: {} })),
    );
    returned.forEach((context, i) => expect(context[`step${i}`]).toMatchObject({ status: 'success', output: { step: i } }));
    const snapshot = await workflows[0]!.loadWorkflowSnapshot({ workflowName: 'wf', runId });
    for (let i = 0; i < 20; i++) expect(snapshot!.context[`step${i}`]).toMatchObject({ output: { step: i } });
    expect(snapshot!.context.input).toEqual({ start: true });
    verified(20);
  });

  it('20 concurrent updateWorkflowResults on a run with no snapshot yet: all 20 kept', async () => {
    const { stores } = await twoStores(kind);
    const workflows = await Promise.all(stores.map(async (s) => (await s.getStore('workflows'))!));
    const runId = uid('run');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => workflows[i % 2]!.updateWorkflowResults({ workflowName: 'wf', runId, stepId: `step${i}`, result: stepResult(i), requestContext: {} })),
    );
    const snapshot = await workflows[1]!.loadWorkflowSnapshot({ workflowName: 'wf', runId });
    expect(Object.keys(snapshot!.context).filter((k) => k.startsWith('step')).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `step${i}`).sort());
    verified(20);
  });

  it('two concurrent compare-and-set resumes, from two stores: exactly one wins, 10 rounds', async () => {
    const { stores } = await twoStores(kind);
    const workflows = await Promise.all(stores.map(async (s) => (await s.getStore('workflows'))!));
    for (let round = 0; round < 10; round++) {
      const runId = uid('run');
      await workflows[0]!.persistWorkflowSnapshot({ workflowName: 'wf', runId, snapshot: newSnapshot(runId, 'suspended') });
      const claims = await Promise.all(
        workflows.map((w, i) => w.updateWorkflowState({ workflowName: 'wf', runId, opts: { status: 'running', expectedStatus: 'suspended', result: { status: 'success', output: { winner: i } } as never } })),
      );
      const winners = claims.filter((c) => c !== undefined);
      expect(winners, `round ${round}`).toHaveLength(1);
      expect(winners[0]!.status).toBe('running');
      const stored = await workflows[1]!.loadWorkflowSnapshot({ workflowName: 'wf', runId });
      expect(stored!.status).toBe('running');
      verified(1);
    }
  });

  it('10 concurrent updateThreadMetadata from two stores: no resolved update is lost', async () => {
    const { stores } = await twoStores(kind);
    const memories = await Promise.all(stores.map(async (s) => (await s.getStore('memory'))!));
    const thread = await memories[0]!.saveThread({ thread: newThread({ metadata: { base: true } }) });
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        settle(memories[i % 2]!.updateThreadMetadata({ id: thread.id, update: (current) => ({ [`k${i}`]: i, seen: Object.keys(current.metadata ?? {}).length }) })),
      ),
    );
    const resolved = outcomes.map((o, i) => (o.outcome === 'resolved' ? i : -1)).filter((i) => i >= 0);
    expect(resolved.length).toBeGreaterThanOrEqual(8);
    const stored = await memories[1]!.getThreadById({ threadId: thread.id });
    for (const i of resolved) expect(stored!.metadata).toHaveProperty(`k${i}`, i);
    expect(stored!.metadata).toHaveProperty('base', true);
    verified(resolved.length);
  });

  it('two concurrent cloneThread calls to one new id, from two stores: one clone, its messages once', async () => {
    const { first, stores } = await twoStores(kind);
    const memories = await Promise.all(stores.map(async (s) => (await s.getStore('memory'))!));
    for (let round = 0; round < 5; round++) {
      const source = await memories[0]!.saveThread({ thread: newThread() });
      await memories[0]!.saveMessages({ messages: newMessages(source, 12) });
      const newThreadId = uid('clone');
      const outcomes = await Promise.all(memories.map((m) => settle(m.cloneThread({ sourceThreadId: source.id, newThreadId }))));
      expect(outcomes.filter((o) => o.outcome === 'resolved'), `round ${round}`).toHaveLength(1);
      expect(await first.count('mastra_threads', 'id = ?', newThreadId)).toBe(1);
      expect(await first.count('mastra_messages', 'thread_id = ?', newThreadId)).toBe(12);
      verified(13);
    }
  });

  it('concurrent updateThread of title and of metadata do not clobber each other', async () => {
    const { stores } = await twoStores(kind);
    const memories = await Promise.all(stores.map(async (s) => (await s.getStore('memory'))!));
    const thread = await memories[0]!.saveThread({ thread: newThread({ title: 'old', metadata: { a: 1 } }) });
    await Promise.all([
      memories[0]!.updateThread({ id: thread.id, title: 'new title' }),
      memories[1]!.updateThread({ id: thread.id, metadata: { b: 2 } }),
    ]);
    const stored = (await memories[0]!.getThreadById({ threadId: thread.id }))!;
    expect(stored.title).toBe('new title');
    expect(stored.metadata).toMatchObject({ b: 2 });
  });
});
