/**
 * What the query-plan test and every domain's cases in `plans/` share: the harness, the full-scan check,
 * the rows-read budgets and a bulk seeder. A domain's cases live in `plans/<domain>.ts`.
 */
import { D1Store as OriginalD1Store } from '@mastra/cloudflare-d1';
import type { MastraCompositeStore, StorageDomains } from '@mastra/core/storage';
import { expect } from 'vitest';
import { D1Store } from '../../src';
import { ALL_TABLES } from '../../src/domains/registry';
import { columnList, encodeRow } from '../../src/sql/codec';
import { createTableNamer } from '../../src/sql/identifiers';
import { countingD1, type CountingD1, type D1Like } from '../../bench/counting-d1';
import { uniquePrefix, useHarness } from '../support/harness';

export const h = useHarness();

export const TABLE_NAMES = ALL_TABLES.map((table) => table.name);

/** Rows stored before a budgeted read, and how many of them each filter matches. */
export const STORED = 1_000;
export const GROUPS = 50;
export const MATCHES = STORED / GROUPS;
/** What a page of `MATCHES` rows out of `STORED` may read: count and page over the matches, with slack. */
export const FILTERED_BUDGET = 4 * MATCHES + 20;

/** The statements `calls` sent that look rows up: SELECTs, UPDATEs and DELETEs (INSERTs look nothing up). */
export async function lookupsOf(counter: CountingD1, calls: () => Promise<unknown>): Promise<{ sql: string; params: unknown[] }[]> {
  counter.reset();
  await calls();
  return counter.sqlLog.filter((s) => /^\s*(SELECT|WITH|UPDATE|DELETE)\b/i.test(s.sql));
}

/** Plan lines that read a whole table of this package, by name or by the alias the SQL gives it. */
export async function fullScans(statement: { sql: string; params: unknown[] }, prefix: string): Promise<string[]> {
  const details = (await planOf(statement)).split(' ; ');
  const names = new Set(TABLE_NAMES.map((t) => prefix + t));
  for (const match of statement.sql.matchAll(/(?:FROM|JOIN)\s+"?([A-Za-z0-9_]+)"?(?:\s+(?:AS\s+)?([A-Za-z_][A-Za-z0-9_]*))?/gi)) {
    const [, table, alias] = match;
    if (table && names.has(table) && alias && !/^(WHERE|ORDER|GROUP|LIMIT|JOIN|LEFT|INNER|ON|UNION|WINDOW)$/i.test(alias)) names.add(alias);
  }
  return details.filter((d) => {
    const scanned = /^SCAN (\S+)(.*)$/.exec(d);
    return scanned !== null && names.has(scanned[1]!) && !/USING (COVERING )?INDEX/.test(scanned[2]!);
  });
}

export async function planOf(statement: { sql: string; params: unknown[] }): Promise<string> {
  const { results } = await h.d1.db.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).bind(...statement.params).all();
  return (results as { detail: string }[]).map((r) => r.detail).join(' ; ');
}

/** Runs `calls` and asserts none of the statements it sent reads a whole table. */
export async function expectIndexed(prefix: string, counter: CountingD1, calls: () => Promise<unknown>) {
  const lookups = await lookupsOf(counter, calls);
  expect(lookups.length, 'the calls looked rows up').toBeGreaterThan(0);
  const offenders: string[] = [];
  for (const statement of lookups) {
    const scans = await fullScans(statement, prefix);
    if (scans.length) offenders.push(`${scans.join(', ')}  <=  ${statement.sql.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  expect(offenders).toEqual([]);
}

/** Rows D1 reports each call read, by name, next to the budget; the test compares them all at once. */
export async function rowsRead(counter: CountingD1, calls: Record<string, [() => Promise<unknown>, number]>) {
  const over: Record<string, string> = {};
  for (const [name, [call, budget]] of Object.entries(calls)) {
    counter.reset();
    await call();
    if (counter.tally.rowsRead > budget) over[name] = `${counter.tally.rowsRead} rows read, budget ${budget}`;
  }
  expect(over).toEqual({});
}

export async function storeWithLog(Store: typeof D1Store | typeof OriginalD1Store = D1Store): Promise<{ store: MastraCompositeStore; counter: CountingD1; prefix: string }> {
  const prefix = uniquePrefix('qp');
  const counter = countingD1(h.d1.db as unknown as D1Like);
  const store = new Store({ id: 'query-plans', tablePrefix: prefix, binding: counter.binding as never });
  await store.init();
  return { store, counter, prefix };
}

export async function domain<K extends keyof StorageDomains>(store: MastraCompositeStore, key: K): Promise<NonNullable<StorageDomains[K]>> {
  return (await store.getStore(key))!;
}

/**
 * Inserts rows straight into a table, as its spec encodes them: the bulk a budgeted read runs against,
 * without a thousand calls through the domain. Rows travel as one JSON parameter per statement.
 */
export async function seed(prefix: string, table: string, rows: Record<string, unknown>[]) {
  const spec = ALL_TABLES.find((t) => t.name === table)!;
  const values = Object.keys(spec.columns).map((_, i) => `value ->> ${i}`).join(', ');
  const sql = `INSERT INTO ${createTableNamer(prefix)(table)} (${columnList(spec)}) SELECT ${values} FROM json_each(?)`;
  const encoded = rows.map((row) => encodeRow('seed', spec, row, { record: `${table} seed row` }));
  const statements = [];
  for (let i = 0; i < encoded.length; i += 200) statements.push(h.d1.db.prepare(sql).bind(JSON.stringify(encoded.slice(i, i + 200))));
  await h.d1.db.batch(statements);
}

export const range = (count: number) => Array.from({ length: count }, (_, i) => i);

/** A domain's cases: its representative reads and writes must use indexes, and its filtered pages stay in budget. */
export interface PlanCase {
  indexed(): Promise<void>;
  budgets(): Promise<void>;
}

/** What a `plans/<domain>.ts` file exports by default: cases by domain key. */
export type PlanCases = Record<string, PlanCase>;
