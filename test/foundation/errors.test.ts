import { ErrorCategory, MastraError } from '@mastra/core/error';
import { describe, expect, it } from 'vitest';
import { D1QueryError } from '../../src';
import { CLIENT_KINDS, uniquePrefix, useHarness } from '../support/harness';
import { driverFor, FAST_RETRY } from './drivers';

const h = useHarness();

/** The rejection of `promise`, failing the test if it resolves. */
async function rejection<E = D1QueryError>(promise: Promise<unknown>): Promise<E> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as E,
  );
}

describe.each(CLIENT_KINDS)('error mapping on %s', (kind) => {
  it('throws an SQL error as a D1QueryError carrying the SQL, never the values', async () => {
    const error = await rejection(driverFor(h, kind).all({ sql: 'SELECT * FROM "no_such_items" WHERE id = ?', params: ['secret-value'] }));
    expect(error).toBeInstanceOf(D1QueryError);
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/no such table: no_such_items/);
    expect(error.sql).toBe('SELECT * FROM "no_such_items" WHERE id = ?');
    expect(error.paramCount).toBe(1);
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('secret-value');
    if (kind === 'rest') {
      expect(error.status).toBe(400);
      expect(error.code).toBe(7500);
    }
  });

  it("gives a failed init() core's storage error id, THIRD_PARTY, with the D1 error as cause", async () => {
    const prefix = uniquePrefix();
    // A view where a table belongs: CREATE TABLE IF NOT EXISTS passes, then D1 refuses to add columns to a view.
    await h.d1.db.prepare(`CREATE VIEW "${prefix}mastra_threads" AS SELECT 1 AS id`).all();
    const error = await rejection<MastraError>(h.store(kind, { tablePrefix: prefix }).init());
    expect(error).toBeInstanceOf(MastraError);
    expect(error.id).toBe('MASTRA_STORAGE_CLOUDFLARE_D1_INIT_FAILED');
    expect(error.category).toBe(ErrorCategory.THIRD_PARTY);
    expect(error.message).toMatch(/Cannot add a column to a view/);
    expect(error.cause).toBeInstanceOf(D1QueryError);
  });
});

describe('REST-specific failures', () => {
  it('says the token or account is wrong on HTTP 401, and does not retry', async () => {
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests += 1;
      return fetch(input, init);
    };
    const store = h.store('rest', { apiToken: 'wrong-token', retry: FAST_RETRY, fetch: counting });
    const error = await rejection<MastraError>(store.init());
    expect(error).toBeInstanceOf(MastraError);
    expect(error.message).toMatch(/refused the credentials \(HTTP 401\): check apiToken, accountId and databaseId/);
    expect(error.cause).toMatchObject({ kind: 'auth', status: 401, code: 10000 });
    expect(requests).toBe(1);
  });

  it('treats HTTP 403 the same way', async () => {
    h.emulator.queueFault({ status: 403, body: JSON.stringify({ success: false, errors: [{ code: 7403, message: 'not authorized' }] }) });
    const error = await rejection(driverFor(h, 'rest').all({ sql: 'SELECT 1', params: [] }));
    expect(error).toMatchObject({ kind: 'auth', status: 403, code: 7403 });
    expect(error.message).toMatch(/check apiToken, accountId and databaseId/);
  });

  it.each([
    ['not JSON', '<html>upstream gone</html>'],
    ['no result array', JSON.stringify({ success: true, errors: [], messages: [] })],
    ['too few results', JSON.stringify({ success: true, errors: [], messages: [], result: [] })],
  ])('rejects a 200 response whose body is %s as malformed', async (_, body) => {
    h.emulator.queueFault({ status: 200, body });
    const error = await rejection(driverFor(h, 'rest').all({ sql: 'SELECT 1', params: [] }));
    expect(error).toBeInstanceOf(D1QueryError);
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/malformed response body/);
  });

  it('reports an HTTP 5xx with a non-JSON body by its status', async () => {
    h.emulator.queueFault({ status: 502, body: '<html>Bad gateway</html>' });
    const error = await rejection(driverFor(h, 'rest', { retry: false }).all({ sql: 'SELECT 1', params: [] }));
    expect(error).toMatchObject({ kind: 'transient', status: 502 });
    expect(error.message).toMatch(/HTTP 502/);
  });

  it('rejects within the timeout when the API never answers', async () => {
    h.emulator.queueFault({ hang: true });
    const started = Date.now();
    const error = await rejection(driverFor(h, 'rest', { timeoutMs: 300 }).all({ sql: 'SELECT 1', params: [] }));
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(error.message).toMatch(/timed out after 300 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1500);
  });
});

describe('custom client failures', () => {
  it('rejects a client answer without a result array', async () => {
    const client = { query: async () => ({ rows: [] }) as never };
    const error = await rejection(driverFor(h, 'custom', { client }).all({ sql: 'SELECT 1', params: [] }));
    expect(error).toMatchObject({ kind: 'permanent', operation: 'all' });
    expect(error.message).toMatch(/no `result` array/);
  });

  it('wraps whatever the client throws, classified by its message', async () => {
    const client = {
      query: async () => {
        throw new Error('D1_ERROR: Network connection lost.');
      },
    };
    const error = await rejection(driverFor(h, 'custom', { client, retry: false }).run({ sql: 'DELETE FROM x', params: [] }));
    expect(error).toMatchObject({ kind: 'transient', operation: 'run', sql: 'DELETE FROM x' });
  });
});
