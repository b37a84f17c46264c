import { ErrorCategory, MastraError } from '@mastra/core/error';
import { describe, expect, it } from 'vitest';
import { D1Store, MemoryStorageD1, type D1StoreConfig } from '../../src';
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

  it.each([
    ['plain http to a remote host', 'http://api.cloudflare.com/client/v4'],
    ['plain http to a look-alike of localhost', 'http://localhost.example.com/client/v4'],
    ['plain http to a private address', 'http://10.0.0.1/client/v4'],
    ['plain http to 0.0.0.0', 'http://0.0.0.0:8787/client/v4'],
    ['another scheme', 'ftp://api.cloudflare.com/client/v4'],
    ['a WebSocket scheme', 'ws://127.0.0.1/client/v4'],
    ['a file URL', 'file:///etc/passwd'],
    ['a javascript URL', 'javascript:alert(1)'],
  ])('rejects an apiBaseUrl with %s, where the token would travel in clear text', (_, apiBaseUrl) => {
    const error = constructionError({ id: 'a', ...rest(), apiBaseUrl });
    expect(error.category).toBe(ErrorCategory.USER);
    expect(error.details?.field).toBe('apiBaseUrl');
    expect(error.message).toMatch(/`apiBaseUrl` must be an https:\/\/ URL/);
  });

  it.each([
    'https://api.cloudflare.com/client/v4',
    'https://d1-proxy.example.com:8443/client/v4/',
    'http://localhost:8787/client/v4',
    'http://127.0.0.1/client/v4',
    'http://127.10.20.30:9000/client/v4',
    'http://[::1]:8787/client/v4',
  ])('accepts the apiBaseUrl %s', (apiBaseUrl) => {
    expect(new D1Store({ id: 'a', ...rest(), apiBaseUrl })).toBeInstanceOf(D1Store);
  });

  it('rejects a plain-http apiBaseUrl on a domain class built on its own too', () => {
    let error: unknown;
    try {
      new MemoryStorageD1({ ...rest(), apiBaseUrl: 'http://api.cloudflare.com/client/v4' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MastraError);
    expect((error as MastraError).category).toBe(ErrorCategory.USER);
    expect((error as MastraError).details?.field).toBe('apiBaseUrl');
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
