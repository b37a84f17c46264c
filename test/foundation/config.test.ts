import { ErrorCategory, MastraError } from '@mastra/core/error';
import { describe, expect, it } from 'vitest';
import { D1Store, type D1StoreConfig } from '../../src';
import { customClientOver, useHarness } from '../support/harness';

const h = useHarness();

/** The error `new D1Store(config)` throws synchronously; fails the test if the constructor accepts it. */
function constructionError(config: unknown): MastraError {
  try {
    new D1Store(config as D1StoreConfig);
  } catch (error) {
    return error as MastraError;
  }
  throw new Error(`D1Store accepted ${JSON.stringify(Object.keys(config ?? {}))}`);
}

function expectFieldError(config: unknown, field: string) {
  const error = constructionError(config);
  expect(error).toBeInstanceOf(MastraError);
  expect(error.category).toBe(ErrorCategory.USER);
  expect(error.message).toContain(`\`${field}\``);
  expect(error.details?.field).toBe(field);
}

const rest = () => {
  const { apiBaseUrl, accountId, databaseId, apiToken } = h.emulator;
  return { apiBaseUrl, accountId, databaseId, apiToken };
};

describe('D1Store config validation, at construction', () => {
  it('rejects a config with no binding, client or REST credentials', () => {
    expectFieldError({ id: 'a' }, 'binding');
    expectFieldError({ id: 'a', tablePrefix: 'p_' }, 'binding');
    // A wrangler config without the D1 binding leaves `env.DB` undefined.
    expectFieldError({ id: 'a', binding: undefined }, 'binding');
  });

  it('rejects a binding combined with REST credentials or a client', () => {
    expectFieldError({ id: 'a', binding: h.d1.db, ...rest() }, 'binding');
    expectFieldError({ id: 'a', binding: h.d1.db, apiToken: 'only-one-credential' }, 'binding');
    expectFieldError({ id: 'a', binding: h.d1.db, client: customClientOver(h.d1.db) }, 'binding');
    expectFieldError({ id: 'a', client: customClientOver(h.d1.db), ...rest() }, 'client');
  });

  it.each([
    ['a hyphen', 'my-app_'],
    ['a space', 'my app'],
    ['a dot', 'app.'],
    ['an injection attempt', 'x"; DROP TABLE mastra_threads; --'],
    ['a quote', "x'"],
    ['a non-ASCII letter', 'prefixé'],
  ])('rejects a tablePrefix with %s', (_, tablePrefix) => {
    expectFieldError({ id: 'a', binding: h.d1.db, tablePrefix }, 'tablePrefix');
  });

  it('accepts an empty tablePrefix and letters, digits and underscores', () => {
    expect(() => new D1Store({ id: 'a', binding: h.d1.db, tablePrefix: '' })).not.toThrow();
    expect(() => new D1Store({ id: 'a', binding: h.d1.db, tablePrefix: 'App_2_' })).not.toThrow();
  });

  it('rejects a missing, empty or blank id', () => {
    expectFieldError({ binding: h.d1.db }, 'id');
    expectFieldError({ id: '', binding: h.d1.db }, 'id');
    expectFieldError({ id: '   ', ...rest() }, 'id');
  });

  it.each(['accountId', 'databaseId', 'apiToken'] as const)('rejects REST credentials without %s', (missing) => {
    const partial: Record<string, string> = rest();
    delete partial[missing];
    expectFieldError({ id: 'a', ...partial }, missing);
  });

  it('rejects empty REST credentials', () => {
    expectFieldError({ id: 'a', ...rest(), apiToken: '' }, 'apiToken');
    expectFieldError({ id: 'a', ...rest(), accountId: ' ' }, 'accountId');
  });

  it.each([
    ['id', { id: 42 }],
    ['tablePrefix', { tablePrefix: 7 }],
    ['disableInit', { disableInit: 'yes' }],
    ['binding', { binding: {} }],
    ['binding', { binding: 'DB' }],
    ['client', { client: { query: 'SELECT 1' } }],
    ['retry.attempts', { retry: { attempts: 0 } }],
    ['retry', { retry: true }],
  ])('rejects a bad type for %s', (field, bad) => {
    const base = field === 'client' || field === 'binding' ? { id: 'a' } : { id: 'a', binding: h.d1.db };
    expectFieldError({ ...base, ...bad }, field);
  });

  it.each([
    ['apiBaseUrl', { apiBaseUrl: 'not a url' }],
    ['fetch', { fetch: 'fetch' }],
    ['timeoutMs', { timeoutMs: -5 }],
    ['timeoutMs', { timeoutMs: '1000' }],
    ['apiToken', { apiToken: 12345 }],
  ])('rejects a bad REST option %s', (field, bad) => {
    expectFieldError({ id: 'a', ...rest(), ...bad }, field);
  });

  it('rejects a config that is not an object', () => {
    expectFieldError(undefined, 'config');
    expectFieldError('d1://db', 'config');
  });

  it('sends nothing while validating', () => {
    const before = h.emulator.requests.length;
    constructionError({ id: 'a', ...rest(), tablePrefix: 'x"; DROP TABLE' });
    constructionError({ id: '', ...rest() });
    expect(h.emulator.requests.length).toBe(before);
  });

  it('builds a store from each of the three configs', () => {
    expect(new D1Store({ id: 'a', binding: h.d1.db })).toBeInstanceOf(D1Store);
    expect(new D1Store({ id: 'a', client: customClientOver(h.d1.db) })).toBeInstanceOf(D1Store);
    expect(new D1Store({ id: 'a', ...rest() })).toBeInstanceOf(D1Store);
  });
});
