import type { MemoryStorage, WorkflowsStorage } from '@mastra/core/storage';
import { LibSQLStore } from '@mastra/libsql';
import { describe, expect, it } from 'vitest';
import { userFailure } from './assertions';
import { bigText, newMessage, newMessages, newSnapshot, newThread, textOf, uid } from './builders';
import { verified } from './figures';
import { ATOMIC_KINDS, useRig } from './rig';

const rig = useRig(import.meta.url);

const MB = 1_000_000;

describe.each(ATOMIC_KINDS)('D1 limits on %s', (kind) => {
  const s = rig.useDomains(kind);
  const messageCount = async (threadId: string) =>
    s.count('mastra_messages', 'thread_id = ?', threadId);

  it('250 messages in one saveMessages, read back in order by listMessages and by 250 ids', async () => {
    const thread = await s.memory.saveThread({ thread: newThread() });
    const messages = newMessages(thread, 250, (i) => `m${i} ${'·'.repeat(i % 7)}`);
    const { messages: saved } = await s.memory.saveMessages({ messages });
    expect(saved).toHaveLength(250);
    const { messages: listed, total } = await s.memory.listMessages({ threadId: thread.id, perPage: false });
    expect(total).toBe(250);
    expect(listed.map((m) => [m.id, textOf(m)])).toEqual(messages.map((m) => [m.id, textOf(m)]));
    const { messages: byId } = await s.memory.listMessagesById({ messageIds: messages.map((m) => m.id).reverse() });
    expect(new Set(byId.map((m) => m.id))).toEqual(new Set(messages.map((m) => m.id)));
    verified(750);
  });

  it('1,000 ids in one listMessagesById, most of them unknown', async () => {
    const thread = await s.memory.saveThread({ thread: newThread() });
    const messages = newMessages(thread, 10);
    await s.memory.saveMessages({ messages });
    const ids = [...Array.from({ length: 990 }, (_, i) => `unknown-${i}`), ...messages.map((m) => m.id)];
    const { messages: found } = await s.memory.listMessagesById({ messageIds: ids });
    expect(found.map((m) => m.id).sort()).toEqual(messages.map((m) => m.id).sort());
    verified(10);
  });

  it('30 include entries with context give the same messages as LibSQL', async () => {
    const oracle = new LibSQLStore({ id: uid('oracle'), url: ':memory:' });
    await oracle.init();
    const oracleMemory = (await oracle.getStore('memory'))!;
    const a = newThread();
    const b = newThread();
    const inA = newMessages(a, 10);
    const inB = newMessages(b, 120);
    for (const m of [s.memory, oracleMemory]) {
      await m.saveThread({ thread: a });
      await m.saveThread({ thread: b });
      await m.saveMessages({ messages: [...inA, ...inB] });
    }
    const include = inB.filter((_, i) => i % 4 === 0).slice(0, 30).map((m, i) => ({ id: m.id, threadId: b.id, withPreviousMessages: i % 3, withNextMessages: 1 }));
    expect(include).toHaveLength(30);
    const args = { threadId: a.id, perPage: 3, page: 0, include };
    const ours = await s.memory.listMessages(args);
    const theirs = await oracleMemory.listMessages(args);
    expect(ours.messages.map((m) => m.id)).toEqual(theirs.messages.map((m) => m.id));
    expect(ours.messages.length).toBeGreaterThan(60);
    verified(ours.messages.length);
  });

  it('a 1.5 MB message round-trips byte-exact', async () => {
    const thread = await s.memory.saveThread({ thread: newThread() });
    const text = bigText(1.5 * MB);
    const message = newMessage(thread, 0, text);
    await s.memory.saveMessages({ messages: [message] });
    const { messages } = await s.memory.listMessagesById({ messageIds: [message.id] });
    expect(textOf(messages[0]!) === text).toBe(true);
    const { messages: listed } = await s.memory.listMessages({ threadId: thread.id });
    expect(textOf(listed[0]!) === text).toBe(true);
    verified(2);
  });

  it('a 1.5 MB workflow snapshot round-trips byte-exact', async () => {
    const runId = uid('run');
    const payload = bigText(1.5 * MB);
    const snapshot = newSnapshot(runId, 'suspended', { big: { status: 'success', output: { payload } } });
    await s.workflows.persistWorkflowSnapshot({ workflowName: 'wf', runId, snapshot });
    const loaded = await s.workflows.loadWorkflowSnapshot({ workflowName: 'wf', runId });
    expect(JSON.stringify(loaded) === JSON.stringify(snapshot)).toBe(true);
    verified(1);
  });

  it('a 2.5 MB message fails the whole saveMessages with a USER error naming it, and nothing is written', async () => {
    const thread = await s.memory.saveThread({ thread: newThread() });
    const messages = newMessages(thread, 5);
    messages[3] = newMessage(thread, 3, bigText(2.5 * MB));
    const before = rig.faults.counters.roundTrips;
    await userFailure(s.memory.saveMessages({ messages }), messages[3]!.id);
    expect(rig.faults.counters.roundTrips - before, 'refused before anything is sent').toBe(0);
    expect(await messageCount(thread.id)).toBe(0);
  });

  it('a message whose JSON escaping takes it over 2 MB fails saveMessages as USER naming it, and nothing is written', async () => {
    const thread = await s.memory.saveThread({ thread: newThread() });
    // 350,000 bytes of text, but each control character is six once JSON-escaped (\u0001): 2.1 MB stored.
    const message = newMessage(thread, 0, '\u0001'.repeat(350_000));
    const before = rig.faults.counters.roundTrips;
    await userFailure(s.memory.saveMessages({ messages: [message] }), message.id);
    expect(rig.faults.counters.roundTrips - before, 'refused before anything is sent').toBe(0);
    expect(await messageCount(thread.id)).toBe(0);
  });

  it('a 2.5 MB update of one message fails updateMessages as USER and leaves every message as it was', async () => {
    const thread = await s.memory.saveThread({ thread: newThread() });
    const messages = newMessages(thread, 4);
    await s.memory.saveMessages({ messages });
    const big = bigText(2.5 * MB);
    await userFailure(
      s.memory.updateMessages({
        messages: messages.map((m, i) => ({ id: m.id, content: { ...m.content, parts: [{ type: 'text' as const, text: i === 2 ? big : 'edited' }] } })),
      }),
      messages[2]!.id,
    );
    const { messages: after } = await s.memory.listMessagesById({ messageIds: messages.map((m) => m.id) });
    expect(after.map(textOf).sort()).toEqual(messages.map(textOf).sort());
    verified(4);
  });

  it('a 2.5 MB snapshot fails persistWorkflowSnapshot as USER naming the run, and nothing is written', async () => {
    const runId = uid('run');
    const snapshot = newSnapshot(runId, 'running', { big: { status: 'success', output: { payload: bigText(2.5 * MB) } } });
    await userFailure(s.workflows.persistWorkflowSnapshot({ workflowName: 'wf', runId, snapshot }), runId);
    expect(await s.workflows.loadWorkflowSnapshot({ workflowName: 'wf', runId })).toBeNull();
  });

  it('a 2.5 MB thread metadata value fails saveThread as USER naming the thread, and nothing is written', async () => {
    const thread = newThread({ metadata: { blob: bigText(2.5 * MB) } });
    await userFailure(s.memory.saveThread({ thread }), thread.id);
    expect(await s.memory.getThreadById({ threadId: thread.id })).toBeNull();
  });
});
