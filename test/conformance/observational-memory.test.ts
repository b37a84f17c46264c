import { Agent } from '@mastra/core/agent';
import { MastraError } from '@mastra/core/error';
import type { BufferedObservationChunkInput, MemoryStorage, ObservationalMemoryRecord } from '@mastra/core/storage';
import { Memory } from '@mastra/memory';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { D1Store } from '../../src';
import { faultyD1 } from '../support/faults';
import { CLIENT_KINDS, uniquePrefix, useHarness } from '../support/harness';

const h = useHarness();

let counter = 0;
/** A few ms, so records created one after the other get distinct timestamps for date-window reads. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
const uid = (label: string) => `${label}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

const chunkInput = (cycleId: string, messageTokens: number, extra: Partial<BufferedObservationChunkInput> = {}): BufferedObservationChunkInput => ({
  cycleId,
  observations: `obs ${cycleId}`,
  tokenCount: 10,
  messageIds: [`${cycleId}-m1`, `${cycleId}-m2`],
  messageTokens,
  lastObservedAt: new Date('2026-01-01T00:00:00.000Z'),
  ...extra,
});

/** Expects a USER MastraError whose id ends with `suffix`. */
async function expectUserError(promise: Promise<unknown>, suffix = 'INVALID_ARGS'): Promise<MastraError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MastraError);
  expect((error as MastraError).category).toBe('USER');
  expect((error as MastraError).id).toMatch(new RegExp(`${suffix}$`));
  return error as MastraError;
}

