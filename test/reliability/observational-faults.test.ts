import type { BufferedObservationChunkInput, MemoryStorage, ObservationalMemoryRecord } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { TRANSIENT_D1_MESSAGES } from '../support/faults';
import { failure } from './assertions';
import { uid } from './builders';
import { verified } from './figures';
import { ATOMIC_KINDS, useRig, type AtomicKind } from './rig';
import { settle, sweepStatements } from './sweep';

const rig = useRig(import.meta.url);

const chunk = (cycleId: string, messageTokens: number): BufferedObservationChunkInput => ({
  cycleId,
  observations: `observed ${cycleId}`,
  tokenCount: 10,
  messageIds: [`${cycleId}-m1`],
  messageTokens,
  lastObservedAt: new Date('2026-01-01T00:00:00.000Z'),
});

const GENERATED = new Set(['id', 'resourceId', 'threadId', 'createdAt', 'updatedAt']);

/** A record's state, at every depth, without what differs between identical setups (ids, owners, clocks). */
function stateOf(record: ObservationalMemoryRecord | null) {
  if (!record) return null;
  return JSON.parse(JSON.stringify(record), (key, value) => (GENERATED.has(key) ? undefined : value)) as Record<string, unknown>;
}

describe.each(ATOMIC_KINDS)('Observational Memory under faults on %s', (kind) => {
  const s = rig.useDomains(kind);
  const records = (resourceId: string) => s.count('mastra_observational_memory', '"resourceId" = ?', resourceId);
  const init = (resourceId: string, on: MemoryStorage = s.memory) => on.initializeObservationalMemory({ threadId: null, resourceId, scope: 'resource', config: {} });

  it('initializeObservationalMemory after a lost reply is retried and leaves exactly one record', async () => {
    for (const message of TRANSIENT_D1_MESSAGES) {
      const resourceId = uid('res');
      rig.faults.arm({ roundTrip: 1, message, afterExecute: true });
      const record = await init(resourceId);
      expect(rig.faults.fired).toBe(true);
      expect(await records(resourceId)).toBe(1);
      expect((await s.memory.getObservationalMemory(null, resourceId))!.id).toBe(record.id);
      verified(1);
    }
  });

  it('10 concurrent initializeObservationalMemory calls from two stores create one record', async () => {
    const other: AtomicKind = kind === 'binding' ? 'rest' : 'binding';
    const second = (await rig.store(other, { tablePrefix: s.prefix }).getStore('memory'))!;
    const resourceId = uid('res');
    const made = await Promise.all(Array.from({ length: 10 }, (_, i) => init(resourceId, i % 2 ? second : s.memory)));
    expect(new Set(made.map((r) => r.id)).size).toBe(1);
    expect(await records(resourceId)).toBe(1);
    verified(1);
  });

  it('10 concurrent createReflectionGeneration calls from two stores on one record create one generation', async () => {
    const other: AtomicKind = kind === 'binding' ? 'rest' : 'binding';
    const second = (await rig.store(other, { tablePrefix: s.prefix }).getStore('memory'))!;
    const resourceId = uid('res');
    const current = await init(resourceId);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => settle((i % 2 ? second : s.memory).createReflectionGeneration({ currentRecord: current, reflection: `r${i}`, tokenCount: 1 }))),
    );
    expect(outcomes.filter((o) => o.outcome === 'resolved')).toHaveLength(1);
    expect(await records(resourceId)).toBe(2);
    expect((await s.memory.getObservationalMemoryHistory(null, resourceId)).map((r) => r.generationCount)).toEqual([1, 0]);
    verified(2);
  });

  it('createReflectionGeneration after a lost reply is not repeated: one new generation at most', async () => {
    const resourceId = uid('res');
    const current = await init(resourceId);
    rig.faults.arm({ roundTrip: 1, message: TRANSIENT_D1_MESSAGES[0], afterExecute: true });
    const outcome = await settle(s.memory.createReflectionGeneration({ currentRecord: current, reflection: 'reflected', tokenCount: 5 }));
    expect(rig.faults.since().roundTrips).toBe(1);
    expect(outcome.outcome).toBe('rejected');
    expect(await records(resourceId)).toBe(2);
    const history = await s.memory.getObservationalMemoryHistory(null, resourceId);
    expect(history.map((r) => r.generationCount).sort()).toEqual([0, 1]);
    verified(2);
  });

  it('createReflectionGeneration failing before D1 writes nothing', async () => {
    const resourceId = uid('res');
    const current = await init(resourceId);
    rig.faults.arm({ roundTrip: 1, message: TRANSIENT_D1_MESSAGES[4] });
    await failure(s.memory.createReflectionGeneration({ currentRecord: current, reflection: 'reflected', tokenCount: 5 }));
    expect(await records(resourceId)).toBe(1);
  });

  it('swapBufferedToActive: a failure at any statement moves all chunks or none', async () => {
    let before: Record<string, unknown> | null = null;
    let after: Record<string, unknown> | null = null;
    await sweepStatements(rig, {
      setup: async () => {
        const resourceId = uid('res');
        const record = await init(resourceId);
        for (const c of ['c1', 'c2', 'c3']) await s.memory.updateBufferedObservations({ id: record.id, chunk: chunk(c, 100) });
        before ??= stateOf(await s.memory.getObservationalMemory(null, resourceId));
        return { resourceId, id: record.id };
      },
      act: ({ id }) => s.memory.swapBufferedToActive({ id, activationRatio: 1, messageTokensThreshold: 100, currentPendingTokens: 300, forceMaxActivation: true, lastObservedAt: new Date('2026-02-01T00:00:00.000Z') }),
      check: async ({ resourceId }, outcome) => {
        const state = stateOf(await s.memory.getObservationalMemory(null, resourceId));
        if (outcome === 'resolved') {
          after ??= state;
          expect(state).toEqual(after);
          expect(state).not.toEqual(before);
        } else {
          expect(state).toEqual(before);
        }
        verified(1);
      },
    });
  });
});
