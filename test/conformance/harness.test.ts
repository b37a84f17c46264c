import { MastraError } from '@mastra/core/error';
import type { HarnessPendingItemRecord, SessionRecord } from '@mastra/core/storage';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';

const day = (d: number) => new Date(Date.UTC(2025, 0, d));
const session = (id: string, over: Partial<SessionRecord> = {}): SessionRecord => ({
  id,
  ownerId: 'owner',
  resourceId: 'user-1',
  threadId: `thread-${id}`,
  origin: 'top-level',
  modeId: 'build',
  modelId: 'openai/gpt-5',
  createdAt: day(1),
  lastActivityAt: day(1),
  ...over,
});
const item = (id: string, over: Partial<HarnessPendingItemRecord> = {}): HarnessPendingItemRecord => ({
  id,
  kind: 'tool-approval',
  status: 'pending',
  sessionId: 's1',
  createdAt: day(2),
  updatedAt: day(2),
  ...over,
});

async function failure(call: () => Promise<unknown>, category = 'USER'): Promise<MastraError> {
  const error = await call().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MastraError);
  expect((error as MastraError).category).toBe(category);
  return error as MastraError;
}

describeConformance('harness', 'HarnessStorageD1', (t) => {
  t.it('saves, replaces, loads and lists sessions, most recently active first', async () => {
    const harness = await t.domain();
    expect(await harness.loadSession('s1')).toBeNull();
    expect(await harness.listSessions()).toEqual([]);
    const full = session('s1', {
      parentSessionId: 'parent',
      subagentDepth: 1,
      source: { type: 'subagent-tool', parentSessionId: 'parent', parentRunId: null },
      runtimeCompatibilityGeneration: 'g1',
      title: 'Fix the build',
      metadata: { n: 1.5, flag: true },
      state: { step: 2 },
      pending: [item('p1', { payload: { tool: 'rm' }, runId: null })],
      closingAt: day(3),
      lastActivityAt: day(4),
    });
    await harness.saveSession(full);
    await harness.saveSession(session('s2', { lastActivityAt: day(6) }));
    await harness.saveSession(session('s3', { lastActivityAt: day(5) }));
    expect(await harness.loadSession('s1')).toEqual(full);
    expect(await harness.loadSession('s2')).toEqual(session('s2', { lastActivityAt: day(6) }));
    expect((await harness.listSessions()).map((s) => s.id)).toEqual(['s2', 's3', 's1']);

    await harness.saveSession(session('s1', { createdAt: day(2), title: 'Renamed' }));
    expect(await harness.loadSession('s1')).toEqual(session('s1', { createdAt: day(2), title: 'Renamed' }));
  });

  t.it('updateSession sets what it is given, clears keys given as undefined, and stamps lastActivityAt', async () => {
    const harness = await t.domain();
    await harness.saveSession(session('s1', { title: 'old', metadata: { a: 1 }, closedAt: day(2) }));
    const before = Date.now();
    const updated = await harness.updateSession('s1', { title: 'new', closedAt: undefined, state: { x: [1] }, id: 'other', createdAt: day(9) } as never);
    expect(updated).toMatchObject({ id: 's1', title: 'new', metadata: { a: 1 }, state: { x: [1] }, createdAt: day(1) });
    expect(updated.closedAt).toBeUndefined();
    expect(updated.lastActivityAt.getTime()).toBeGreaterThanOrEqual(before);
    const { closedAt, ...stored } = updated;
    expect(closedAt).toBeUndefined();
    expect(await harness.loadSession('s1')).toEqual(stored);
    expect(await harness.loadSession('other')).toBeNull();

    await harness.updateSession('s1', { lastActivityAt: day(7) });
    expect((await harness.loadSession('s1'))!.lastActivityAt).toEqual(day(7));
  });

  t.it('pending items: append, refuse a duplicate, update (shallow merge, undefined removes), remove', async () => {
    const harness = await t.domain();
    await harness.saveSession(session('s1'));
    await harness.appendPendingItem('s1', item('p1', { payload: { tool: 'rm', args: { path: '/' } }, runId: 'r1' }));
    const appended = await harness.appendPendingItem('s1', item('p2', { kind: 'question' }));
    expect(appended.pending!.map((p) => p.id)).toEqual(['p1', 'p2']);
    expect(appended.pending![0]).toEqual(item('p1', { payload: { tool: 'rm', args: { path: '/' } }, runId: 'r1' }));

    const duplicate = await failure(() => harness.appendPendingItem('s1', item('p1')));
    expect(duplicate.id).toMatch(/PENDING_ITEM_EXISTS$/);

    const before = Date.now();
    const updated = await harness.updatePendingItem('s1', 'p1', { status: 'responded', payload: { tool: 'ls' }, runId: undefined, response: { approved: true, n: 0.1 }, updatedAt: day(1) });
    const [p1, p2] = updated.pending!;
    expect(p1).toMatchObject({ id: 'p1', sessionId: 's1', status: 'responded', payload: { tool: 'ls' }, response: { approved: true, n: 0.1 }, createdAt: day(2) });
    expect(p1).not.toHaveProperty('runId');
    expect(p1!.updatedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(p2).toEqual(item('p2', { kind: 'question' }));
    expect(await harness.loadSession('s1')).toEqual(updated);

    const removed = await harness.removePendingItem('s1', 'p1');
    expect(removed.pending!.map((p) => p.id)).toEqual(['p2']);
    expect((await harness.removePendingItem('s1', 'missing')).pending!.map((p) => p.id)).toEqual(['p2']);
    await harness.saveSession(session('s2'));
    expect((await harness.removePendingItem('s2', 'p1')).pending).toEqual([]);
  });

  t.it('concurrent pending-item writes to one session all land (no read-modify-write in JS)', async () => {
    const harness = await t.domain();
    await harness.saveSession(session('s1'));
    const ids = ['a', 'b', 'c', 'd', 'e'];
    await Promise.all(ids.map((id) => harness.appendPendingItem('s1', item(id))));
    await Promise.all([harness.updatePendingItem('s1', 'a', { status: 'responded' }), harness.removePendingItem('s1', 'b'), harness.updateSession('s1', { title: 't' })]);
    const stored = await harness.loadSession('s1');
    expect(stored!.pending!.map((p) => p.id).sort()).toEqual(['a', 'c', 'd', 'e']);
    expect(stored!.pending!.find((p) => p.id === 'a')!.status).toBe('responded');
    expect(stored!.title).toBe('t');
  });

  t.it('a missing session or pending item is a USER error and writes nothing', async () => {
    const harness = await t.domain();
    await harness.saveSession(session('s1', { pending: [item('p1')] }));
    for (const call of [
      () => harness.updateSession('missing', { title: 'x' }),
      () => harness.appendPendingItem('missing', item('p9')),
      () => harness.updatePendingItem('missing', 'p1', { status: 'responded' }),
      () => harness.updatePendingItem('s1', 'p9', { status: 'responded' }),
      () => harness.removePendingItem('missing', 'p1'),
    ]) {
      expect((await failure(call)).id).toMatch(/NOT_FOUND$/);
    }
    expect(await harness.loadSession('missing')).toBeNull();
    expect(await harness.loadSession('s1')).toEqual(session('s1', { pending: [item('p1')] }));
  });

  t.it('refuses bad input as USER errors naming the field, writing nothing', async () => {
    const harness = await t.domain();
    await harness.saveSession(session('s1'));
    for (const [field, call] of [
      ['id', () => harness.saveSession(session(''))],
      ['ownerId', () => harness.saveSession(session('bad', { ownerId: undefined as never }))],
      ['createdAt', () => harness.saveSession(session('bad', { createdAt: undefined as never }))],
      ['lastActivityAt', () => harness.saveSession(session('bad', { lastActivityAt: new Date('x') }))],
      ['subagentDepth', () => harness.saveSession(session('bad', { subagentDepth: 1.5 }))],
      ['pending', () => harness.saveSession(session('bad', { pending: {} as never }))],
      ['sessionId', () => harness.loadSession(undefined as never)],
      ['modeId', () => harness.updateSession('s1', { modeId: undefined })],
      ['updates', () => harness.updateSession('s1', null as never)],
      ['item.id', () => harness.appendPendingItem('s1', { kind: 'question' } as never)],
      ['pendingItemId', () => harness.updatePendingItem('s1', '', {})],
      ['pendingItemId', () => harness.removePendingItem('s1', undefined as never)],
    ] as const) {
      expect((await failure(call)).message).toContain(field);
    }
    expect(await harness.loadSession('bad')).toBeNull();
    expect(await harness.loadSession('s1')).toEqual(session('s1'));
  });

  t.it('is shared by every store on the same database and prefix, and emptied by dangerouslyClearAll', async () => {
    const prefix = `hs${Math.random().toString(36).slice(2, 8)}_`;
    const writer = await t.domain({ tablePrefix: prefix });
    await writer.saveSession(session('s1'));
    const reader = await t.domain({ tablePrefix: prefix });
    await reader.appendPendingItem('s1', item('p1'));
    expect((await writer.loadSession('s1'))!.pending).toEqual([item('p1')]);
    expect(await (await t.domain()).loadSession('s1')).toBeNull();
    await reader.dangerouslyClearAll();
    expect(await writer.listSessions()).toEqual([]);
  });
});
