import type { MemoryStorage, ObservabilityStorage, ScoresStorage, WorkflowsStorage } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { scorePayload } from '../conformance/scores-fixtures';
import { span } from '../support/observability';
import { failure, userFailure } from './assertions';
import { newMessage, newMessages, newSnapshot, newThread, textOf, uid } from './builders';
import { verified } from './figures';
import { ATOMIC_KINDS, useRig } from './rig';
import { settle } from './sweep';

const rig = useRig(import.meta.url);

/** Appears in every crafted input: if it ever shows up in SQL text, input reached the SQL. */
const MARK = 'INJ3CT';

const TRICKY = [
  `it's "quoted" \\ back\\slash`,
  `'); DROP TABLE mastra_threads; -- ${MARK}`,
  `" OR 1=1 -- ${MARK}`,
  `\`${MARK}\`; SELECT * FROM sqlite_schema; [x]`,
  '🙂 emoji 漢字 é ZWJ 👩‍👩‍👧 flag 🇳🇿',
  'control \u0001\u0002\u001f \t\n\r bell\u0007 del\u007f',
  'line\u2028separator\u2029 bom\ufeff',
  '%_ like wildcards *?[] $.path ->> json',
  '  padded  ',
  '{"looks":"like json"}',
  '',
];

/** One test per case: the call fails with a USER error and sends nothing to D1. */
function refusedAsUser(cases: readonly (readonly [string, () => Promise<unknown>])[]) {
  for (const [label, call] of cases) {
    it(label, async () => {
      const before = rig.faults.counters.roundTrips;
      await userFailure(call);
      expect(rig.faults.counters.roundTrips - before, 'round trips sent').toBe(0);
    });
  }
}

