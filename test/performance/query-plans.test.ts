/**
 * How the domains' reads find their rows, checked on Miniflare's D1:
 * - every SELECT sent during representative reads, and every UPDATE and DELETE of their writes, finds its
 *   rows through an index: `EXPLAIN QUERY PLAN` may SEARCH a table or SCAN it USING an INDEX, never plain
 *   `SCAN <table>` (read every row);
 * - every filtered page reads a bounded number of rows, as D1 reports them (`meta.rows_read`, what D1
 *   bills): with 1,000 rows stored, a page of 20 out of 20 matches reads those matches for the count and
 *   the page, well under 1,000. An index that sorts but does not filter would read on until LIMIT.
 * The tables come from the domain registry, and every registered domain must have its cases in `plans/<domain>.ts`.
 */
/// <reference types="vite/client" />
import { D1Store as OriginalD1Store } from '@mastra/cloudflare-d1';
import { describe, expect, it } from 'vitest';
import { DOMAIN_KEYS } from '../../src/domains/registry';
import { messages, thread } from '../../bench/data';
import { domain, fullScans, lookupsOf, planOf, STORED, storeWithLog, type PlanCases } from './plan-kit';

const CASES: PlanCases = Object.assign({}, ...Object.values(import.meta.glob<PlanCases>('./plans/*.ts', { eager: true, import: 'default' })));

describe('query plans and rows read of list and lookup reads (binding)', () => {
  it('every registered domain has cases in plans/', () => {
    expect(DOMAIN_KEYS.filter((key) => !(key in CASES))).toEqual([]);
  });

  it('the check sees full scans: @mastra/cloudflare-d1@1.0.1 creates no secondary indexes', async () => {
    const { store, counter, prefix } = await storeWithLog(OriginalD1Store);
    const memory = await domain(store, 'memory');
    await memory.saveThread({ thread: thread('t1', 'user-1') });
    const lookups = await lookupsOf(counter, () => memory.listThreads({ filter: { resourceId: 'user-1' }, perPage: 20, page: 0 }));
    const scans = (await Promise.all(lookups.map((s) => fullScans(s, prefix)))).flat();
    expect(scans).toContain(`SCAN ${prefix}mastra_threads`);
  });

  // With both thread_id and resourceId given (as an Agent's recall does), SQLite must not pick the
  // (resourceId, createdAt) index, which would read the user's whole history.
  it("memory: a thread's messages are found through the thread index even when resourceId is given too", async () => {
    const { store, counter } = await storeWithLog();
    const memory = await domain(store, 'memory');
    await memory.saveThread({ thread: thread('t1', 'user-1') });
    await memory.saveMessages({ messages: messages('t1', 'user-1', 5) });
    const lookups = await lookupsOf(counter, () =>
      memory.listMessages({ threadId: 't1', resourceId: 'user-1', perPage: 40, page: 0, orderBy: { field: 'createdAt', direction: 'DESC' } }),
    );
    const plans = await Promise.all(lookups.filter((s) => /"?thread_id"? = \?/.test(s.sql)).map(planOf));
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans) expect(plan).toMatch(/\(thread_id=/);
  });

  for (const [key, cases] of Object.entries(CASES)) {
    it(`${key}: reads and writes find their rows through indexes`, cases.indexed);
    it(`${key}: with ${STORED} rows stored, each read stays within its rows-read budget`, cases.budgets);
  }
});

