import type { BufferedObservationChunkInput, MemoryStorage, ObservationalMemoryRecord } from '@mastra/core/storage';
import { LibSQLStore } from '@mastra/libsql';
import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../support/harness';

// Each scenario runs the same Observational Memory calls on LibSQLStore (the oracle) and on D1Store and
// returns a trace of every result and record. The traces must be equal once what each store generates
// on its own is masked: record and chunk ids, and the creation/update times taken from the clock.

const h = useHarness();

let libsql: MemoryStorage;
let d1: MemoryStorage;

beforeAll(async () => {
  const libsqlStore = new LibSQLStore({ id: 'om-parity', url: ':memory:' });
  await libsqlStore.init();
  libsql = (await libsqlStore.getStore('memory'))!;
  d1 = (await (await h.freshStore('binding')).getStore('memory'))!;
});

const GENERATED = new Set(['id', 'createdAt', 'updatedAt']);

/** JSON of a trace with generated values masked (`<id>`, `<time>`) and undefined fields dropped. */
function comparable(trace: unknown, ids: Set<string>): unknown {
  return JSON.parse(
    JSON.stringify(trace, (key, value: unknown) => {
      if (GENERATED.has(key) && value != null) return key === 'id' ? '<id>' : '<time>';
      if (typeof value === 'string' && ids.has(value)) return '<id>';
      return value;
    }),
  );
}

let run = 0;
/** Runs `scenario` on both stores (own thread ids per run) and compares the traces. */
async function expectParity(scenario: (m: MemoryStorage, thread: string, ids: Set<string>) => Promise<unknown[]>): Promise<unknown[]> {
  run += 1;
  const libsqlIds = new Set<string>();
  const d1Ids = new Set<string>();
  const expected = await scenario(libsql, `thread-${run}`, libsqlIds);
  const actual = await scenario(d1, `thread-${run}`, d1Ids);
  expect(comparable(actual, d1Ids)).toEqual(comparable(expected, libsqlIds));
  return actual;
}

/** A call's result, or that it failed. */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await call() };
  } catch {
    return { failed: true };
  }
}

const chunk = (cycleId: string, messageTokens: number, day: number, extra: Partial<BufferedObservationChunkInput> = {}): BufferedObservationChunkInput => ({
  cycleId,
  observations: `observed ${cycleId}`,
  tokenCount: messageTokens / 10,
  messageIds: [`${cycleId}-a`, `${cycleId}-b`],
  messageTokens,
  lastObservedAt: new Date(Date.UTC(2026, 0, day)),
  suggestedContinuation: `continue ${cycleId}`,
  currentTask: day % 2 ? `task ${cycleId}` : undefined,
  ...extra,
});