describe.each(CLIENT_KINDS)('Observational Memory on %s', (kind) => {
  let memory: MemoryStorage;
  beforeAll(async () => {
    const store = await h.freshStore(kind);
    memory = (await store.getStore('memory'))!;
  });

  const init = (threadId: string | null, resourceId: string, config: Record<string, unknown> = { observation: { messageTokens: 1000 } }) =>
    memory.initializeObservationalMemory({ threadId, resourceId, scope: threadId ? 'thread' : 'resource', config, observedTimezone: 'Europe/Paris' });

  it('initializes a record per thread and per resource, and reads it back as stored', async () => {
    const threadId = uid('thread');
    const resourceId = uid('resource');
    expect(memory.supportsObservationalMemory).toBe(true);
    expect(await memory.getObservationalMemory(threadId, resourceId)).toBeNull();

    const threadRecord = await init(threadId, resourceId);
    expect(threadRecord).toMatchObject({
      scope: 'thread',
      threadId,
      resourceId,
      originType: 'initial',
      generationCount: 0,
      activeObservations: '',
      totalTokensObserved: 0,
      observationTokenCount: 0,
      pendingMessageTokens: 0,
      isReflecting: false,
      isObserving: false,
      isBufferingObservation: false,
      isBufferingReflection: false,
      lastBufferedAtTokens: 0,
      lastBufferedAtTime: null,
      config: { observation: { messageTokens: 1000 } },
      observedTimezone: 'Europe/Paris',
    });
    expect(threadRecord.createdAt).toBeInstanceOf(Date);
    expect(await memory.getObservationalMemory(threadId, resourceId)).toEqual(threadRecord);

    const resourceRecord = await init(null, resourceId);
    expect(resourceRecord).toMatchObject({ scope: 'resource', threadId: null, resourceId });
    expect((await memory.getObservationalMemory(null, resourceId))!.id).toBe(resourceRecord.id);
    expect((await memory.getObservationalMemory(threadId, resourceId))!.id).toBe(threadRecord.id);
  });

  it('initializing twice (two Workers racing) yields one record', async () => {
    const threadId = uid('thread');
    const records = await Promise.all([init(threadId, 'r'), init(threadId, 'r'), init(threadId, 'r')]);
    expect(new Set(records.map((r) => r.id)).size).toBe(1);
    expect(await memory.getObservationalMemoryHistory(threadId, 'r')).toHaveLength(1);
  });

  it('updates active observations: replaces text, accumulates the total, resets pending tokens', async () => {
    const record = await init(uid('thread'), 'r');
    await memory.setPendingMessageTokens(record.id, 500);
    const lastObservedAt = new Date('2026-02-03T04:05:06.789Z');
    await memory.updateActiveObservations({ id: record.id, observations: 'first', tokenCount: 40, lastObservedAt, observedMessageIds: ['m1', 'm2'] });
    await memory.updateActiveObservations({ id: record.id, observations: 'second', tokenCount: 60, lastObservedAt });
    const read = (await memory.getObservationalMemory(record.threadId, 'r'))!;
    expect(read).toMatchObject({ activeObservations: 'second', observationTokenCount: 60, totalTokensObserved: 100, pendingMessageTokens: 0, lastObservedAt });
    // As LibSQLStore: a call without observedMessageIds clears them.
    expect(read.observedMessageIds).toBeUndefined();
    expect(read.updatedAt.getTime()).toBeGreaterThanOrEqual(record.updatedAt.getTime());
  });

  it('buffers chunks in order, ignores a repeated cycle, and keeps lastBufferedAtTime unless given', async () => {
    const record = await init(uid('thread'), 'r');
    const at = new Date('2026-03-01T00:00:00.000Z');
    await memory.updateBufferedObservations({ id: record.id, chunk: chunkInput('c1', 100, { currentTask: 'task' }), lastBufferedAtTime: at });
    await memory.updateBufferedObservations({ id: record.id, chunk: chunkInput('c2', 200) });
    const before = (await memory.getObservationalMemory(record.threadId, 'r'))!;
    await memory.updateBufferedObservations({ id: record.id, chunk: chunkInput('c1', 999), lastBufferedAtTime: new Date() });
    const read = (await memory.getObservationalMemory(record.threadId, 'r'))!;
    expect(read).toEqual(before);
    expect(read.lastBufferedAtTime).toEqual(at);
    expect(read.bufferedObservationChunks!.map((c) => [c.cycleId, c.messageTokens])).toEqual([
      ['c1', 100],
      ['c2', 200],
    ]);
    expect(read.bufferedObservationChunks![0]).toMatchObject({
      observations: 'obs c1',
      tokenCount: 10,
      messageIds: ['c1-m1', 'c1-m2'],
      currentTask: 'task',
      lastObservedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(read.bufferedObservationChunks![0]!.id).toMatch(/^ombuf-/);
  });

  it('keeps every chunk when Workers buffer concurrently', async () => {
    const record = await init(uid('thread'), 'r');
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((c) => memory.updateBufferedObservations({ id: record.id, chunk: chunkInput(c, 10) })));
    const read = (await memory.getObservationalMemory(record.threadId, 'r'))!;
    expect(read.bufferedObservationChunks!.map((c) => c.cycleId).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('swaps buffered chunks to active partially, then the rest, with message-boundary lines', async () => {
    const record = await init(uid('thread'), 'r');
    await memory.setPendingMessageTokens(record.id, 1000);
    for (const [cycle, tokens] of [
      ['c1', 300],
      ['c2', 300],
      ['c3', 300],
    ] as const) {
      await memory.updateBufferedObservations({
        id: record.id,
        chunk: chunkInput(cycle, tokens, { suggestedContinuation: `next ${cycle}`, lastObservedAt: new Date(`2026-01-0${cycle[1]}T00:00:00Z`) }),
      });
    }
    // Retention floor 1000 * (1 - 0.5) = 500, target 1200 - 500 = 700: 3 chunks (900) would leave 300 < 500, so 2 (600).
    const first = await memory.swapBufferedToActive({ id: record.id, activationRatio: 0.5, messageTokensThreshold: 1000, currentPendingTokens: 1200 });
    expect(first).toEqual({
      chunksActivated: 2,
      messageTokensActivated: 600,
      observationTokensActivated: 20,
      messagesActivated: 4,
      activatedCycleIds: ['c1', 'c2'],
      activatedMessageIds: ['c1-m1', 'c1-m2', 'c2-m1', 'c2-m2'],
      observations: 'obs c1\n\nobs c2',
      perChunk: [
        { cycleId: 'c1', messageTokens: 300, observationTokens: 10, messageCount: 2, observations: 'obs c1' },
        { cycleId: 'c2', messageTokens: 300, observationTokens: 10, messageCount: 2, observations: 'obs c2' },
      ],
      suggestedContinuation: 'next c2',
      currentTask: undefined,
    });
    let read = (await memory.getObservationalMemory(record.threadId, 'r'))!;
    expect(read).toMatchObject({
      activeObservations: 'obs c1\n\nobs c2',
      observationTokenCount: 20,
      pendingMessageTokens: 400,
      lastObservedAt: new Date('2026-01-02T00:00:00Z'),
    });
    expect(read.bufferedObservationChunks!.map((c) => c.cycleId)).toEqual(['c3']);

    const explicit = new Date('2026-05-05T05:05:05.005Z');
    const second = await memory.swapBufferedToActive({ id: record.id, activationRatio: 1, messageTokensThreshold: 1000, currentPendingTokens: 400, lastObservedAt: explicit });
    expect(second.activatedCycleIds).toEqual(['c3']);
    read = (await memory.getObservationalMemory(record.threadId, 'r'))!;
    expect(read.activeObservations).toBe('obs c1\n\nobs c2\n\n--- message boundary (2026-05-05T05:05:05.005Z) ---\n\nobs c3');
    expect(read).toMatchObject({ observationTokenCount: 30, pendingMessageTokens: 100, lastObservedAt: explicit });
    expect(read.bufferedObservationChunks).toBeUndefined();

    const none = await memory.swapBufferedToActive({ id: record.id, activationRatio: 1, messageTokensThreshold: 1000, currentPendingTokens: 0 });
    expect(none).toEqual({ chunksActivated: 0, messageTokensActivated: 0, observationTokensActivated: 0, messagesActivated: 0, activatedCycleIds: [], activatedMessageIds: [] });
  });

  it('activates each chunk once when two Workers swap at the same time', async () => {
    const record = await init(uid('thread'), 'r');
    for (const c of ['c1', 'c2', 'c3']) await memory.updateBufferedObservations({ id: record.id, chunk: chunkInput(c, 100) });
    const swap = () => memory.swapBufferedToActive({ id: record.id, activationRatio: 1, messageTokensThreshold: 100, currentPendingTokens: 300, forceMaxActivation: true });
    const results = await Promise.all([swap(), swap()]);
    expect(results.flatMap((r) => r.activatedCycleIds).sort()).toEqual(['c1', 'c2', 'c3']);
    const read = (await memory.getObservationalMemory(record.threadId, 'r'))!;
    expect(read.observationTokenCount).toBe(30);
    expect(read.bufferedObservationChunks).toBeUndefined();
  });

  it('loses no config key when Workers merge configs concurrently', async () => {
    const record = await init(uid('thread'), 'r', { base: { kept: true } });
    await Promise.all(['a', 'b', 'c', 'd'].map((key) => memory.updateObservationalMemoryConfig({ id: record.id, config: { base: { [key]: 1 }, [key]: true } })));
    const read = (await memory.getObservationalMemory(record.threadId, 'r'))!;
    expect(read.config).toEqual({ base: { kept: true, a: 1, b: 1, c: 1, d: 1 }, a: true, b: true, c: true, d: true });
  });

  it('swaps a buffered reflection once when two Workers race', async () => {
    const threadId = uid('thread');
    const record = await init(threadId, 'r');
    await memory.updateActiveObservations({ id: record.id, observations: 'a\nb', tokenCount: 2, lastObservedAt: new Date() });
    await memory.updateBufferedReflection({ id: record.id, reflection: 'R', tokenCount: 1, inputTokenCount: 2, reflectedObservationLineCount: 1 });
    const currentRecord = (await memory.getObservationalMemory(threadId, 'r'))!;
    const outcomes = await Promise.allSettled([1, 2].map(() => memory.swapBufferedReflectionToActive({ currentRecord, tokenCount: 1 })));
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await memory.getObservationalMemoryHistory(threadId, 'r')).map((r) => [r.generationCount, r.activeObservations])).toEqual([
      [1, 'R\n\nb'],
      [0, 'a\nb'],
    ]);
  });

  it('of Workers racing createReflectionGeneration from one record, exactly one creates the next generation', async () => {
    const tablePrefix = uniquePrefix('omrace');
    const stores = await Promise.all([h.freshStore(kind, { tablePrefix }), h.freshStore(kind, { tablePrefix })]);
    const [a, b] = await Promise.all(stores.map(async (store) => (await store.getStore('memory'))!));
    const threadId = uid('thread');
    const gen0 = await a!.initializeObservationalMemory({ threadId, resourceId: 'r', scope: 'thread', config: {} });
    const outcomes = await Promise.allSettled([a, b, a, b].map((m, i) => m!.createReflectionGeneration({ currentRecord: gen0, reflection: `reflection ${i}`, tokenCount: 1 })));
    const created = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    expect(created).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') await expectUserError(Promise.reject(o.reason), 'STALE_RECORD');
    expect((await b!.getObservationalMemoryHistory(threadId, 'r')).map((r) => [r.id, r.generationCount])).toEqual([
      [created[0]!.id, 1],
      [gen0.id, 0],
    ]);
    // A Worker still holding generation 0 after that cannot fork the history either.
    await expectUserError(a!.createReflectionGeneration({ currentRecord: gen0, reflection: 'late', tokenCount: 1 }), 'STALE_RECORD');
    expect(await a!.getObservationalMemory(threadId, 'r')).toEqual(created[0]);
  });

  it('creates reflection generations and lists history newest first with limit, offset and dates', async () => {
    const threadId = uid('thread');
    const gen0 = await init(threadId, 'r', { a: 1 });
    await memory.updateActiveObservations({ id: gen0.id, observations: 'long', tokenCount: 500, lastObservedAt: new Date('2026-01-01T00:00:00Z') });
    const current = (await memory.getObservationalMemory(threadId, 'r'))!;
    await pause();
    const gen1 = await memory.createReflectionGeneration({ currentRecord: current, reflection: 'short', tokenCount: 50 });
    expect(gen1).toMatchObject({
      threadId,
      resourceId: 'r',
      scope: 'thread',
      originType: 'reflection',
      generationCount: 1,
      activeObservations: 'short',
      observationTokenCount: 50,
      totalTokensObserved: 500,
      pendingMessageTokens: 0,
      lastObservedAt: new Date('2026-01-01T00:00:00Z'),
      config: { a: 1 },
      observedTimezone: 'Europe/Paris',
    });
    expect(await memory.getObservationalMemory(threadId, 'r')).toEqual(gen1);
    await pause();
    const gen2 = await memory.createReflectionGeneration({ currentRecord: gen1, reflection: 'shorter', tokenCount: 5 });

    const history = await memory.getObservationalMemoryHistory(threadId, 'r');
    expect(history.map((r) => r.generationCount)).toEqual([2, 1, 0]);
    expect((await memory.getObservationalMemoryHistory(threadId, 'r', 1)).map((r) => r.id)).toEqual([gen2.id]);
    expect((await memory.getObservationalMemoryHistory(threadId, 'r', 10, { offset: 1 })).map((r) => r.id)).toEqual([gen1.id, gen0.id]);
    expect((await memory.getObservationalMemoryHistory(threadId, 'r', 10, { from: gen1.createdAt })).map((r) => r.id)).toEqual([gen2.id, gen1.id]);
    expect((await memory.getObservationalMemoryHistory(threadId, 'r', 10, { to: gen1.createdAt })).map((r) => r.id)).toEqual([gen1.id, gen0.id]);
    expect(await memory.getObservationalMemoryHistory(threadId, 'r', 0)).toEqual([]);
  });

  it('buffers reflections and swaps them in with the observations added since', async () => {
    const threadId = uid('thread');
    const record = await init(threadId, 'r');
    await memory.updateActiveObservations({ id: record.id, observations: 'l1\nl2\nl3', tokenCount: 30, lastObservedAt: new Date() });
    await memory.updateBufferedReflection({ id: record.id, reflection: 'R1', tokenCount: 5, inputTokenCount: 20, reflectedObservationLineCount: 2 });
    await memory.updateBufferedReflection({ id: record.id, reflection: 'R2', tokenCount: 4, inputTokenCount: 10, reflectedObservationLineCount: 3 });
    let read = (await memory.getObservationalMemory(threadId, 'r'))!;
    expect(read).toMatchObject({ bufferedReflection: 'R1\n\nR2', bufferedReflectionTokens: 9, bufferedReflectionInputTokens: 30, reflectedObservationLineCount: 3 });

    // Observations grew after the reflection started: lines past the 3 reflected ones are kept.
    await memory.updateActiveObservations({ id: record.id, observations: 'l1\nl2\nl3\n  l4\nl5  \n', tokenCount: 50, lastObservedAt: new Date() });
    read = (await memory.getObservationalMemory(threadId, 'r'))!;
    const next = await memory.swapBufferedReflectionToActive({ currentRecord: read, tokenCount: 12 });
    expect(next).toMatchObject({ generationCount: 1, originType: 'reflection', activeObservations: 'R1\n\nR2\n\nl4\nl5', observationTokenCount: 12 });
    const old = (await memory.getObservationalMemoryHistory(threadId, 'r')).find((r) => r.id === record.id)!;
    expect(old.bufferedReflection).toBeUndefined();
    expect(old.bufferedReflectionTokens).toBeUndefined();
    expect(old.reflectedObservationLineCount).toBeUndefined();

    await expectUserError(memory.swapBufferedReflectionToActive({ currentRecord: read, tokenCount: 1 }));
    expect(await memory.getObservationalMemoryHistory(threadId, 'r')).toHaveLength(2);
  });

  it('swaps a reflection covering every line, or none, as core does', async () => {
    for (const [observations, lines, expected] of [
      ['a\nb', 5, 'R'],
      ['a\nb', 0, 'R\n\na\nb'],
      ['', 1, 'R'],
      ['a\n\u00a0b\u3000\n', 1, 'R\n\nb'],
    ] as const) {
      const threadId = uid('thread');
      const record = await init(threadId, 'r');
      await memory.updateActiveObservations({ id: record.id, observations, tokenCount: 1, lastObservedAt: new Date() });
      await memory.updateBufferedReflection({ id: record.id, reflection: 'R', tokenCount: 1, inputTokenCount: 1, reflectedObservationLineCount: lines });
      const next = await memory.swapBufferedReflectionToActive({ currentRecord: (await memory.getObservationalMemory(threadId, 'r'))!, tokenCount: 1 });
      expect(next.activeObservations).toBe(expected);
    }
  });

  it('sets each flag, the pending token count and lastBufferedAtTokens only when given', async () => {
    const record = await init(uid('thread'), 'r');
    await memory.setReflectingFlag(record.id, true);
    await memory.setObservingFlag(record.id, true);
    await memory.setBufferingObservationFlag(record.id, true, 1234);
    await memory.setBufferingReflectionFlag(record.id, true);
    await memory.setPendingMessageTokens(record.id, 777);
    let read = (await memory.getObservationalMemory(record.threadId, 'r'))!;
    expect(read).toMatchObject({ isReflecting: true, isObserving: true, isBufferingObservation: true, isBufferingReflection: true, lastBufferedAtTokens: 1234, pendingMessageTokens: 777 });
    await memory.setBufferingObservationFlag(record.id, false);
    await memory.setReflectingFlag(record.id, false);
    read = (await memory.getObservationalMemory(record.threadId, 'r'))!;
    expect(read).toMatchObject({ isReflecting: false, isBufferingObservation: false, lastBufferedAtTokens: 1234 });
  });

  it('deep-merges config updates in place, keeping nulls and replacing arrays', async () => {
    const record = await init(uid('thread'), 'r', { observation: { messageTokens: 1000, model: 'a', list: [1, 2] }, reflection: { observationTokens: 5 }, scope: 'thread' });
    await memory.updateObservationalMemoryConfig({
      id: record.id,
      config: { observation: { messageTokens: 2000, list: [3], extra: null }, reflection: 7, _overrides: { a: { b: null } }, untouched: undefined },
    });
    const read = (await memory.getObservationalMemory(record.threadId, 'r'))!;
    expect(read.config).toEqual({
      observation: { messageTokens: 2000, model: 'a', list: [3], extra: null },
      reflection: 7,
      scope: 'thread',
      _overrides: { a: { b: null } },
    });
  });

  it('inserts a complete record as given and clears a thread without touching others', async () => {
    const threadId = uid('thread');
    const other = await init(uid('thread'), 'r');
    const full: ObservationalMemoryRecord = {
      id: uid('om'),
      scope: 'thread',
      threadId,
      resourceId: 'r',
      createdAt: new Date('2026-01-01T00:00:00.000Z'),
      updatedAt: new Date('2026-01-02T00:00:00.000Z'),
      lastObservedAt: new Date('2026-01-03T00:00:00.000Z'),
      originType: 'reflection',
      generationCount: 3,
      activeObservations: 'obs',
      bufferedObservationChunks: [{ id: 'ombuf-1', cycleId: 'c', observations: 'o', tokenCount: 1, messageIds: ['m'], messageTokens: 2, lastObservedAt: '2026-01-01T00:00:00.000Z' as unknown as Date, createdAt: '2026-01-01T00:00:00.000Z' as unknown as Date }],
      bufferedReflection: 'br',
      bufferedReflectionTokens: 4,
      bufferedReflectionInputTokens: 8,
      reflectedObservationLineCount: 2,
      observedMessageIds: ['m'],
      observedTimezone: 'UTC',
      totalTokensObserved: 100,
      observationTokenCount: 10,
      pendingMessageTokens: 5,
      isReflecting: true,
      isObserving: false,
      isBufferingObservation: true,
      isBufferingReflection: false,
      lastBufferedAtTokens: 9,
      lastBufferedAtTime: new Date('2026-01-04T00:00:00.000Z'),
      config: { x: { y: 1 } },
      metadata: { cloned: true },
    };
    await memory.insertObservationalMemoryRecord(full);
    expect(await memory.getObservationalMemory(threadId, 'r')).toEqual({ ...full, bufferedObservations: undefined, bufferedObservationTokens: undefined, bufferedMessageIds: undefined });

    await memory.clearObservationalMemory(threadId, 'r');
    expect(await memory.getObservationalMemory(threadId, 'r')).toBeNull();
    expect(await memory.getObservationalMemoryHistory(threadId, 'r')).toEqual([]);
    expect((await memory.getObservationalMemory(other.threadId, 'r'))!.id).toBe(other.id);
  });

  it('reports an unknown record id and writes nothing', async () => {
    const id = uid('missing');
    const at = new Date();
    for (const call of [
      () => memory.updateActiveObservations({ id, observations: 'x', tokenCount: 1, lastObservedAt: at }),
      () => memory.updateBufferedObservations({ id, chunk: chunkInput('c', 1) }),
      () => memory.updateBufferedReflection({ id, reflection: 'x', tokenCount: 1, inputTokenCount: 1, reflectedObservationLineCount: 0 }),
      () => memory.setReflectingFlag(id, true),
      () => memory.setObservingFlag(id, true),
      () => memory.setBufferingObservationFlag(id, true, 1),
      () => memory.setBufferingReflectionFlag(id, true),
      () => memory.setPendingMessageTokens(id, 1),
      () => memory.updateObservationalMemoryConfig({ id, config: { a: 1 } }),
    ]) {
      await expectUserError(call(), 'NOT_FOUND');
    }
    const ghost = { id, scope: 'thread', threadId: uid('thread'), resourceId: 'r', generationCount: 0, config: {} } as unknown as ObservationalMemoryRecord;
    await expectUserError(memory.swapBufferedReflectionToActive({ currentRecord: ghost, tokenCount: 1 }), 'NOT_FOUND');
    await expectUserError(memory.swapBufferedToActive({ id, activationRatio: 1, messageTokensThreshold: 1, currentPendingTokens: 1 }), 'NOT_FOUND');
    expect(await memory.getObservationalMemoryHistory(ghost.threadId, 'r')).toEqual([]);
  });

  it('rejects bad input with a USER error before writing', async () => {
    const record = await init(uid('thread'), 'r');
    const before = await memory.getObservationalMemory(record.threadId, 'r');
    await expectUserError(memory.getObservationalMemory(null, ''));
    await expectUserError(memory.getObservationalMemoryHistory('t', 'r', -1));
    await expectUserError(memory.getObservationalMemoryHistory('t', 'r', 10, { offset: 1.5 }));
    await expectUserError(memory.initializeObservationalMemory({ threadId: 't', resourceId: '', scope: 'thread', config: {} }));
    await expectUserError(memory.initializeObservationalMemory({ threadId: 't', resourceId: 'r', scope: 'nope' as 'thread', config: {} }));
    await expectUserError(memory.updateActiveObservations({ id: record.id, observations: 'x', tokenCount: Number.NaN, lastObservedAt: new Date() }));
    await expectUserError(memory.updateActiveObservations({ id: record.id, observations: 'x', tokenCount: 1, lastObservedAt: new Date('nope') }));
    await expectUserError(memory.updateBufferedObservations({ id: record.id, chunk: { ...chunkInput('c', 1), cycleId: '' } }));
    await expectUserError(memory.setPendingMessageTokens(record.id, 'x' as unknown as number));
    await expectUserError(memory.setReflectingFlag('', true));
    await expectUserError(memory.updateObservationalMemoryConfig({ id: record.id, config: [] as unknown as Record<string, unknown> }));
    await expectUserError(memory.swapBufferedToActive({ id: record.id, activationRatio: Number.NaN, messageTokensThreshold: 1, currentPendingTokens: 1 }));
    expect(await memory.getObservationalMemory(record.threadId, 'r')).toEqual(before);
  });

  it('rejects a value over 2 MB naming the record, and writes nothing', async () => {
    const record = await init(uid('thread'), 'r');
    const before = await memory.getObservationalMemory(record.threadId, 'r');
    const huge = 'x'.repeat(2_000_001);
    const error = await expectUserError(memory.updateActiveObservations({ id: record.id, observations: huge, tokenCount: 1, lastObservedAt: new Date() }));
    expect(error.message).toContain(record.id);
    await expectUserError(memory.updateBufferedObservations({ id: record.id, chunk: chunkInput('c', 1, { observations: huge }) }));
    await expectUserError(memory.updateBufferedReflection({ id: record.id, reflection: huge, tokenCount: 1, inputTokenCount: 1, reflectedObservationLineCount: 0 }));
    await expectUserError(memory.createReflectionGeneration({ currentRecord: record, reflection: huge, tokenCount: 1 }));
    await expectUserError(memory.updateObservationalMemoryConfig({ id: record.id, config: { big: huge } }));
    expect(await memory.getObservationalMemoryHistory(record.threadId, 'r')).toEqual([before]);
  });

  it('stores observations near the 2 MB limit byte-exact', async () => {
    const record = await init(uid('thread'), 'r');
    const text = 'é'.repeat(999_000) + '\n✓';
    await memory.updateActiveObservations({ id: record.id, observations: text, tokenCount: 1, lastObservedAt: new Date() });
    expect((await memory.getObservationalMemory(record.threadId, 'r'))!.activeObservations).toBe(text);
  });
});

describe('Observational Memory round trips and atomicity (binding)', () => {
  const setup = async () => {
    const faulty = faultyD1(h.d1.db);
    const store = new D1Store({ id: 'om-faults', tablePrefix: uniquePrefix('om'), binding: faulty.db });
    await store.init();
    const memory = (await store.getStore('memory'))!;
    return { faulty, memory };
  };

  it('takes one round trip per call, swaps included', async () => {
    const { faulty, memory } = await setup();
    const trips = async (call: () => Promise<unknown>) => {
      faulty.mark();
      await call();
      return faulty.since().roundTrips;
    };
    const record = await memory.initializeObservationalMemory({ threadId: 't', resourceId: 'r', scope: 'thread', config: {} });
    expect(await trips(() => memory.initializeObservationalMemory({ threadId: 't2', resourceId: 'r', scope: 'thread', config: {} }))).toBe(1);
    expect(await trips(() => memory.getObservationalMemory('t', 'r'))).toBe(1);
    expect(await trips(() => memory.getObservationalMemoryHistory('t', 'r', 5, { offset: 0 }))).toBe(1);
    expect(await trips(() => memory.updateBufferedObservations({ id: record.id, chunk: chunkInput('c1', 10) }))).toBe(1);
    expect(await trips(() => memory.swapBufferedToActive({ id: record.id, activationRatio: 1, messageTokensThreshold: 10, currentPendingTokens: 10 }))).toBe(1);
    expect(await trips(() => memory.updateActiveObservations({ id: record.id, observations: 'a\nb', tokenCount: 1, lastObservedAt: new Date() }))).toBe(1);
    expect(await trips(() => memory.updateBufferedReflection({ id: record.id, reflection: 'R', tokenCount: 1, inputTokenCount: 1, reflectedObservationLineCount: 1 }))).toBe(1);
    const current = (await memory.getObservationalMemory('t', 'r'))!;
    expect(await trips(() => memory.swapBufferedReflectionToActive({ currentRecord: current, tokenCount: 1 }))).toBe(1);
    const latest = (await memory.getObservationalMemory('t', 'r'))!;
    expect(await trips(() => memory.createReflectionGeneration({ currentRecord: latest, reflection: 'x', tokenCount: 1 }))).toBe(1);
    expect(await trips(() => memory.setBufferingObservationFlag(record.id, true, 5))).toBe(1);
    expect(await trips(() => memory.updateObservationalMemoryConfig({ id: record.id, config: { a: 1 } }))).toBe(1);
    expect(await trips(() => memory.clearObservationalMemory('t', 'r'))).toBe(1);
    expect(faulty.violations).toEqual([]);
  });

  it('leaves the record untouched when a swap batch fails part-way', async () => {
    const { faulty, memory } = await setup();
    const record = await memory.initializeObservationalMemory({ threadId: 't', resourceId: 'r', scope: 'thread', config: {} });
    await memory.updateActiveObservations({ id: record.id, observations: 'a\nb', tokenCount: 1, lastObservedAt: new Date() });
    await memory.updateBufferedReflection({ id: record.id, reflection: 'R', tokenCount: 1, inputTokenCount: 1, reflectedObservationLineCount: 1 });
    const before = await memory.getObservationalMemoryHistory('t', 'r');
    faulty.arm({ statement: 3 });
    await expect(memory.swapBufferedReflectionToActive({ currentRecord: before[0]!, tokenCount: 1 })).rejects.toBeInstanceOf(MastraError);
    expect(faulty.fired).toBe(true);
    expect(await memory.getObservationalMemoryHistory('t', 'r')).toEqual(before);
  });
});

describe('Observational Memory schema upgrade (binding)', () => {
  it('a database from before the UNIQUE generation index keeps the duplicate readers saw, and gets the index', async () => {
    const tablePrefix = uniquePrefix('omuidx');
    const memory = (await (await h.freshStore('binding', { tablePrefix })).getStore('memory'))!;
    const table = `${tablePrefix}mastra_observational_memory`;
    const sql = async (text: string, ...params: unknown[]) => (await h.d1.db.prepare(text).bind(...params).all()).results ?? [];
    // The schema as it was: a plain (lookupKey, generationCount) index and no schema marker for this version.
    await sql(`DROP INDEX "${table}_lookup_generation_uidx"`);
    await sql(`CREATE INDEX "${table}_lookup_idx" ON "${table}" ("lookupKey", "generationCount")`);
    await sql(`DELETE FROM "${tablePrefix}mastra_d1_schema"`);
    const gen0 = await memory.initializeObservationalMemory({ threadId: 't', resourceId: 'r', scope: 'thread', config: {} });
    for (const id of ['racer-1', 'racer-2']) {
      await memory.insertObservationalMemoryRecord({ ...gen0, id, originType: 'reflection', generationCount: 1, activeObservations: id });
    }
    expect((await memory.getObservationalMemory('t', 'r'))!.id).toBe('racer-2');

    const upgraded = (await (await h.freshStore('binding', { tablePrefix })).getStore('memory'))!;
    expect((await upgraded.getObservationalMemoryHistory('t', 'r')).map((r) => r.id)).toEqual(['racer-2', gen0.id]);
    const indexes = await sql(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`, table);
    expect(indexes.map((row) => (row as { name: string }).name)).toEqual([`${table}_lookup_generation_uidx`]);
    const duplicate = { ...gen0, id: 'racer-3', generationCount: 1 };
    await expect(upgraded.insertObservationalMemoryRecord(duplicate)).rejects.toThrow(/UNIQUE constraint failed/);
  });
});

/** A deterministic text-only model (AI SDK LanguageModelV2): `reply` sees the prompt, `prompts` records it. */
function textModel(modelId: string, reply: (prompt: string) => string) {
  const prompts: string[] = [];
  const usage = { inputTokens: 10, outputTokens: 10, totalTokens: 20 };
  const answer = (options: { prompt: unknown }) => {
    const prompt = JSON.stringify(options.prompt);
    prompts.push(prompt);
    return reply(prompt);
  };
  const model = {
    specificationVersion: 'v2',
    provider: 'test',
    modelId,
    supportedUrls: {},
    async doGenerate(options: { prompt: unknown }) {
      return { content: [{ type: 'text', text: answer(options) }], finishReason: 'stop', usage, warnings: [] };
    },
    async doStream(options: { prompt: unknown }) {
      const parts = [
        { type: 'stream-start', warnings: [] },
        { type: 'text-start', id: 't' },
        { type: 'text-delta', id: 't', delta: answer(options) },
        { type: 'text-end', id: 't' },
        { type: 'finish', usage, finishReason: 'stop' },
      ];
      return { stream: new ReadableStream({ start: (controller) => (parts.forEach((part) => controller.enqueue(part)), controller.close()) }) };
    },
  };
  return { model: model as never, prompts };
}

const OM_METHODS = ['updateBufferedObservations', 'swapBufferedToActive', 'updateActiveObservations', 'createReflectionGeneration', 'updateBufferedReflection', 'swapBufferedReflectionToActive'] as const;

/**
 * Spies on every method of `target`. `settled()` resolves once every call made so far has settled, and
 * again for any call made meanwhile (a `.catch()`-ed flag write started as a background operation ends).
 */
function trackCalls<T extends object>(target: T) {
  const names = new Set<string>();
  for (let proto: object | null = target; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(proto, name)?.value === 'function') names.add(name);
    }
  }
  const spies = new Map([...names].map((name) => [name, vi.spyOn(target as Record<string, (...args: unknown[]) => unknown>, name)]));
  const started = () => [...spies.values()].flatMap((spy) => spy.mock.results.map((result) => result.value as unknown));
  return {
    spy: (name: keyof T & string) => spies.get(name)!,
    async settled() {
      for (let seen = -1; seen !== started().length; ) {
        const calls = started();
        seen = calls.length;
        await Promise.allSettled(calls);
      }
    },
  };
}

describe('Observational Memory under a real Agent (binding)', () => {
  it('buffers, activates and reflects through @mastra/memory, and a new D1Store reads it back', async () => {
    const tablePrefix = uniquePrefix('omagent');
    const store = await h.freshStore('binding', { tablePrefix });
    const memory = (await store.getStore('memory'))!;
    const calls = trackCalls(memory);
    let cycle = 0;
    // The observer and the reflector share one model; the reflector's prompt is the one asking to reflect.
    const observer = textModel('observer', (prompt) =>
      /reflect/i.test(prompt.slice(0, 3000))
        ? `<observations>\n* 🔴 Reflected summary ${++cycle}\n</observations>`
        : `<observations>\n* 🔴 (10:0${++cycle}) User talked about topic ${cycle} ${'detail '.repeat(20)}\n</observations>\n<current-task>chat</current-task>`,
    );
    const actor = textModel('actor', () => `Sure. ${'answer '.repeat(30)}`);
    const agentMemory = new Memory({
      storage: store,
      options: {
        lastMessages: 20,
        observationalMemory: {
          model: observer.model,
          observation: { messageTokens: 300, bufferTokens: 0.25, bufferActivation: 0.8 },
          reflection: { observationTokens: 150, bufferActivation: 0.5 },
        },
      },
    });
    const agent = new Agent({ id: 'om-agent', name: 'om-agent', instructions: 'Chat.', model: actor.model, memory: agentMemory });
    const engine = (await agentMemory.omEngine)!;

    for (let turn = 0; turn < 10; turn++) {
      await agent.generate(`Turn ${turn}: ${'word '.repeat(80)}`, { memory: { thread: 'om-thread', resource: 'om-user' } });
      // As between a user's messages, the background buffering this turn started finishes, and with it
      // every storage write it made (its flag writes are not awaited by @mastra/memory itself).
      await engine.waitForBuffering('om-thread', 'om-user');
      await calls.settled();
    }

    const count = (method: (typeof OM_METHODS)[number]) => calls.spy(method).mock.calls.length;
    expect(count('updateBufferedObservations')).toBeGreaterThan(0);
    expect(count('swapBufferedToActive')).toBeGreaterThan(0);
    expect(count('createReflectionGeneration') + count('swapBufferedReflectionToActive')).toBeGreaterThan(0);
    for (const method of OM_METHODS) expect(calls.spy(method).mock.settledResults.every((result) => result.type === 'fulfilled')).toBe(true);

    const history = await memory.getObservationalMemoryHistory('om-thread', 'om-user');
    expect(history[0]).toMatchObject({ originType: 'reflection', threadId: 'om-thread', resourceId: 'om-user' });
    expect(history[0]!.generationCount).toBe(history.length - 1);
    expect(history[0]!.activeObservations).toContain('Reflected summary');
    // The actor's last prompt carried the observations loaded from D1.
    expect(actor.prompts.at(-1)).toContain('Reflected summary');

    const reopened = (await (await h.freshStore('binding', { tablePrefix })).getStore('memory'))!;
    expect(await reopened.getObservationalMemoryHistory('om-thread', 'om-user')).toEqual(history);
  });
});
