import { ErrorCategory } from '@mastra/core/error';
import type { BufferedObservationChunkInput } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { D1Store } from '../../src';
import type { D1Client } from '../../src/client/types';
import { PERMANENT_D1_MESSAGES, TRANSIENT_D1_MESSAGES } from '../support/faults';
import { customClientOver } from '../support/harness';
import { failure, userFailure } from './assertions';
import { bigText, newMessage, newMessages, newThread, textOf, uid } from './builders';
import { verified } from './figures';
import { FAST_RETRY, useRig } from './rig';

const rig = useRig(import.meta.url);

// The custom client's batch is statement by statement (not atomic), so no all-or-nothing claim is made
// here: only what holds for every transport, and how the operations that need more behave.
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

const chunk = (cycleId: string): BufferedObservationChunkInput => ({
  cycleId,
  observations: `observed ${cycleId}`,
  tokenCount: 10,
  messageIds: [`${cycleId}-m1`],
  messageTokens: 100,
  lastObservedAt: new Date('2026-01-01T00:00:00.000Z'),
});

describe('operations that need an atomic batch, on the custom client option', () => {
  const s = rig.useDomains('custom');

  it('copyThread and cloneThread are refused with a USER error naming the option, before anything is sent', async () => {
    const thread = await s.memory.saveThread({ thread: newThread() });
    await s.memory.saveMessages({ messages: newMessages(thread, 3) });
    const before = rig.faults.counters.roundTrips;
    for (const call of [
      () => s.memory.copyThread({ sourceThreadId: thread.id, newThreadId: `${thread.id}-copy` }),
      () => s.memory.cloneThread({ sourceThreadId: thread.id, newThreadId: `${thread.id}-copy` }),
    ]) {
      const error = await userFailure(call, /`client`.*`binding`.*REST/s);
      expect(error.id).toMatch(/ATOMIC_BATCH_REQUIRED$/);
    }
    expect(rig.faults.counters.roundTrips).toBe(before);
    expect(await s.count('mastra_threads', 'id = ?', `${thread.id}-copy`)).toBe(0);
    expect(await s.count('mastra_messages', 'thread_id = ?', `${thread.id}-copy`)).toBe(0);
  });

  /** A store on `s`'s tables whose client runs `between` once right after each activation snapshot read. */
  function storeInterleaving(between: () => Promise<void>, times: number) {
    const inner = customClientOver(rig.faults.db);
    let left = times;
    const client: D1Client = {
      async query(args) {
        const result = await inner.query(args);
        if (left > 0 && args.sql.includes('AS activated')) {
          left -= 1;
          await between();
        }
        return result;
      },
    };
    return new D1Store({ id: 'rel-custom-interleaved', tablePrefix: s.prefix, client, retry: FAST_RETRY, disableInit: true });
  }

  const swapAll = (id: string) => ({ id, activationRatio: 1, messageTokensThreshold: 100, currentPendingTokens: 1000, forceMaxActivation: true });

  it('swapBufferedToActive reports exactly the chunks it activated when another Worker buffers one mid-swap', async () => {
    const resourceId = uid('res');
    const record = await s.memory.initializeObservationalMemory({ threadId: null, resourceId, scope: 'resource', config: {} });
    for (const c of ['c1', 'c2']) await s.memory.updateBufferedObservations({ id: record.id, chunk: chunk(c) });
    const racing = (await storeInterleaving(() => s.memory.updateBufferedObservations({ id: record.id, chunk: chunk('c3') }), 1).getStore('memory'))!;

    rig.faults.mark();
    const result = await racing.swapBufferedToActive(swapAll(record.id));
    // A snapshot read, the other Worker's append, an update that found the buffer changed, a second snapshot and update.
    expect(rig.faults.since().roundTrips).toBe(5);
    expect(result.activatedCycleIds).toEqual(['c1', 'c2', 'c3']);
    const after = (await s.memory.getObservationalMemory(null, resourceId))!;
    expect(after.bufferedObservationChunks).toBeUndefined();
    expect(after.activeObservations).toBe('observed c1\n\nobserved c2\n\nobserved c3');
    expect(after.observationTokenCount).toBe(result.observationTokensActivated);
    verified(1);
  });

  it('swapBufferedToActive gives up, activating nothing, when the buffer changes under every attempt', async () => {
    const resourceId = uid('res');
    const record = await s.memory.initializeObservationalMemory({ threadId: null, resourceId, scope: 'resource', config: {} });
    await s.memory.updateBufferedObservations({ id: record.id, chunk: chunk('c0') });
    let n = 0;
    const racing = (await storeInterleaving(() => s.memory.updateBufferedObservations({ id: record.id, chunk: chunk(`late${++n}`) }), 3).getStore('memory'))!;

    const error = await failure(racing.swapBufferedToActive(swapAll(record.id)));
    expect(error.category).toBe(ErrorCategory.THIRD_PARTY);
    expect(error.message).toMatch(/changed under each of 3 activation attempts/);
    const after = (await s.memory.getObservationalMemory(null, resourceId))!;
    expect(after.activeObservations).toBe('');
    expect(after.bufferedObservationChunks!.map((c) => c.cycleId)).toEqual(['c0', 'late1', 'late2', 'late3']);
    verified(1);
  });
});