describe.each(ATOMIC_KINDS)('bad input and injection on %s', (kind) => {
  const s = rig.useDomains(kind);
  const tableCount = async () => (await rig.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM sqlite_schema WHERE substr(name, 1, length(?1)) = ?1 AND type = 'table'`, s.prefix))[0]!.n;

  it('quotes, emoji and control characters round-trip exactly through every text field of memory', async () => {
    for (const [j, text] of TRICKY.entries()) {
      const resourceId = `res ${j} ${text}`;
      const thread = newThread({ id: `thread ${j} ${text}`, resourceId, title: text, metadata: { [`key ${j}`]: text, nested: { text, list: [text] } } });
      await s.memory.saveThread({ thread });
      const message = { ...newMessage(thread, 0, text), id: `message ${j} ${text}` };
      await s.memory.saveMessages({ messages: [message] });
      await s.memory.updateResource({ resourceId, workingMemory: text, metadata: { text } });

      const stored = (await s.memory.getThreadById({ threadId: thread.id }))!;
      expect([stored.id, stored.resourceId, stored.title, stored.metadata]).toEqual([thread.id, resourceId, text, thread.metadata]);
      const { threads } = await s.memory.listThreads({ filter: { resourceId } });
      expect(threads.map((t) => t.id)).toEqual([thread.id]);
      const { messages } = await s.memory.listMessages({ threadId: thread.id });
      expect(messages.map((m) => [m.id, m.threadId, m.resourceId, textOf(m)])).toEqual([[message.id, thread.id, resourceId, text]]);
      const { messages: byId } = await s.memory.listMessagesById({ messageIds: [message.id] });
      expect(textOf(byId[0]!)).toBe(text);
      const resource = (await s.memory.getResourceById({ resourceId }))!;
      expect([resource.workingMemory, resource.metadata]).toEqual([text, { text }]);
      verified(5);
    }
    expect(rig.faults.sqlContains(MARK)).toBe(false);
    expect(await tableCount()).toBeGreaterThanOrEqual(7);
  });

  it('quotes, emoji and control characters round-trip exactly through workflows, scores and spans', async () => {
    for (const [j, text] of TRICKY.entries()) {
      const workflowName = `wf ${j} ${text}`;
      const runId = `run ${j} ${text}`;
      const snapshot = newSnapshot(runId, 'success', { input: { text } });
      await s.workflows.persistWorkflowSnapshot({ workflowName, runId, resourceId: `res ${text}`, snapshot });
      expect(await s.workflows.loadWorkflowSnapshot({ workflowName, runId })).toEqual(snapshot);
      const run = (await s.workflows.getWorkflowRunById({ runId, workflowName }))!;
      expect([run.workflowName, run.runId, run.resourceId]).toEqual([workflowName, runId, `res ${text}`]);
      const { runs } = await s.workflows.listWorkflowRuns({ workflowName });
      expect(runs.map((r) => r.runId)).toEqual([runId]);

      const { score } = await s.scores.saveScore(scorePayload({ runId, entityId: `entity ${text}`, reason: text, metadata: { text } }));
      const read = (await s.scores.getScoreById({ id: score.id }))!;
      expect([read.runId, read.entityId, read.reason, read.metadata]).toEqual([runId, `entity ${text}`, text, { text }]);
      const byRun = await s.scores.listScoresByRunId({ runId, pagination: { page: 0, perPage: 10 } });
      expect(byRun.scores.map((s) => s.id)).toEqual([score.id]);

      const traceId = `trace ${j} ${text}`;
      await s.observability.createSpan({ span: span({ traceId, spanId: `span ${text}`, name: text, attributes: { text }, metadata: { text } }) });
      const got = (await s.observability.getSpan({ traceId, spanId: `span ${text}` }))!.span;
      expect([got.name, got.attributes, got.metadata]).toEqual([text, { text }, { text }]);
      verified(4);
    }
    expect(rig.faults.sqlContains(MARK)).toBe(false);
  });

  it('a NUL character in text round-trips exactly or is refused as USER, never cut short', async () => {
    const text = `before\u0000after ${MARK}`;
    const thread = newThread({ title: text });
    const saved = await settle(s.memory.saveThread({ thread }));
    if (saved.outcome === 'rejected') {
      await userFailure(s.memory.saveThread({ thread }));
      expect(await s.memory.getThreadById({ threadId: thread.id })).toBeNull();
      return;
    }
    expect((await s.memory.getThreadById({ threadId: thread.id }))!.title).toBe(text);
    const message = newMessage(thread, 0, text);
    await s.memory.saveMessages({ messages: [message] });
    expect(textOf((await s.memory.listMessagesById({ messageIds: [message.id] })).messages[0]!)).toBe(text);
  });

  it('metadata filters with keys and values crafted as SQL match nothing or are refused, never everything', async () => {
    const resourceId = uid('res');
    for (let i = 0; i < 3; i++) await s.memory.saveThread({ thread: newThread({ resourceId, metadata: { topic: 'a', n: i } }) });
    const thread = await s.memory.saveThread({ thread: newThread({ resourceId }) });
    await s.memory.saveMessages({ messages: newMessages(thread, 3).map((m) => ({ ...m, content: { ...m.content, metadata: { topic: 'a' } } })) });

    const keys = [`a') OR 1=1 -- ${MARK}`, `topic" OR "1"="1 ${MARK}`, `$.topic ${MARK}`, `topic' ${MARK}`, '__proto__', 'constructor', `a.b${MARK}`, `t[0]${MARK}`];
    const values = [`' OR '1'='1 ${MARK}`, `a" OR "a"="a ${MARK}`, `%${MARK}%`, `') ; DELETE FROM mastra_threads; --${MARK}`];
    const filters = [...keys.map((key) => ({ [key]: 'a' })), ...values.map((value) => ({ topic: value }))];
    for (const metadata of filters) {
      const threads = await settle(s.memory.listThreads({ filter: { resourceId, metadata } }));
      if (threads.outcome === 'rejected') await userFailure(s.memory.listThreads({ filter: { resourceId, metadata } }));
      else expect((await s.memory.listThreads({ filter: { resourceId, metadata } })).threads).toEqual([]);
      const messages = await settle(s.memory.listMessages({ threadId: thread.id, filter: { metadata } }));
      if (messages.outcome === 'rejected') await userFailure(s.memory.listMessages({ threadId: thread.id, filter: { metadata } }));
      else expect((await s.memory.listMessages({ threadId: thread.id, filter: { metadata } })).messages).toEqual([]);
    }
    expect((await s.memory.listThreads({ filter: { resourceId, metadata: { topic: 'a' } } })).threads).toHaveLength(3);
    expect((await s.memory.listMessages({ threadId: thread.id, filter: { metadata: { topic: 'a' } } })).messages).toHaveLength(3);
    expect(rig.faults.sqlContains(MARK)).toBe(false);
    verified(6);
  });

  it('unknown orderBy fields and directions are refused or ignored, never pasted into SQL', async () => {
    const resourceId = uid('res');
    for (let i = 0; i < 3; i++) await s.memory.saveThread({ thread: newThread({ resourceId, createdAt: new Date(Date.UTC(2026, 0, 1 + i)) }) });
    const reference = (await s.memory.listThreads({ filter: { resourceId } })).threads.map((t) => t.id);
    const orderings = [
      { field: `title; DROP TABLE mastra_threads; --${MARK}`, direction: 'ASC' },
      { field: `createdAt" DESC, (SELECT 1) --${MARK}`, direction: 'DESC' },
      { field: 'createdAt', direction: `DESC; --${MARK}` },
      { field: '__proto__', direction: 'ASC' },
    ];
    for (const orderBy of orderings) {
      const listed = await settle(s.memory.listThreads({ filter: { resourceId }, orderBy: orderBy as never }));
      if (listed.outcome === 'rejected') await userFailure(s.memory.listThreads({ filter: { resourceId }, orderBy: orderBy as never }));
      else expect(new Set((await s.memory.listThreads({ filter: { resourceId }, orderBy: orderBy as never })).threads.map((t) => t.id))).toEqual(new Set(reference));
      const thread = reference[0]!;
      const messages = await settle(s.memory.listMessages({ threadId: thread, orderBy: orderBy as never }));
      if (messages.outcome === 'rejected') await userFailure(s.memory.listMessages({ threadId: thread, orderBy: orderBy as never }));
    }
    expect(rig.faults.sqlContains(MARK)).toBe(false);
    expect(await tableCount()).toBeGreaterThanOrEqual(7);
  });

  describe('negative, fractional and non-numeric pages are USER errors, before anything is sent', () => {
    const pages: [string, { page?: unknown; perPage?: unknown }][] = [
      ['page -1', { page: -1, perPage: 10 }],
      ['page 1.5', { page: 1.5, perPage: 10 }],
      ['page NaN', { page: Number.NaN, perPage: 10 }],
      ['page Infinity', { page: Number.POSITIVE_INFINITY, perPage: 10 }],
      ['page "1"', { page: '1', perPage: 10 }],
      ['perPage -5', { page: 0, perPage: -5 }],
      ['perPage 2.5', { page: 0, perPage: 2.5 }],
      ['perPage "10"', { page: 0, perPage: '10' }],
      ['perPage true', { page: 0, perPage: true }],
    ];
    const lists: [string, (p: { page: number; perPage: number }) => Promise<unknown>][] = [
      ['listThreads', (p) => s.memory.listThreads({ ...p, filter: { resourceId: 'r' } })],
      ['listMessages', (p) => s.memory.listMessages({ threadId: 't', ...p })],
      ['listMessagesByResourceId', (p) => s.memory.listMessagesByResourceId({ resourceId: 'r', ...p })],
      ['listWorkflowRuns', (p) => s.workflows.listWorkflowRuns({ ...p })],
      ['listScoresByRunId', (p) => s.scores.listScoresByRunId({ runId: 'r', pagination: p })],
      ['listScoresByScorerId', (p) => s.scores.listScoresByScorerId({ scorerId: 's', pagination: p })],
      ['listTraces', (p) => s.observability.listTraces({ pagination: p })],
    ];
    // Core's listTracesArgsSchema coerces page/perPage (its HTTP layer hands them over as strings), so
    // listTraces accepts what core accepts: "1", "10" and true are numbers to it, not bad input.
    const coercedByCore = (name: string, paging: { page?: unknown; perPage?: unknown }) =>
      name === 'listTraces' && (typeof paging.page !== 'number' || typeof paging.perPage !== 'number');
    const cases = pages.flatMap(([label, paging]) =>
      lists.filter(([name]) => !coercedByCore(name, paging)).map(([name, call]) => [`${name} with ${label}`, () => call(paging as never)] as const),
    );
    refusedAsUser(cases);
  });

  describe('wrong types are USER errors before anything is sent', () => {
    const bad: [string, () => Promise<unknown>][] = [
      ['getThreadById({ threadId: 42 })', () => s.memory.getThreadById({ threadId: 42 as never })],
      ['getThreadById(undefined)', () => s.memory.getThreadById(undefined as never)],
      ['saveThread({ thread: null })', () => s.memory.saveThread({ thread: null as never })],
      ['saveThread without resourceId', () => s.memory.saveThread({ thread: { ...newThread(), resourceId: undefined as never } })],
      ['saveThread with createdAt "yesterday"', () => s.memory.saveThread({ thread: { ...newThread(), createdAt: 'yesterday' as never } })],
      ['updateThread({ id: null })', () => s.memory.updateThread({ id: null as never, title: 'x' })],
      ['updateThread with metadata "x"', () => s.memory.updateThread({ id: 'x', metadata: 'x' as never })],
      ['deleteThread({ threadId: {} })', () => s.memory.deleteThread({ threadId: {} as never })],
      ['listThreads with resourceId 7', () => s.memory.listThreads({ filter: { resourceId: 7 as never } })],
      ['listMessages({ threadId: 7 })', () => s.memory.listMessages({ threadId: 7 as never })],
      ['listMessages with include "x"', () => s.memory.listMessages({ threadId: 't', include: 'x' as never })],
      ['listMessages with dateRange start "x"', () => s.memory.listMessages({ threadId: 't', filter: { dateRange: { start: 'x' as never } } })],
      ['listMessagesById({ messageIds: "abc" })', () => s.memory.listMessagesById({ messageIds: 'abc' as never })],
      ['listMessagesById({ messageIds: [1, 2] })', () => s.memory.listMessagesById({ messageIds: [1, 2] as never })],
      ['saveMessages({ messages: "x" })', () => s.memory.saveMessages({ messages: 'x' as never })],
      ['saveMessages of a message without content', () => s.memory.saveMessages({ messages: [{ id: 'x', role: 'user', threadId: 't', createdAt: new Date() } as never] })],
      ['updateMessages({ messages: null })', () => s.memory.updateMessages({ messages: null as never })],
      ['updateMessages of an id 5', () => s.memory.updateMessages({ messages: [{ id: 5 as never, role: 'user' }] })],
      ['cloneThread({ sourceThreadId: 1 })', () => s.memory.cloneThread({ sourceThreadId: 1 as never })],
      ['getResourceById({ resourceId: null })', () => s.memory.getResourceById({ resourceId: null as never })],
      ['updateResource({ resourceId: 1 })', () => s.memory.updateResource({ resourceId: 1 as never, workingMemory: 'x' })],
      ['updateResource with workingMemory 5', () => s.memory.updateResource({ resourceId: 'r', workingMemory: 5 as never })],
      ['persistWorkflowSnapshot without runId', () => s.workflows.persistWorkflowSnapshot({ workflowName: 'wf', runId: undefined as never, snapshot: newSnapshot('x') })],
      ['persistWorkflowSnapshot with a BigInt in the snapshot', () => s.workflows.persistWorkflowSnapshot({ workflowName: 'wf', runId: uid('r'), snapshot: newSnapshot('x', 'running', { n: 1n }) })],
      ['loadWorkflowSnapshot({ runId: 5 })', () => s.workflows.loadWorkflowSnapshot({ workflowName: 'wf', runId: 5 as never })],
      ['updateWorkflowState with status 5', () => s.workflows.updateWorkflowState({ workflowName: 'wf', runId: 'r', opts: { status: 5 as never } })],
      ['listWorkflowRuns with fromDate "x"', () => s.workflows.listWorkflowRuns({ fromDate: 'x' as never })],
      ['saveScore({})', () => s.scores.saveScore({} as never)],
      ['saveScore with score "high"', () => s.scores.saveScore(scorePayload({ score: 'high' as never }))],
      ['getScoreById({ id: {} })', () => s.scores.getScoreById({ id: {} as never })],
      ['createSpan with startedAt "x"', () => s.observability.createSpan({ span: span({ traceId: 't', spanId: 's', startedAt: 'x' as never }) })],
      ['batchCreateSpans({ records: "x" })', () => s.observability.batchCreateSpans({ records: 'x' as never })],
      ['getSpan({ traceId: 1 })', () => s.observability.getSpan({ traceId: 1 as never, spanId: 's' })],
      ['batchDeleteTraces({ traceIds: "x" })', () => s.observability.batchDeleteTraces({ traceIds: 'x' as never })],
    ];
    refusedAsUser(bad);
  });

  describe('one bad record fails the whole call and writes nothing', () => {
    it('saveMessages with one message of another type among good ones', async () => {
      const thread = await s.memory.saveThread({ thread: newThread() });
      const messages = newMessages(thread, 6);
      const broken = [...messages.slice(0, 5), { ...messages[5]!, createdAt: 'not a date' as never }];
      await userFailure(s.memory.saveMessages({ messages: broken }));
      const broken2 = [...messages.slice(0, 5), { ...messages[5]!, threadId: undefined as never }];
      await userFailure(s.memory.saveMessages({ messages: broken2 }));
      expect((await s.memory.listMessages({ threadId: thread.id })).total).toBe(0);
    });

    it('updateMessages with one bad update among good ones', async () => {
      const thread = await s.memory.saveThread({ thread: newThread() });
      const messages = newMessages(thread, 4);
      await s.memory.saveMessages({ messages });
      await failure(
        s.memory.updateMessages({
          messages: [...messages.slice(0, 3).map((m) => ({ id: m.id, content: { ...m.content, parts: [{ type: 'text' as const, text: 'edited' }] } })), { id: messages[3]!.id, content: 7 as never }],
        }),
      );
      const { messages: after } = await s.memory.listMessagesById({ messageIds: messages.map((m) => m.id) });
      expect(after.map(textOf).sort()).toEqual(messages.map(textOf).sort());
    });

    it('batchCreateSpans with one span with a bad date among good ones', async () => {
      const traceId = uid('trace');
      const records = Array.from({ length: 5 }, (_, i) => span({ traceId, spanId: `s${i}`, startedAt: i === 4 ? ('not a date' as never) : new Date() }));
      await userFailure(s.observability.batchCreateSpans({ records }));
      expect(await s.count('mastra_ai_spans', '"traceId" = ?', traceId)).toBe(0);
    });

    it('a circular workflow snapshot is refused and nothing is written', async () => {
      const runId = uid('run');
      const snapshot = newSnapshot(runId) as unknown as Record<string, unknown>;
      snapshot.self = snapshot;
      await userFailure(s.workflows.persistWorkflowSnapshot({ workflowName: 'wf', runId, snapshot: snapshot as never }), runId);
      expect(await s.workflows.loadWorkflowSnapshot({ workflowName: 'wf', runId })).toBeNull();
    });
  });

  it('after all of the above, every table is still there and only intended rows exist', async () => {
    expect(await tableCount()).toBeGreaterThanOrEqual(7);
    expect(await s.count('mastra_threads', '1')).toBeGreaterThan(0);
    expect(rig.faults.sqlContains(MARK)).toBe(false);
  });
});
