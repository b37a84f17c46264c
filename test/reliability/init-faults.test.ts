import { ErrorCategory } from '@mastra/core/error';
import { describe, expect, it } from 'vitest';
import { PERMANENT_D1_MESSAGES, TRANSIENT_D1_MESSAGES } from '../support/faults';
import { uniquePrefix } from '../support/harness';
import { failure, schemaNamesSql } from './assertions';
import { tally, verified } from './figures';
import { ATOMIC_KINDS, useRig } from './rig';

const rig = useRig(import.meta.url);

const schemaOf = (prefix: string) => rig.rows<{ type: string; name: string }>(schemaNamesSql(), prefix);

describe.each(ATOMIC_KINDS)('init() under faults on %s', (kind) => {
  it('10 stores running init() at once on one database and prefix all succeed with one schema', async () => {
    const prefix = uniquePrefix('r');
    const stores = Array.from({ length: 10 }, () => rig.store(kind, { tablePrefix: prefix }));
    await Promise.all(stores.map((store) => store.init()));
    const names = await schemaOf(prefix);
    expect(new Set(names.map((n) => n.name)).size).toBe(names.length);
    expect(names.filter((n) => n.type === 'table').length).toBeGreaterThanOrEqual(7);
    verified(names.length);
  });

  it('a failure at statements spread over all of init() (the marker read, the schema batch) creates nothing, and the next init() creates everything', async () => {
    const reference = uniquePrefix('r');
    rig.faults.mark();
    await rig.freshStore(kind, { tablePrefix: reference });
    const { statements } = rig.faults.since();
    const expected = (await schemaOf(reference)).map((row) => `${row.type}:${row.name.slice(reference.length)}`);
    expect(statements).toBeGreaterThan(expected.length / 2);

    // The schema grows with every domain, so the sweep strikes a fixed number of positions spread over
    // the whole of init(): the marker read and the first statements of the batch, then evenly to its end.
    const positions = [...new Set([1, 2, 3, ...Array.from({ length: 24 }, (_, i) => Math.ceil(((i + 1) * statements) / 24))])];
    tally.sweeps += 1;
    for (const [n, k] of positions.entries()) {
      tally.sweepRuns += 1;
      const prefix = uniquePrefix('r');
      const store = rig.store(kind, { tablePrefix: prefix });
      rig.faults.arm({ statement: k });
      await failure(store.init());
      expect(rig.faults.fired).toBe(true);
      expect(await schemaOf(prefix), `fault at statement ${k}`).toEqual([]);
      // Re-running init() after the failure is checked on every third position and the last.
      if (n % 3 !== 0 && k !== statements) continue;
      await store.init();
      const created = (await schemaOf(prefix)).map((row) => `${row.type}:${row.name.slice(prefix.length)}`);
      expect(created).toEqual(expected);
      verified(created.length);
    }
  }, 180_000);

  it.each(TRANSIENT_D1_MESSAGES)('retries "%s" and succeeds, whether or not the first attempt applied', async (message) => {
    for (const afterExecute of [false, true]) {
      const prefix = uniquePrefix('r');
      // Round trip 1 reads the marker (a new prefix has none); the fault strikes the schema batch.
      rig.faults.arm({ roundTrip: 2, message, afterExecute });
      await rig.freshStore(kind, { tablePrefix: prefix });
      expect(rig.faults.fired).toBe(true);
      expect(rig.faults.since().roundTrips).toBe(3);
      expect((await schemaOf(prefix)).length).toBeGreaterThan(6);
    }
  });

  it.each(PERMANENT_D1_MESSAGES)('throws "%s" after one attempt', async (message) => {
    const prefix = uniquePrefix('r');
    rig.faults.arm({ roundTrip: 1, message, repeat: 3 });
    const error = await failure(rig.store(kind, { tablePrefix: prefix }).init());
    expect(error.message).toContain(message.slice(10, 40));
    expect(error.category).toBe(ErrorCategory.THIRD_PARTY);
    expect(rig.faults.since().roundTrips).toBe(1);
    expect(await schemaOf(prefix)).toEqual([]);
  });

  it('gives up on a transient error that outlasts the retry budget, after exactly that many attempts', async () => {
    const prefix = uniquePrefix('r');
    rig.faults.arm({ roundTrip: 1, message: TRANSIENT_D1_MESSAGES[0], repeat: 5 });
    const error = await failure(rig.store(kind, { tablePrefix: prefix, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } }).init());
    expect(error.message).toContain('Network connection lost');
    expect(rig.faults.since().roundTrips).toBe(3);
  });

});