const start = async (m: MemoryStorage, thread: string, ids: Set<string>, config: Record<string, unknown> = { observation: { messageTokens: 1000 }, scope: 'thread' }) => {
  const record = await m.initializeObservationalMemory({ threadId: thread, resourceId: 'res', scope: 'thread', config, observedTimezone: 'UTC' });
  ids.add(record.id);
  return record;
};
const current = (m: MemoryStorage, thread: string) => m.getObservationalMemory(thread, 'res');
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('Observational Memory parity with LibSQLStore', () => {
  it('initialize and read, thread and resource scope', async () => {
    await expectParity(async (m, thread, ids) => {
      const byThread = await start(m, thread, ids);
      const byResource = await m.initializeObservationalMemory({ threadId: null, resourceId: `${thread}-owner`, scope: 'resource', config: { a: [1, { b: null }] } });
      ids.add(byResource.id);
      return [
        byThread,
        byResource,
        await current(m, thread),
        await m.getObservationalMemory(null, `${thread}-owner`),
        await m.getObservationalMemory(`${thread}-none`, 'res'),
        await m.getObservationalMemory(null, `${thread}-none`),
      ];
    });
  });

  it('active observations, flags, pending tokens', async () => {
    await expectParity(async (m, thread, ids) => {
      const { id } = await start(m, thread, ids);
      const trace: unknown[] = [];
      await m.updateActiveObservations({ id, observations: 'one', tokenCount: 11, lastObservedAt: new Date('2026-01-01T10:00:00Z'), observedMessageIds: ['m1'], observedTimezone: 'Asia/Tokyo' });
      trace.push(await current(m, thread));
      await m.updateActiveObservations({ id, observations: 'one\ntwo', tokenCount: 22, lastObservedAt: new Date('2026-01-02T10:00:00Z') });
      trace.push(await current(m, thread));
      await m.setReflectingFlag(id, true);
      await m.setObservingFlag(id, true);
      await m.setBufferingObservationFlag(id, true, 300);
      await m.setBufferingReflectionFlag(id, true);
      await m.setPendingMessageTokens(id, 450);
      trace.push(await current(m, thread));
      await m.setBufferingObservationFlag(id, false);
      await m.setObservingFlag(id, false);
      await m.setPendingMessageTokens(id, 0);
      trace.push(await current(m, thread));
      return trace;
    });
  });

  it('buffered observation chunks, repeated cycles and lastBufferedAtTime', async () => {
    await expectParity(async (m, thread, ids) => {
      const { id } = await start(m, thread, ids);
      await m.updateBufferedObservations({ id, chunk: chunk('c1', 100, 1, { threadTitle: 'T', extractedValues: { k: [1] }, extractionFailures: [{ slug: 's', error: 'e' }] }) });
      await m.updateBufferedObservations({ id, chunk: chunk('c2', 200, 2), lastBufferedAtTime: new Date('2026-02-01T00:00:00.001Z') });
      await m.updateBufferedObservations({ id, chunk: chunk('c1', 999, 3), lastBufferedAtTime: new Date('2027-01-01T00:00:00Z') });
      await m.updateBufferedObservations({ id, chunk: chunk('c3', 300, 3) });
      return [await current(m, thread)];
    });
  });

  const SWAPS = [
    { tokens: [300, 300, 300], ratio: 0.5, threshold: 1000, pending: 1200 },
    { tokens: [300, 300, 300], ratio: 0.5, threshold: 1000, pending: 1000 },
    { tokens: [100, 500, 50], ratio: 0.8, threshold: 800, pending: 700, force: true },
    { tokens: [200, 200, 200, 200], ratio: 0.9, threshold: 1000, pending: 900, force: true },
    { tokens: [200, 200, 200, 200], ratio: 0.2, threshold: 500, pending: 800 },
    { tokens: [5000, 10], ratio: 0.1, threshold: 3000, pending: 6000 },
    { tokens: [1000], ratio: 0.3, threshold: 2000, pending: 500 },
    { tokens: [0, 0], ratio: 1, threshold: 100, pending: 0 },
    { tokens: [40, 40, 40], ratio: 0.7, threshold: 100, pending: 120, lastObservedAt: new Date('2026-06-01T12:00:00.250Z') },
  ];

  it.each(SWAPS.map((s, i) => [i, s] as const))('swapBufferedToActive case %i', async (_i, swap) => {
    await expectParity(async (m, thread, ids) => {
      const { id } = await start(m, thread, ids);
      const trace: unknown[] = [];
      await m.updateActiveObservations({ id, observations: 'earlier', tokenCount: 5, lastObservedAt: new Date('2025-12-31T00:00:00Z') });
      await m.setPendingMessageTokens(id, swap.pending);
      for (const [i, tokens] of swap.tokens.entries()) await m.updateBufferedObservations({ id, chunk: chunk(`c${i}`, tokens, i + 1) });
      trace.push(
        await m.swapBufferedToActive({
          id,
          activationRatio: swap.ratio,
          messageTokensThreshold: swap.threshold,
          currentPendingTokens: swap.pending,
          forceMaxActivation: swap.force,
          lastObservedAt: swap.lastObservedAt,
        }),
      );
      trace.push(await current(m, thread));
      trace.push(await m.swapBufferedToActive({ id, activationRatio: 1, messageTokensThreshold: swap.threshold, currentPendingTokens: swap.pending, forceMaxActivation: true }));
      trace.push(await current(m, thread));
      trace.push(await m.swapBufferedToActive({ id, activationRatio: 1, messageTokensThreshold: swap.threshold, currentPendingTokens: 0 }));
      return trace;
    });
  });

  it('reflection generations and history windows', async () => {
    await expectParity(async (m, thread, ids) => {
      const first = await start(m, thread, ids, { x: 1 });
      await m.updateActiveObservations({ id: first.id, observations: 'a\nb\nc', tokenCount: 90, lastObservedAt: new Date('2026-03-03T00:00:00Z') });
      // Generations a few ms apart, so the date windows below cut the same way on both stores.
      await pause();
      const gen1 = await m.createReflectionGeneration({ currentRecord: (await current(m, thread))!, reflection: 'abc', tokenCount: 9 });
      ids.add(gen1.id);
      await m.setPendingMessageTokens(gen1.id, 5);
      await pause();
      const gen2 = await m.createReflectionGeneration({ currentRecord: { ...(await current(m, thread))!, metadata: { note: 'kept' } }, reflection: 'ab', tokenCount: 3 });
      ids.add(gen2.id);
      return [
        gen1,
        gen2,
        await current(m, thread),
        await m.getObservationalMemoryHistory(thread, 'res'),
        await m.getObservationalMemoryHistory(thread, 'res', 2),
        await m.getObservationalMemoryHistory(thread, 'res', 2, { offset: 1 }),
        await m.getObservationalMemoryHistory(thread, 'res', 10, { offset: 5 }),
        await m.getObservationalMemoryHistory(thread, 'res', 10, { from: gen1.createdAt }),
        await m.getObservationalMemoryHistory(thread, 'res', 10, { to: gen1.createdAt }),
        await m.getObservationalMemoryHistory(thread, 'res', 10, { from: gen1.createdAt, to: gen1.createdAt }),
        await m.getObservationalMemoryHistory(thread, 'res', 0),
      ];
    });
  });

  const REFLECTIONS: Array<[string, number[]]> = [
    ['l1\nl2\nl3', [2]],
    ['l1\nl2\nl3\n  l4\nl5  \n', [1, 2]],
    ['a\nb', [5]],
    ['a\nb', [0]],
    ['', [1]],
    ['a\n\u00a0b\u3000\n\n', [1]],
    ['x\r\ny\r\nz', [1]],
    ['\n\n\nlast', [3]],
  ];

  it.each(REFLECTIONS.map((r, i) => [i, ...r] as const))('buffered reflection swap case %i', async (_i, observations, lineCounts) => {
    await expectParity(async (m, thread, ids) => {
      const { id } = await start(m, thread, ids);
      await m.updateActiveObservations({ id, observations, tokenCount: 40, lastObservedAt: new Date('2026-04-04T00:00:00Z') });
      for (const [n, lines] of lineCounts.entries()) {
        await m.updateBufferedReflection({ id, reflection: `R${n}`, tokenCount: 4 + n, inputTokenCount: 30 + n, reflectedObservationLineCount: lines });
      }
      const buffered = await current(m, thread);
      const next = await m.swapBufferedReflectionToActive({ currentRecord: buffered!, tokenCount: 7 });
      ids.add(next.id);
      return [buffered, next, await m.getObservationalMemoryHistory(thread, 'res'), await outcome(() => m.swapBufferedReflectionToActive({ currentRecord: buffered!, tokenCount: 1 }))];
    });
  });

  it('config deep merge', async () => {
    await expectParity(async (m, thread, ids) => {
      const { id } = await start(m, thread, ids, { observation: { messageTokens: 1000, model: 'm', list: [1, 2], nested: { a: 1 } }, reflection: 5, scope: 'thread' });
      const trace: unknown[] = [];
      for (const patch of [
        { observation: { messageTokens: 2000, list: [3] } },
        { observation: { nested: { b: null, a: { deep: true } } }, reflection: { observationTokens: 10 } },
        { reflection: null, extra: [null, { x: null }], _overrides: { observation: { messageTokens: 1 } } },
        { observation: 'flat', untouched: undefined },
        {},
      ]) {
        await m.updateObservationalMemoryConfig({ id, config: patch as Record<string, unknown> });
        trace.push((await current(m, thread))!.config);
      }
      return trace;
    });
  });

  it('insert a complete record, duplicate ids, clear', async () => {
    await expectParity(async (m, thread, ids) => {
      const record: ObservationalMemoryRecord = {
        id: `${thread}-copy`,
        scope: 'thread',
        threadId: thread,
        resourceId: 'res',
        createdAt: new Date('2026-01-01T00:00:00.000Z'),
        updatedAt: new Date('2026-01-02T00:00:00.000Z'),
        lastObservedAt: new Date('2026-01-03T00:00:00.000Z'),
        originType: 'reflection',
        generationCount: 2,
        activeObservations: 'copied',
        bufferedObservationChunks: [{ ...chunk('c', 10, 1), id: 'ombuf-x', createdAt: new Date('2026-01-01T00:00:00.000Z') }],
        bufferedReflection: 'br',
        bufferedReflectionTokens: 3,
        bufferedReflectionInputTokens: 6,
        reflectedObservationLineCount: 1,
        observedMessageIds: ['m'],
        observedTimezone: 'UTC',
        totalTokensObserved: 100,
        observationTokenCount: 10,
        pendingMessageTokens: 0,
        isReflecting: false,
        isObserving: true,
        isBufferingObservation: false,
        isBufferingReflection: true,
        lastBufferedAtTokens: 9,
        lastBufferedAtTime: new Date('2026-01-04T00:00:00.000Z'),
        config: { c: { d: [1] } },
        metadata: { from: 'clone' },
      };
      await m.insertObservationalMemoryRecord(record);
      const other = await m.initializeObservationalMemory({ threadId: null, resourceId: thread, scope: 'resource', config: {} });
      ids.add(other.id);
      const trace = [
        // LibSQLStore's row reader turns the stored chunk dates back into strings: compare as JSON.
        await current(m, thread),
        await outcome(() => m.insertObservationalMemoryRecord(record)),
      ];
      await m.clearObservationalMemory(thread, 'res');
      await m.clearObservationalMemory(`${thread}-never`, 'res');
      trace.push(await current(m, thread), await m.getObservationalMemoryHistory(thread, 'res'), await m.getObservationalMemory(null, thread));
      return trace;
    });
  });

  it('calls on a record that does not exist fail on both', async () => {
    await expectParity(async (m, thread) => {
      const id = `${thread}-missing`;
      const at = new Date('2026-01-01T00:00:00Z');
      const ghost = { id, scope: 'thread', threadId: thread, resourceId: 'res', generationCount: 0, config: {}, totalTokensObserved: 0 } as unknown as ObservationalMemoryRecord;
      return [
        await outcome(() => m.updateActiveObservations({ id, observations: 'x', tokenCount: 1, lastObservedAt: at })),
        await outcome(() => m.updateBufferedObservations({ id, chunk: chunk('c', 1, 1) })),
        await outcome(() => m.swapBufferedToActive({ id, activationRatio: 1, messageTokensThreshold: 1, currentPendingTokens: 1 })),
        await outcome(() => m.updateBufferedReflection({ id, reflection: 'x', tokenCount: 1, inputTokenCount: 1, reflectedObservationLineCount: 0 })),
        await outcome(() => m.swapBufferedReflectionToActive({ currentRecord: ghost, tokenCount: 1 })),
        await outcome(() => m.setReflectingFlag(id, true)),
        await outcome(() => m.setObservingFlag(id, true)),
        await outcome(() => m.setBufferingObservationFlag(id, true, 3)),
        await outcome(() => m.setBufferingReflectionFlag(id, true)),
        await outcome(() => m.setPendingMessageTokens(id, 3)),
        await outcome(() => m.updateObservationalMemoryConfig({ id, config: { a: 1 } })),
        await outcome(() => m.clearObservationalMemory(thread, 'res')),
        await m.getObservationalMemoryHistory(thread, 'res'),
      ];
    });
  });
});
