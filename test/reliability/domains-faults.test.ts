import { SpanType } from '@mastra/core/observability';
import type { StepResult } from '@mastra/core/workflows';
import { describe, expect, it } from 'vitest';
import { scorePayload } from '../conformance/scores-fixtures';
import { PERMANENT_D1_MESSAGES, TRANSIENT_D1_MESSAGES } from '../support/faults';
import { at, span } from '../support/observability';
import { failure } from './assertions';
import { newMessages, newSnapshot, newThread, uid } from './builders';
import { verified } from './figures';
import { ATOMIC_KINDS, useRig } from './rig';
import { settle, sweepRead, sweepStatements } from './sweep';

const rig = useRig(import.meta.url);

const spansOf = (traceId: string, count: number) =>
  Array.from({ length: count }, (_, i) =>
    span({ traceId, spanId: `${traceId}-s${i}`, parentSpanId: i === 0 ? null : `${traceId}-s0`, spanType: i === 0 ? SpanType.AGENT_RUN : SpanType.GENERIC, startedAt: at(i), attributes: { i, note: 'x'.repeat(i % 5) } }),
  );

describe.each(ATOMIC_KINDS)('workflows, scores and observability under faults on %s', (kind) => {
  const s = rig.useDomains(kind);
  const spanCount = (traceId: string) => s.count('mastra_ai_spans', '"traceId" = ?', traceId);

  it('batchCreateSpans of 150 spans: a failure at any statement creates all or none', async () => {
    await sweepStatements(rig, {
      setup: async () => uid('trace'),
      act: (traceId) => s.observability.batchCreateSpans({ records: spansOf(traceId, 150) }),
      check: async (traceId, outcome) => {
        expect(await spanCount(traceId)).toBe(outcome === 'resolved' ? 150 : 0);
        verified(150);
      },
    });
  });

  it('batchUpdateSpans of 40 spans: a failure at any statement updates all or none', async () => {
    await sweepStatements(rig, {
      setup: async () => {
        const traceId = uid('trace');
        await s.observability.batchCreateSpans({ records: spansOf(traceId, 40) });
        return traceId;
      },
      act: (traceId) =>
        s.observability.batchUpdateSpans({
          records: Array.from({ length: 40 }, (_, i) => ({ traceId, spanId: `${traceId}-s${i}`, updates: { endedAt: at(100 + i), output: { done: i } } })),
        }),
      check: async (traceId, outcome) => {
        const ended = await s.count('mastra_ai_spans', '"traceId" = ? AND "endedAt" IS NOT NULL', traceId);
        expect(ended).toBe(outcome === 'resolved' ? 40 : 0);
        verified(40);
      },
    });
  });

  it('batchDeleteTraces of 5 traces: a failure at any statement deletes all or none', async () => {
    await sweepStatements(rig, {
      setup: async () => {
        const traceIds = Array.from({ length: 5 }, () => uid('trace'));
        await s.observability.batchCreateSpans({ records: traceIds.flatMap((t) => spansOf(t, 6)) });
        return traceIds;
      },
      act: (traceIds) => s.observability.batchDeleteTraces({ traceIds }),
      check: async (traceIds, outcome) => {
        const left = await Promise.all(traceIds.map(spanCount));
        expect(left).toEqual(traceIds.map(() => (outcome === 'resolved' ? 0 : 6)));
        verified(30);
      },
    });
  });

  it('reads of traces, runs and scores: a failure at any statement throws, never a short answer', async () => {
    const traceId = uid('trace');
    await s.observability.batchCreateSpans({ records: spansOf(traceId, 12) });
    const runId = uid('run');
    await s.workflows.persistWorkflowSnapshot({ workflowName: 'wf-read', runId, snapshot: newSnapshot(runId) });
    await s.scores.saveScore(scorePayload({ runId }));
    const reads = [
      () => s.observability.getTrace({ traceId }),
      () => s.observability.listTraces({ pagination: { page: 0, perPage: 3 } }),
      () => s.workflows.listWorkflowRuns({ workflowName: 'wf-read', perPage: 5, page: 0 }),
      () => s.scores.listScoresByRunId({ runId, pagination: { page: 0, perPage: 5 } }),
    ];
    for (const read of reads) await sweepRead(rig, read);
  });

  it('updateWorkflowResults and persistWorkflowSnapshot are retried on transient errors and keep each result once', async () => {
    for (const message of TRANSIENT_D1_MESSAGES) {
      for (const afterExecute of [false, true]) {
        const runId = uid('run');
        rig.faults.arm({ roundTrip: 1, message, afterExecute });
        await s.workflows.persistWorkflowSnapshot({ workflowName: 'wf', runId, snapshot: newSnapshot(runId, 'running') });
        expect(rig.faults.fired).toBe(true);
        rig.faults.arm({ roundTrip: 1, message, afterExecute });
        const result = { status: 'success', output: { n: 1 }, payload: {}, startedAt: 1, endedAt: 2 } as StepResult<unknown, unknown, unknown, unknown>;
        const context = await s.workflows.updateWorkflowResults({ workflowName: 'wf', runId, stepId: 'only', result, requestContext: {} });
        expect(context.only).toMatchObject({ output: { n: 1 } });
        expect(await s.count('mastra_workflow_snapshot', 'run_id = ?', runId)).toBe(1);
        const { runs } = await s.workflows.listWorkflowRuns({ workflowName: 'wf' });
        expect(runs.filter((r) => r.runId === runId)).toHaveLength(1);
        verified(1);
      }
    }
  });

  it('a compare-and-set whose reply is lost is not repeated: it fails once and a second claim loses', async () => {
    const runId = uid('run');
    await s.workflows.persistWorkflowSnapshot({ workflowName: 'wf', runId, snapshot: newSnapshot(runId, 'suspended') });
    rig.faults.arm({ roundTrip: 1, message: TRANSIENT_D1_MESSAGES[0], afterExecute: true });
    const claim = () => s.workflows.updateWorkflowState({ workflowName: 'wf', runId, opts: { status: 'running', expectedStatus: 'suspended' } });
    const first = await settle(claim());
    expect(rig.faults.since().roundTrips).toBe(1);
    expect(first.outcome).toBe('rejected');
    expect(await claim()).toBeUndefined();
    expect((await s.workflows.loadWorkflowSnapshot({ workflowName: 'wf', runId }))!.status).toBe('running');
  });

  it('a compare-and-set that failed before reaching D1 leaves the run claimable', async () => {
    const runId = uid('run');
    await s.workflows.persistWorkflowSnapshot({ workflowName: 'wf', runId, snapshot: newSnapshot(runId, 'suspended') });
    rig.faults.arm({ roundTrip: 1, message: TRANSIENT_D1_MESSAGES[3] });
    const claim = () => s.workflows.updateWorkflowState({ workflowName: 'wf', runId, opts: { status: 'running', expectedStatus: 'suspended' } });
    await failure(claim());
    expect((await claim())!.status).toBe('running');
  });

  it('saveScore and createSpan retried after a lost reply store one row each', async () => {
    for (const message of TRANSIENT_D1_MESSAGES) {
      const runId = uid('run');
      rig.faults.arm({ roundTrip: 1, message, afterExecute: true });
      await s.scores.saveScore(scorePayload({ runId }));
      expect(await s.count('mastra_scorers', '"runId" = ?', runId)).toBe(1);
      const traceId = uid('trace');
      rig.faults.arm({ roundTrip: 1, message, afterExecute: true });
      await s.observability.createSpan({ span: span({ traceId, spanId: 'root' }) });
      expect(await spanCount(traceId)).toBe(1);
      verified(2);
    }
  });

  it.each(PERMANENT_D1_MESSAGES)('writes throw "%s" after one attempt', async (message) => {
    const writes: (() => Promise<unknown>)[] = [
      () => s.workflows.persistWorkflowSnapshot({ workflowName: 'wf', runId: uid('run'), snapshot: newSnapshot('x') }),
      () => s.scores.saveScore(scorePayload({ runId: uid('run') })),
      () => s.observability.batchCreateSpans({ records: spansOf(uid('trace'), 3) }),
      () => s.memory.saveThread({ thread: newThread() }),
    ];
    for (const write of writes) {
      rig.faults.arm({ roundTrip: 1, message, repeat: 3 });
      await failure(write());
      expect(rig.faults.since().roundTrips).toBe(1);
    }
  });

  describe('a failing read throws instead of returning null or []', () => {
    const reads: [string, () => Promise<unknown>][] = [
      ['loadWorkflowSnapshot', () => s.workflows.loadWorkflowSnapshot({ workflowName: 'wf', runId: 'x' })],
      ['getWorkflowRunById', () => s.workflows.getWorkflowRunById({ runId: 'x' })],
      ['listWorkflowRuns', () => s.workflows.listWorkflowRuns({ workflowName: 'wf' })],
      ['getScoreById', () => s.scores.getScoreById({ id: 'x' })],
      ['listScoresByRunId', () => s.scores.listScoresByRunId({ runId: 'x', pagination: { page: 0, perPage: 10 } })],
      ['listScoresByScorerId', () => s.scores.listScoresByScorerId({ scorerId: 'x', pagination: { page: 0, perPage: 10 } })],
      ['getSpan', () => s.observability.getSpan({ traceId: 'x', spanId: 'y' })],
      ['getTrace', () => s.observability.getTrace({ traceId: 'x' })],
      ['listTraces', () => s.observability.listTraces({})],
      ['getObservationalMemory', () => s.memory.getObservationalMemory('x', 'r')],
    ];
    it.each(reads)('%s', async (_name, read) => {
      rig.faults.arm({ roundTrip: 1, message: PERMANENT_D1_MESSAGES[1], repeat: 5 });
      await failure(read());
      rig.faults.arm({ roundTrip: 1 });
      await failure(read());
    });
  });
});

