import { describe, expect, it } from 'vitest';
import { PERMANENT_D1_MESSAGES, TRANSIENT_D1_MESSAGES } from '../support/faults';
import { failure, userFailure } from './assertions';
import { bigText, newMessage, newMessages, newThread, textOf } from './builders';
import { verified } from './figures';
import { useRig } from './rig';

const rig = useRig(import.meta.url);

// The custom client's batch is statement by statement (not atomic), so no all-or-nothing claim is made
// here: only what holds for every transport.
describe('the custom client option', () => {
  const s = rig.useDomains('custom');

  it('retries a transient error on an idempotent write, before or after it applied, and keeps one copy', async () => {
    for (const message of TRANSIENT_D1_MESSAGES) {
      for (const afterExecute of [false, true]) {
        const thread = await s.memory.saveThread({ thread: newThread() });
        const messages = newMessages(thread, 4);
        rig.faults.arm({ roundTrip: 1, message, afterExecute });
        await s.memory.saveMessages({ messages });
        expect(rig.faults.fired).toBe(true);
        expect(await s.count('mastra_messages', 'thread_id = ?', thread.id)).toBe(4);
        verified(4);
      }
    }
  });

  it('throws a permanent error after one attempt, and a failing read throws', async () => {
    const thread = await s.memory.saveThread({ thread: newThread() });
    rig.faults.arm({ roundTrip: 1, message: PERMANENT_D1_MESSAGES[0], repeat: 3 });
    await failure(s.memory.saveThread({ thread: newThread() }));
    expect(rig.faults.since().roundTrips).toBe(1);
    rig.faults.arm({ roundTrip: 1, message: PERMANENT_D1_MESSAGES[1], repeat: 3 });
    await failure(s.memory.getThreadById({ threadId: thread.id }));
    rig.faults.arm({ roundTrip: 1, message: TRANSIENT_D1_MESSAGES[0], repeat: 5 });
    await failure(s.memory.listMessages({ threadId: thread.id }));
  });

  it('refuses a 2.5 MB message before sending anything, and round-trips tricky text exactly', async () => {
    const thread = await s.memory.saveThread({ thread: newThread({ title: `it's "x" 🙂 \u0001 '); DROP TABLE t; --` }) });
    const before = rig.faults.counters.roundTrips;
    await userFailure(s.memory.saveMessages({ messages: [newMessage(thread, 0, bigText(2_500_000))] }));
    expect(rig.faults.counters.roundTrips).toBe(before);
    const text = bigText(300_000);
    const message = newMessage(thread, 1, text);
    await s.memory.saveMessages({ messages: [message] });
    expect(textOf((await s.memory.listMessagesById({ messageIds: [message.id] })).messages[0]!) === text).toBe(true);
    expect((await s.memory.getThreadById({ threadId: thread.id }))!.title).toBe(thread.title);
  });
});
