import { MastraError } from '@mastra/core/error';
import type { WorkflowsStorage } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { WorkflowsStorageD1, type D1DomainConfig } from '../../src';
import { CLIENT_KINDS, uniquePrefix, useHarness, type ClientKind } from '../support/harness';
import { snapshot, success } from './workflows-fixtures';

const h = useHarness();

async function workflows(kind: ClientKind): Promise<WorkflowsStorage> {
  const store = await h.freshStore(kind);
  return (await store.getStore('workflows'))!;
}

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));

async function expectUserError(promise: Promise<unknown>, text: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MastraError);
  expect((error as MastraError).category).toBe('USER');
  expect((error as MastraError).message).toMatch(text);
}

describe.each(CLIENT_KINDS)('WorkflowsStorageD1 snapshots on %s', (kind) => {
  it('upserts a snapshot, keeping the first createdAt and a known resourceId', async () => {
    const wf = await workflows(kind);
    expect(wf.supportsConcurrentUpdates()).toBe(true);
    await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r1', resourceId: 'res', snapshot: snapshot('r1'), createdAt: at(1), updatedAt: at(2) });
    const second = snapshot('r1', { status: 'success', result: { done: true } });
    await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r1', snapshot: second, createdAt: at(5), updatedAt: at(6) });

    expect(await wf.loadWorkflowSnapshot({ workflowName: 'w', runId: 'r1' })).toEqual(second);
    const run = await wf.getWorkflowRunById({ runId: 'r1', workflowName: 'w' });
    expect(run).toEqual({ workflowName: 'w', runId: 'r1', resourceId: 'res', snapshot: second, createdAt: at(1), updatedAt: at(6) });

    await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r1', resourceId: 'res2', snapshot: second });
    expect((await wf.getWorkflowRunById({ runId: 'r1' }))?.resourceId).toBe('res2');
    expect(await wf.loadWorkflowSnapshot({ workflowName: 'w', runId: 'missing' })).toBeNull();
    expect(await wf.getWorkflowRunById({ runId: 'missing' })).toBeNull();
  });

  it('finds a run by id across workflows (newest first) or within one, and deletes one run', async () => {
    const wf = await workflows(kind);
    await wf.persistWorkflowSnapshot({ workflowName: 'a', runId: 'same', snapshot: snapshot('same'), createdAt: at(1) });
    await wf.persistWorkflowSnapshot({ workflowName: 'b', runId: 'same', snapshot: snapshot('same'), createdAt: at(2) });
    expect((await wf.getWorkflowRunById({ runId: 'same' }))?.workflowName).toBe('b');
    expect((await wf.getWorkflowRunById({ runId: 'same', workflowName: 'a' }))?.workflowName).toBe('a');
    expect((await wf.getWorkflowRunById({ runId: 'same', workflowName: 'a' }))?.resourceId).toBeNull();

    await wf.deleteWorkflowRunById({ runId: 'same', workflowName: 'b' });
    expect((await wf.getWorkflowRunById({ runId: 'same' }))?.workflowName).toBe('a');
    await wf.dangerouslyClearAll();
    expect(await wf.listWorkflowRuns()).toEqual({ runs: [], total: 0 });
  });

  it('lists runs newest first with every filter, the total counting the same filters', async () => {
    const wf = await workflows(kind);
    const runs = [
      { workflowName: 'a', runId: 'r1', resourceId: 'u1', status: 'success', minute: 1 },
      { workflowName: 'a', runId: 'r2', resourceId: 'u2', status: 'suspended', minute: 2 },
      { workflowName: 'a', runId: 'r3', resourceId: 'u1', status: 'suspended', minute: 3 },
      { workflowName: 'b', runId: 'r4', resourceId: 'u1', status: 'suspended', minute: 4 },
      { workflowName: 'a', runId: 'r5', resourceId: 'u1', status: 'suspended', minute: 5 },
    ] as const;
    for (const r of runs) {
      await wf.persistWorkflowSnapshot({ ...r, snapshot: snapshot(r.runId, { status: r.status }), createdAt: at(r.minute), updatedAt: at(r.minute) });
    }
    const ids = (result: { runs: { runId: string }[] }) => result.runs.map((run) => run.runId);

    const all = await wf.listWorkflowRuns();
    expect(ids(all)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
    expect(all.total).toBe(5);

    const filters = { workflowName: 'a', resourceId: 'u1', status: 'suspended', fromDate: at(2), toDate: at(5) } as const;
    const page0 = await wf.listWorkflowRuns({ ...filters, page: 0, perPage: 1 });
    expect({ ids: ids(page0), total: page0.total }).toEqual({ ids: ['r5'], total: 2 });
    const page1 = await wf.listWorkflowRuns({ ...filters, page: 1, perPage: 1 });
    expect({ ids: ids(page1), total: page1.total }).toEqual({ ids: ['r3'], total: 2 });
    const beyond = await wf.listWorkflowRuns({ ...filters, page: 5, perPage: 1 });
    expect({ ids: ids(beyond), total: beyond.total }).toEqual({ ids: [], total: 2 });
    const everything = await wf.listWorkflowRuns({ workflowName: 'a', page: 3, perPage: false });
    expect({ ids: ids(everything), total: everything.total }).toEqual({ ids: ['r5', 'r3', 'r2', 'r1'], total: 4 });
    expect(ids(await wf.listWorkflowRuns({ toDate: at(2) }))).toEqual(['r2', 'r1']);

    await expectUserError(wf.listWorkflowRuns({ page: -1, perPage: 2 }), /page/);
    await expectUserError(wf.listWorkflowRuns({ page: 0, perPage: -2 }), /perPage/);
  });

  it('filters by the thread id embedded in the snapshot', async () => {
    const wf = await workflows(kind);
    const suspendedLoop = snapshot('r1', {
      context: { llm: { status: 'suspended', suspendPayload: { __streamState: { messageList: { memoryInfo: { threadId: 't1' } } } } } } as never,
    });
    const durableLoop = snapshot('r2', { context: { input: { messageListState: { memoryInfo: { threadId: 't1' } } } } as never });
    await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r1', snapshot: suspendedLoop, createdAt: at(1) });
    await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r2', snapshot: durableLoop, createdAt: at(2) });
    await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r3', snapshot: snapshot('r3'), createdAt: at(3) });
    const found = await wf.listWorkflowRuns({ threadId: 't1' });
    expect(found.runs.map((r) => r.runId)).toEqual(['r2', 'r1']);
  });

  it('round-trips a snapshot just under 2 MB byte-exact and refuses one over it, writing nothing', async () => {
    const wf = await workflows(kind);
    // Multi-byte text, escapes and doubles that a lossy JSON path would change.
    const filler = 'é'.repeat(900_000);
    const near = snapshot('big', { result: { filler, tricky: 'quote " backslash \\ nl \n \u0001 \ud83d\ude00', n: 0.30000000000000004, e: 1e300 } });
    const text = JSON.stringify(near);
    expect(new TextEncoder().encode(text).byteLength).toBeGreaterThan(1_800_000);
    expect(new TextEncoder().encode(text).byteLength).toBeLessThan(2_000_000);
    await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'big', snapshot: near });
    expect(JSON.stringify(await wf.loadWorkflowSnapshot({ workflowName: 'w', runId: 'big' }))).toBe(text);

    const over = snapshot('over', { result: { filler: 'é'.repeat(1_000_001) } });
    await expectUserError(wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'over', snapshot: over }), /snapshot of workflow run over.*2,000,000/);
    expect(await wf.getWorkflowRunById({ runId: 'over' })).toBeNull();
  });
});