describe('REST faults answered by the HTTP layer', () => {
  const rest = (options = {}) => rig.store('rest', { tablePrefix: uniquePrefix('r'), ...options });
  const cloudflareError = (code: number, message: string) => JSON.stringify({ success: false, errors: [{ code, message }], messages: [], result: null });

  it('a 500 then success: init() succeeds on the second request', async () => {
    const before = rig.emulator.requests.length;
    rig.emulator.queueFault({ status: 500, body: cloudflareError(7500, 'Internal error') });
    await rest().init();
    // The failed marker read, its retry, and the schema batch.
    expect(rig.emulator.requests.length - before).toBe(3);
  });

  it('a 429 with retry-after is waited out and retried', async () => {
    const before = rig.emulator.requests.length;
    rig.emulator.queueFault({ status: 429, body: cloudflareError(971, 'Please wait and consider throttling your request speed'), headers: { 'retry-after': '0.2' } });
    const started = Date.now();
    await rest().init();
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(rig.emulator.requests.length - before).toBe(3);
  });

  it('429s and 500s beyond the retry budget end in a clear error after exactly that many requests', async () => {
    for (const fault of [
      { status: 429, headers: { 'retry-after': '0' }, body: cloudflareError(971, 'Please wait and consider throttling your request speed') },
      { status: 503, body: cloudflareError(7500, 'Service unavailable') },
    ]) {
      const before = rig.emulator.requests.length;
      rig.emulator.queueFault(fault, fault, fault);
      const error = await failure(rest().init());
      expect(error.message).toMatch(fault.status === 429 ? /throttling/ : /Service unavailable/);
      expect(rig.emulator.requests.length - before).toBe(3);
    }
  });

  it('a response that never completes rejects within the configured timeout', async () => {
    const before = rig.emulator.requests.length;
    rig.emulator.queueFault({ hang: true });
    const started = Date.now();
    const error = await failure(rest({ timeoutMs: 300 }).init());
    const elapsed = Date.now() - started;
    expect(error.message).toMatch(/timed out after 300 ms/);
    expect(elapsed).toBeLessThan(300 * 3 + 1_000);
    expect(rig.emulator.requests.length - before).toBeLessThanOrEqual(3);
  });

  it.each([
    ['not JSON', 'this is not json'],
    ['an envelope without results', JSON.stringify({ success: true, errors: [], messages: [], result: [] })],
    ['an empty body', ''],
  ])('a malformed 200 body (%s) is a clear error after one request', async (_label, body) => {
    const before = rig.emulator.requests.length;
    rig.emulator.queueFault({ status: 200, body, afterExecute: true });
    const error = await failure(rest().init());
    expect(error.message).toMatch(/malformed response body/);
    expect(rig.emulator.requests.length - before).toBe(1);
  });

  it('a wrong token is a clear credentials error after one request, and nothing is created', async () => {
    const before = rig.emulator.requests.length;
    const prefix = uniquePrefix('r');
    const error = await failure(rig.store('rest', { tablePrefix: prefix, apiToken: 'wrong-token' }).init());
    expect(error.message).toMatch(/refused the credentials \(HTTP 401\)/);
    expect(rig.emulator.requests.length - before).toBe(0);
    expect(await schemaOf(prefix)).toEqual([]);
  });
});
