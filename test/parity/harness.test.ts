import type { HarnessPendingItemRecord, SessionRecord } from '@mastra/core/storage';
import { describe, it } from 'vitest';
import { useParity } from '../support/parity';

const p = useParity('harness');

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

describe('HarnessStorageD1 matches LibSQLStore', () => {
  it('sessions: save, replace, load, list, update', async () => {
    await p.same((s) => s.loadSession('s1'));
    await p.same((s) => s.listSessions());
    await p.same((s) =>
      s.saveSession(
        session('s1', {
          parentSessionId: 'parent',
          subagentDepth: 2,
          source: { type: 'subagent-tool', parentSessionId: 'parent', parentRunId: null, subagentType: 'explore' },
          runtimeCompatibilityGeneration: 'g1',
          title: 'Fix the build',
          metadata: { n: 1.5, flag: true, list: [1, 'a'] },
          state: { step: 2 },
          pending: [item('p1', { payload: { tool: 'rm' }, runId: null, traceId: 't' })],
          closingAt: day(3),
          closeDeadlineAt: day(4),
          lastActivityAt: day(4),
        }),
      ),
    );
    await p.same((s) => s.loadSession('s1'));
    await p.same((s) => s.saveSession(session('s2', { lastActivityAt: day(6), closedAt: day(6), deletedAt: day(7) })));
    await p.same((s) => s.saveSession(session('s3', { lastActivityAt: day(5), createdAt: '2025-01-01T00:00:00.000Z' as never })));
    await p.same((s) => s.listSessions());
    await p.same((s) => s.saveSession(session('s2', { createdAt: day(2), lastActivityAt: day(2) })));
    await p.same((s) => s.loadSession('s2'));
    await p.same((s) => s.updateSession('s1', { title: 'New', state: undefined, closingAt: null, metadata: { b: 2 } }));
    await p.same((s) => s.loadSession('s1'));
    await p.same((s) => s.updateSession('s2', { lastActivityAt: day(9), modeId: 'plan' }));
    await p.same((s) => s.listSessions());
    await p.same((s) => s.dangerouslyClearAll());
    await p.same((s) => s.listSessions());
  });

  it('pending items: append, update, remove', async () => {
    await p.same((s) => s.saveSession(session('s1')));
    await p.same((s) => s.appendPendingItem('s1', item('p1', { payload: { tool: 'rm', args: { path: '/' } }, runId: 'r1' })));
    await p.same((s) => s.appendPendingItem('s1', item('p2', { kind: 'question', runtimeCompatibilityGeneration: null })));
    await p.same((s) => s.loadSession('s1'));
    await p.same((s) => s.updatePendingItem('s1', 'p1', { status: 'responded', payload: { tool: 'ls' }, runId: undefined, response: { approved: true, n: 0.1 } }));
    await p.same((s) => s.updatePendingItem('s1', 'p2', { traceId: null }));
    await p.same((s) => s.loadSession('s1'));
    await p.same((s) => s.removePendingItem('s1', 'missing'));
    await p.same((s) => s.removePendingItem('s1', 'p1'));
    await p.same((s) => s.loadSession('s1'));
    await p.same((s) => s.saveSession(session('s2')));
    await p.same((s) => s.removePendingItem('s2', 'p1'));
    await p.same((s) => s.loadSession('s2'));
  });

  it('refuses what LibSQLStore refuses (its errors are plain Errors), writing nothing', async () => {
    await p.same((s) => s.saveSession(session('s1', { pending: [item('p1')] })));
    await p.bothRefuse((s) => s.updateSession('missing', { title: 'x' }));
    await p.bothRefuse((s) => s.appendPendingItem('missing', item('p1')));
    await p.bothRefuse((s) => s.appendPendingItem('s1', item('p1', { status: 'failed' })));
    await p.bothRefuse((s) => s.updatePendingItem('missing', 'p1', { status: 'responded' }));
    await p.bothRefuse((s) => s.updatePendingItem('s1', 'p9', { status: 'responded' }));
    await p.bothRefuse((s) => s.removePendingItem('missing', 'p1'));
    await p.bothRefuse((s) => s.updateSession('s1', { ownerId: undefined }));
    await p.bothRefuse((s) => s.saveSession(session('s2', { ownerId: undefined as never })));
    await p.bothRefuse((s) => s.saveSession(session('s2', { createdAt: undefined as never })));
    await p.bothRefuse((s) => s.loadSession(undefined as never));
    await p.same((s) => s.loadSession('s1'));
    await p.same((s) => s.loadSession('s2'));
    await p.same((s) => s.listSessions());
  });
});

describe('HarnessStorageD1 prunes as LibSQLStore does', () => {
  it('deletes sessions created before maxAge, in batches, with the same results', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000);
    const recent = new Date(Date.now() - 86_400_000);
    for (const id of ['a', 'b', 'c']) await p.same((s) => s.saveSession(session(id, { createdAt: old, lastActivityAt: recent })));
    await p.same((s) => s.saveSession(session('d', { createdAt: recent, lastActivityAt: recent })));
    const stripPrefix = (results: unknown) => (results as { table: string }[]).map((r) => ({ ...r, table: r.table.replace(p.prefix, '') }));
    await p.same((s) => s.prune({ sessions: { maxAge: '30d', batchSize: 2 } }, { maxBatches: 1 }), { normalize: stripPrefix });
    await p.same((s) => s.prune({ sessions: { maxAge: '30d', batchSize: 2 } }), { normalize: stripPrefix });
    await p.same((s) => s.prune({ sessions: { maxAge: '30d' } }), { normalize: stripPrefix });
    await p.same((s) => s.listSessions(), { normalize: (rows) => (rows as SessionRecord[]).map((r) => r.id) });
  });
});