describe('REST: a 500 after the write applied never duplicates', () => {
  const s = rig.useDomains('rest');
  const serverError = { status: 500, body: JSON.stringify({ success: false, errors: [{ code: 7500, message: 'Internal error' }] }), afterExecute: true };

  it('saveMessages, saveScore, batchCreateSpans, persistWorkflowSnapshot: retried, one copy each', async () => {
    const thread = await s.memory.saveThread({ thread: newThread() });
    const messages = newMessages(thread, 30);
    const runId = uid('run');
    const traceId = uid('trace');

    for (const write of [
      () => s.memory.saveMessages({ messages }),
      () => s.scores.saveScore(scorePayload({ runId })),
      () => s.observability.batchCreateSpans({ records: spansOf(traceId, 20) }),
      () => s.workflows.persistWorkflowSnapshot({ workflowName: 'wf', runId, snapshot: newSnapshot(runId) }),
    ]) {
      const before = rig.emulator.requests.length;
      rig.emulator.queueFault(serverError);
      await write();
      expect(rig.emulator.requests.length - before).toBe(2);
    }
    expect(await s.count('mastra_messages', 'thread_id = ?', thread.id)).toBe(30);
    expect(await s.count('mastra_scorers', '"runId" = ?', runId)).toBe(1);
    expect(await s.count('mastra_ai_spans', '"traceId" = ?', traceId)).toBe(20);
    expect(await s.count('mastra_workflow_snapshot', 'run_id = ?', runId)).toBe(1);
    verified(52);
  });

  it('a hang, a malformed body after the write, and a wrong token: a clear error each, never a duplicate', async () => {
    const thread = await s.memory.saveThread({ thread: newThread() });
    const batches = [newMessages(thread, 5), newMessages(thread, 5), newMessages(thread, 5)];
    const memoryWith = async (options: Record<string, unknown>) => (await rig.store('rest', { tablePrefix: s.prefix, ...options }).getStore('memory'))!;

    rig.emulator.queueFault({ hang: true });
    const started = Date.now();
    const hung = await failure((await memoryWith({ timeoutMs: 300 })).saveMessages({ messages: batches[0]! }));
    expect(hung.message).toMatch(/timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);

    let before = rig.emulator.requests.length;
    rig.emulator.queueFault({ status: 200, body: '{"success":true,"result":"nope"}', afterExecute: true });
    expect((await failure(s.memory.saveMessages({ messages: batches[1]! }))).message).toMatch(/malformed response body/);
    expect(rig.emulator.requests.length - before).toBe(1);

    before = rig.emulator.requests.length;
    const refused = await failure((await memoryWith({ apiToken: 'not-the-token' })).saveMessages({ messages: batches[2]! }));
    expect(refused.message).toMatch(/refused the credentials/);
    expect(rig.emulator.requests.length - before).toBe(0);

    const stored = (await s.memory.listMessages({ threadId: thread.id, perPage: false })).messages.map((m) => m.id);
    expect(stored).toEqual(batches[1]!.map((m) => m.id));
    verified(15);
  });

  it('a 429 then a 500 then success: one copy', async () => {
    const thread = await s.memory.saveThread({ thread: newThread() });
    const messages = newMessages(thread, 10);
    rig.emulator.queueFault({ status: 429, headers: { 'retry-after': '0' }, body: '{"success":false,"errors":[{"code":971,"message":"throttled"}]}' }, serverError);
    await s.memory.saveMessages({ messages });
    const { total } = await s.memory.listMessages({ threadId: thread.id });
    expect(total).toBe(10);
  });
});
