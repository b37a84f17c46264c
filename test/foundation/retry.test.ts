import { beforeAll, describe, expect, it } from 'vitest';
import { D1QueryError } from '../../src';
import type { D1Client } from '../../src/client/types';
import { faultyD1, type FaultyD1 } from '../support/faults';
import { customClientOver, useHarness } from '../support/harness';
import { driverFor, names, scratchTable } from './drivers';

const h = useHarness();
const TRANSIENT = 'D1_ERROR: Network connection lost.';

const insert = (table: string, name: string) => ({ sql: `INSERT INTO ${table} (name) VALUES (?)`, params: [name] });
const upsert = (table: string, id: number, name: string) => ({
  sql: `INSERT INTO ${table} (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name`,
  params: [id, name],
});

describe('retries on a binding', () => {
  let faults: FaultyD1;
  beforeAll(() => {
    faults = faultyD1(h.d1.db);
  });
  const driver = () => driverFor(h, 'binding', { binding: faults.db });

  it('retries a read after a transient error and succeeds on the second attempt', async () => {
    const table = await scratchTable(h.d1.db);
    await h.d1.db.prepare(`INSERT INTO ${table} (name) VALUES ('a')`).all();
    faults.arm({ roundTrip: 1, message: TRANSIENT });
    await expect(driver().all({ sql: `SELECT name FROM ${table}`, params: [] })).resolves.toEqual([{ name: 'a' }]);
    expect(faults.fired).toBe(true);
    expect(faults.since().roundTrips).toBe(2);
  });

  it('retries an idempotent write whose reply was lost, with no double effect', async () => {
    const table = await scratchTable(h.d1.db);
    faults.arm({ roundTrip: 1, message: TRANSIENT, afterExecute: true });
    await driver().batch([upsert(table, 1, 'a'), upsert(table, 2, 'b')], { idempotent: true });
    expect(faults.since().roundTrips).toBe(2);
    expect(await names(h.d1.db, table)).toEqual(['a', 'b']);
  });

  it('throws a permanent error (UNIQUE constraint failed) after ONE attempt, even when idempotent', async () => {
    const table = await scratchTable(h.d1.db);
    await h.d1.db.prepare(`INSERT INTO ${table} (name) VALUES ('taken')`).all();
    faults.mark();
    const error = await driver()
      .run(insert(table, 'taken'), { idempotent: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(D1QueryError);
    expect(error).toMatchObject({ kind: 'permanent', message: expect.stringMatching(/UNIQUE constraint failed/) });
    expect(faults.since().roundTrips).toBe(1);
  });

  it('does not retry a non-idempotent write after a transient error', async () => {
    const table = await scratchTable(h.d1.db);
    faults.arm({ roundTrip: 1, message: TRANSIENT, afterExecute: true });
    await expect(driver().run(insert(table, 'once'))).rejects.toMatchObject({ kind: 'transient' });
    expect(faults.since().roundTrips).toBe(1);
    expect(await names(h.d1.db, table)).toEqual(['once']);
  });

  it('gives up after the configured number of attempts', async () => {
    faults.arm({ roundTrip: 1, message: TRANSIENT, repeat: 5 });
    await expect(driver().all({ sql: 'SELECT 1', params: [] })).rejects.toMatchObject({ kind: 'transient' });
    expect(faults.since().roundTrips).toBe(3);
    faults.disarm();
  });
});

describe('retries over REST', () => {
  const rest = (options = {}) => driverFor(h, 'rest', options);
  const serverError = { status: 500, body: JSON.stringify({ success: false, errors: [{ code: 7500, message: 'Internal error' }] }) };

  it('retries an idempotent write after HTTP 500 and succeeds', async () => {
    const table = await scratchTable(h.d1.db);
    const before = h.emulator.requests.length;
    h.emulator.queueFault(serverError);
    await rest().run(upsert(table, 1, 'a'), { idempotent: true });
    expect(h.emulator.requests.length - before).toBe(2);
    expect(await names(h.d1.db, table)).toEqual(['a']);
  });

  it('does not retry a non-idempotent write after HTTP 500 (it may have applied)', async () => {
    const table = await scratchTable(h.d1.db);
    const before = h.emulator.requests.length;
    h.emulator.queueFault({ ...serverError, afterExecute: true });
    await expect(rest().run(insert(table, 'once'))).rejects.toMatchObject({ kind: 'transient', status: 500 });
    expect(h.emulator.requests.length - before).toBe(1);
    expect(await names(h.d1.db, table)).toEqual(['once']);
  });

  it('retries even a non-idempotent write after HTTP 429, waiting for retry-after', async () => {
    const table = await scratchTable(h.d1.db);
    const before = h.emulator.requests.length;
    h.emulator.queueFault({ status: 429, headers: { 'retry-after': '1' }, body: JSON.stringify({ success: false, errors: [{ code: 971, message: 'Please wait and consider throttling your request speed' }] }) });
    const started = Date.now();
    await rest().run(insert(table, 'once'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(h.emulator.requests.length - before).toBe(2);
    expect(await names(h.d1.db, table)).toEqual(['once']);
  });

  it('fails at once when retry-after is longer than it is worth waiting (the account is blocked)', async () => {
    const before = h.emulator.requests.length;
    h.emulator.queueFault({ status: 429, headers: { 'retry-after': '300' }, body: '' });
    const started = Date.now();
    await expect(rest().all({ sql: 'SELECT 1', params: [] })).rejects.toMatchObject({ kind: 'rate-limited', status: 429, retryAfterMs: 300_000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(h.emulator.requests.length - before).toBe(1);
  });

  it('does not retry with retry: false', async () => {
    const before = h.emulator.requests.length;
    h.emulator.queueFault(serverError);
    await expect(rest({ retry: false }).all({ sql: 'SELECT 1', params: [] })).rejects.toMatchObject({ status: 500 });
    expect(h.emulator.requests.length - before).toBe(1);
  });
});

describe('retries on a custom client', () => {
  it('retries a read after a transient error the client threw', async () => {
    const real = customClientOver(h.d1.db);
    let calls = 0;
    const client: D1Client = {
      query(args) {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error(TRANSIENT)) : real.query(args);
      },
    };
    await expect(driverFor(h, 'custom', { client }).all({ sql: 'SELECT 7 AS n', params: [] })).resolves.toEqual([{ n: 7 }]);
    expect(calls).toBe(2);
  });
});
