import { ErrorCategory } from '@mastra/core/error';
import type { ObservabilityStorage } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { spanOrder } from '../../src/domains/observability/filters';
import { describeConformance } from '../support/conformance';
import { agentTrace, at } from '../support/observability';
import { failure } from '../reliability/assertions';

// Caller input the observability domain must refuse before anything reaches D1: a sort field or
// direction that only `key in table` would accept, and span updates naming fields a span lacks.

/** Every observability list that takes an `orderBy`. */
const ORDERED_LISTS: Record<string, (obs: ObservabilityStorage, orderBy: unknown) => Promise<unknown>> = {
  listTraces: (obs, orderBy) => obs.listTraces({ orderBy: orderBy as never }),
  listTracesLight: (obs, orderBy) => obs.listTracesLight({ orderBy: orderBy as never }),
  listBranches: (obs, orderBy) => obs.listBranches({ orderBy: orderBy as never }),
};

const BAD_ORDERS = [
  { field: 'constructor', direction: 'DESC' },
  { field: 'startedAt', direction: 'toString' },
  { field: '__proto__', direction: 'ASC' },
  { field: 'endedAt', direction: 'hasOwnProperty' },
];

describeConformance('observability', 'ObservabilityStorageD1 input', ({ domain, it }) => {
  it('refuses an orderBy field or direction outside the allowed ones with a USER error, on every ordered list', async () => {
    const obs = await domain();
    await obs.batchCreateSpans({ records: agentTrace('a', 0) });
    for (const [name, list] of Object.entries(ORDERED_LISTS)) {
      for (const orderBy of BAD_ORDERS) {
        const error = await failure(list(obs, orderBy));
        expect({ name, orderBy, category: error.category }).toEqual({ name, orderBy, category: ErrorCategory.USER });
      }
      await expect(list(obs, { field: 'endedAt', direction: 'ASC' })).resolves.toBeDefined();
    }
  });

  it('refuses an update naming a field a span update cannot change, naming it and writing nothing', async () => {
    const obs = await domain();
    await obs.batchCreateSpans({ records: agentTrace('t', 0) });
    const before = await obs.getTrace({ traceId: 't' });
    const calls = [
      () => obs.updateSpan({ traceId: 't', spanId: 't-root', updates: { output: { a: 1 }, bogus: 1 } as never }),
      () => obs.updateSpan({ traceId: 't', spanId: 't-root', updates: { createdAt: at(99) } as never }),
      () => obs.batchUpdateSpans({ records: [{ traceId: 't', spanId: 't-llm', updates: { endedAt: at(50) } }, { traceId: 't', spanId: 't-tool', updates: { traceId: 'x' } as never }] }),
    ];
    for (const [i, call] of calls.entries()) {
      const error = await failure(call());
      expect(error.category).toBe(ErrorCategory.USER);
      expect(error.message).toMatch([/updates\.bogus/, /updates\.createdAt/, /updates\.traceId/][i]!);
    }
    expect(await obs.getTrace({ traceId: 't' })).toEqual(before);
  });
});

// Core's argument schemas refuse these first today; the ORDER BY itself must not depend on that.
describe('the span lists\' ORDER BY', () => {
  it('maps field and direction through own-property tables only', () => {
    for (const orderBy of BAD_ORDERS) expect(() => spanOrder('listTraces', orderBy)).toThrow(expect.objectContaining({ category: ErrorCategory.USER }));
    expect(spanOrder('listTraces', undefined)).toBe('"startedAt" DESC, "rowid" ASC');
    expect(spanOrder('listTraces', { field: 'endedAt', direction: 'ASC' })).toBe('"endedAt" IS NULL ASC, "endedAt" ASC, "rowid" ASC');
  });
});