describe.each(CLIENT_KINDS)('WorkflowsStorageD1 bad input on %s', (kind) => {
  it('answers wrong types with USER errors and writes nothing', async () => {
    const wf = await workflows(kind);
    const bad: [Promise<unknown>, RegExp][] = [
      [wf.persistWorkflowSnapshot({ workflowName: 'w', runId: undefined as never, snapshot: snapshot('x') }), /runId/],
      [wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r', snapshot: snapshot('r', { result: { n: 1n } }) }), /cannot be serialized/],
      [wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r', snapshot: snapshot('r'), createdAt: new Date('x') }), /createdAt/],
      [wf.loadWorkflowSnapshot({ workflowName: 'w', runId: 5 as never }), /runId/],
      [wf.getWorkflowRunById({ runId: '' }), /runId/],
      [wf.updateWorkflowResults({ workflowName: 'w', runId: 'r', stepId: {} as never, result: success(1), requestContext: {} }), /stepId/],
      [wf.updateWorkflowState({ workflowName: 'w', runId: 'r', opts: { status: 5 as never } }), /status/],
      [wf.updateWorkflowState({ workflowName: 'w', runId: 'r', opts: { status: 'running', expectedStatus: [1] as never } }), /expectedStatus/],
      [wf.listWorkflowRuns({ page: '1' as never, perPage: 10 }), /page/],
      [wf.listWorkflowRuns({ page: 0, perPage: true as never }), /perPage/],
      [wf.listWorkflowRuns({ fromDate: 'x' as never }), /fromDate/],
      [wf.listWorkflowRuns({ resourceId: 7 as never }), /resourceId/],
    ];
    for (const [call, text] of bad) await expectUserError(call, text);
    expect(await wf.listWorkflowRuns()).toEqual({ runs: [], total: 0 });
  });
});

describe.each(CLIENT_KINDS)('WorkflowsStorageD1 concurrent updates on %s', (kind) => {
  it('merges step results into the stored snapshot and returns the merged context', async () => {
    const wf = await workflows(kind);
    await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r', snapshot: snapshot('r', { requestContext: { keep: 1, over: 'old' } }) });
    const odd = 'step.with "quotes" \\ [0] é \n\u0001 $';
    const first = await wf.updateWorkflowResults({ workflowName: 'w', runId: 'r', stepId: odd, result: success({ x: 0.30000000000000004, ok: true, none: null }), requestContext: { over: { nested: null } } });
    expect(first).toEqual({ input: { n: 1 }, [odd]: success({ x: 0.30000000000000004, ok: true, none: null }) });
    const second = await wf.updateWorkflowResults({ workflowName: 'w', runId: 'r', stepId: 'b', result: success(2), requestContext: {} });
    expect(Object.keys(second)).toEqual(['input', odd, 'b']);

    const stored = await wf.loadWorkflowSnapshot({ workflowName: 'w', runId: 'r' });
    expect(stored?.requestContext).toEqual({ keep: 1, over: { nested: null } });
    expect(stored?.context[odd]).toEqual(success({ x: 0.30000000000000004, ok: true, none: null }));
    expect(stored?.status).toBe('running');
  });

  it('creates the run when it has no snapshot yet', async () => {
    const wf = await workflows(kind);
    const context = await wf.updateWorkflowResults({ workflowName: 'w', runId: 'new', stepId: 's', result: success(1), requestContext: { a: 1 } });
    expect(context).toEqual({ s: success(1) });
    const stored = await wf.loadWorkflowSnapshot({ workflowName: 'w', runId: 'new' });
    expect(stored).toMatchObject({ runId: 'new', status: 'pending', context: { s: success(1) }, requestContext: { a: 1 } });
  });

  it('keeps all 20 results of 20 concurrent updates on one run', async () => {
    const wf = await workflows(kind);
    await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r', snapshot: snapshot('r') });
    const ids = Array.from({ length: 20 }, (_, i) => `step${i}`);
    await Promise.all(ids.map((stepId, i) => wf.updateWorkflowResults({ workflowName: 'w', runId: 'r', stepId, result: success(i), requestContext: { [stepId]: i } })));
    const stored = await wf.loadWorkflowSnapshot({ workflowName: 'w', runId: 'r' });
    expect(Object.keys(stored!.context).sort()).toEqual(['input', ...ids].sort());
    ids.forEach((id, i) => expect(stored!.context[id]).toEqual(success(i)));
    expect(Object.keys(stored!.requestContext!)).toHaveLength(20);
  });

  it('refuses a result over 2 MB, writing nothing', async () => {
    const wf = await workflows(kind);
    await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r', snapshot: snapshot('r') });
    await expectUserError(
      wf.updateWorkflowResults({ workflowName: 'w', runId: 'r', stepId: 'big', result: success('x'.repeat(2_000_001)), requestContext: {} }),
      /step big of workflow run r/,
    );
    expect(await wf.loadWorkflowSnapshot({ workflowName: 'w', runId: 'r' })).toEqual(snapshot('r'));
  });

  it('applies state, dropping fields set to undefined, and honours expectedStatus as a compare-and-set', async () => {
    const wf = await workflows(kind);
    await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r', snapshot: snapshot('r', { status: 'suspended', result: { old: 1 } }) });

    const lost = await wf.updateWorkflowState({ workflowName: 'w', runId: 'r', opts: { status: 'running', expectedStatus: ['running', 'pending'] } });
    expect(lost).toBeUndefined();
    expect((await wf.loadWorkflowSnapshot({ workflowName: 'w', runId: 'r' }))?.status).toBe('suspended');

    const won = await wf.updateWorkflowState({
      workflowName: 'w',
      runId: 'r',
      opts: { status: 'running', expectedStatus: 'suspended', result: undefined, suspendedPaths: { s: [0] }, error: { message: 'e', name: 'E' } },
    });
    const expected = { ...snapshot('r', { status: 'running', suspendedPaths: { s: [0] } }), error: { message: 'e', name: 'E' } };
    expect(won).toEqual(expected);
    expect(await wf.loadWorkflowSnapshot({ workflowName: 'w', runId: 'r' })).toEqual(expected);
    expect(Object.keys((await wf.loadWorkflowSnapshot({ workflowName: 'w', runId: 'r' }))!)).not.toContain('result');

    expect(await wf.updateWorkflowState({ workflowName: 'w', runId: 'missing', opts: { status: 'running' } })).toBeUndefined();
    expect(await wf.getWorkflowRunById({ runId: 'missing' })).toBeNull();
  });

  it('lets exactly one of several concurrent claims of a suspended run win', async () => {
    const wf = await workflows(kind);
    await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r', snapshot: snapshot('r', { status: 'suspended' }) });
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => wf.updateWorkflowState({ workflowName: 'w', runId: 'r', opts: { status: 'running', expectedStatus: 'suspended' } })),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  // Only a caller's own persistWorkflowSnapshot can store such a snapshot (the table's status index
  // refuses text that is not JSON), so it is the caller's mistake, not D1's.
  it('refuses to update a stored snapshot without context with a USER error (NOT_FOUND), changing nothing', async () => {
    const wf = await workflows(kind);
    await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'bare', snapshot: { status: 'running' } as never });
    const updates = [
      () => wf.updateWorkflowResults({ workflowName: 'w', runId: 'bare', stepId: 's', result: success(1), requestContext: {} }),
      () => wf.updateWorkflowState({ workflowName: 'w', runId: 'bare', opts: { status: 'success' } }),
    ];
    for (const update of updates) {
      await expectUserError(update(), /Snapshot not found for runId bare/);
      expect(await update().catch((e: MastraError) => e.id)).toMatch(/_NOT_FOUND$/);
    }
    expect(await wf.loadWorkflowSnapshot({ workflowName: 'w', runId: 'bare' })).toEqual({ status: 'running' });
  });
});

describe.each(CLIENT_KINDS)('WorkflowsStorageD1 on its own on %s', (kind) => {
  it('creates its table in init() and works without a D1Store', async () => {
    const wf = new WorkflowsStorageD1({ ...h.connection(kind), tablePrefix: uniquePrefix('wfalone') } as D1DomainConfig);
    await wf.init();
    await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: 'r', snapshot: snapshot('r') });
    expect(await wf.updateWorkflowResults({ workflowName: 'w', runId: 'r', stepId: 's', result: success(1), requestContext: {} })).toEqual({ input: { n: 1 }, s: success(1) });
  });
});
