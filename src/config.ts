import { parseDuration, type Duration, type RetentionConfig } from '@mastra/core/storage';
import { z } from 'zod';
import { createBindingDriver } from './client/binding';
import { createCustomDriver } from './client/custom';
import { createRestDriver } from './client/rest';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './client/retry';
import type { D1Client, D1DatabaseLike, D1Driver } from './client/types';
import { userError } from './errors';
import { createTableNamer, TABLE_PREFIX_PATTERN, type TableNamer } from './sql/identifiers';

/** Options every configuration shares. */
export interface D1BaseConfig {
  /** Storage instance id, as Mastra requires. */
  id: string;
  /** Prepended to every table and index name; letters, digits and underscores only. */
  tablePrefix?: string;
  /**
   * Skip automatic table creation: Mastra then never calls `init()` itself and the tables must exist
   * (run `store.init()` from a deploy script, or apply `schemaSql()` as a migration).
   */
  disableInit?: boolean;
  /** Retries of transient D1 errors; `false` turns them off. Defaults to 3 attempts, 50 ms base backoff. */
  retry?: Partial<RetryPolicy> | false;
  /**
   * Age limits per domain and table, applied by `store.prune()` (Mastra never prunes by itself; run it
   * from a Cron Trigger). E.g. `{ memory: { messages: { maxAge: '90d' } }, observability: { spans: { maxAge: '7d' } } }`.
   */
  retention?: RetentionConfig;
}

/** D1 over Cloudflare's REST API, for Node and other runtimes outside Workers. */
export interface D1Config extends D1BaseConfig {
  /** Cloudflare account ID. */
  accountId: string;
  /** API token with D1 edit permission. */
  apiToken: string;
  /** D1 database ID (a UUID). */
  databaseId: string;
  /** Defaults to `https://api.cloudflare.com/client/v4`. Must be `https:`, or `http:` to a loopback host. */
  apiBaseUrl?: string;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
  /** Per-request timeout in ms; default 30,000. */
  timeoutMs?: number;
}

/** D1 through a Workers binding (`env.DB`), or a session from `env.DB.withSession()`. */
export interface D1WorkersConfig extends D1BaseConfig {
  binding: D1DatabaseLike;
}

/** D1 through a custom client with `@mastra/cloudflare-d1`'s `query({ sql, params })` shape. */
export interface D1ClientConfig extends D1BaseConfig {
  client: D1Client;
}

/** Any of the three ways to reach D1. */
export type D1StoreConfig = D1Config | D1WorkersConfig | D1ClientConfig;

/** What a domain class needs: a driver and the table namer. Built once by `D1Store` and shared. */
export interface D1DomainContext {
  driver: D1Driver;
  tables: TableNamer;
  /** The owning store's `init()`, so a domain's own `init()` shares the store's single schema batch. */
  init?: () => Promise<void>;
}

/** How a domain class can be built on its own, as `@mastra/cloudflare-d1` allowed. */
export type D1DomainConfig =
  | { binding: D1DatabaseLike; tablePrefix?: string }
  | { client: D1Client; tablePrefix?: string }
  | { accountId: string; apiToken: string; databaseId: string; tablePrefix?: string; apiBaseUrl?: string; fetch?: typeof fetch; timeoutMs?: number };

/** What a domain constructor accepts at run time: a standalone config, or the context `D1Store` shares (internal). */
export type DomainConstructorArg = D1DomainConfig | D1DomainContext;

const nonEmpty = z.string().trim().min(1, 'must be a non-empty string');

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** The API token is sent to this URL: TLS is required, except to this machine (a local emulator or proxy). */
function isSafeApiBaseUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname));
}

const connectionSchema = z.object({
  tablePrefix: z
    .string()
    .regex(TABLE_PREFIX_PATTERN, 'may contain only letters, digits and underscores')
    .optional(),
  binding: z
    .custom<D1DatabaseLike>((v) => typeof (v as D1DatabaseLike)?.prepare === 'function' && typeof (v as D1DatabaseLike)?.batch === 'function', {
      message: 'must be a D1Database binding (with prepare() and batch())',
    })
    .optional(),
  client: z
    .custom<D1Client>((v) => typeof (v as D1Client)?.query === 'function', { message: 'must have a query({ sql, params }) method' })
    .optional(),
  accountId: nonEmpty.optional(),
  apiToken: nonEmpty.optional(),
  databaseId: nonEmpty.optional(),
  apiBaseUrl: z
    .string()
    .refine(isSafeApiBaseUrl, 'must be an https:// URL (http:// only to localhost, 127.0.0.0/8 or [::1]): the API token is sent to it')
    .optional(),
  fetch: z.custom<typeof fetch>((v) => typeof v === 'function', { message: 'must be a function' }).optional(),
  timeoutMs: z.number().int().positive().optional(),
  retry: z
    .union([
      z.literal(false),
      z.object({
        attempts: z.number().int().min(1).max(10).optional(),
        baseDelayMs: z.number().min(0).optional(),
        maxDelayMs: z.number().min(0).optional(),
      }),
    ])
    .optional(),
});
/** Whether `value` is a retention age core's `parseDuration` accepts: milliseconds >= 0, or e.g. `30d`. */
export const isDuration = (value: unknown): boolean => {
  try {
    return parseDuration(value as Duration) >= 0;
  } catch {
    return false;
  }
};
const policySchema = z.object({
  maxAge: z.union([z.number(), z.string()]).refine(isDuration, 'must be a duration: milliseconds >= 0, or a string such as 30d or 12h'),
  batchSize: z.number().int().positive().optional(),
});
const storeSchema = connectionSchema.extend({
  id: nonEmpty,
  disableInit: z.boolean().optional(),
  retention: z.record(z.string(), z.record(z.string(), policySchema)).optional(),
});

type ParsedConnection = z.infer<typeof connectionSchema>;

function invalid(field: string, problem: string) {
  return userError('CONSTRUCTOR', `D1Store config: \`${field}\` ${problem}`, { field });
}

function parse<T extends z.ZodType>(schema: T, config: unknown): z.infer<T> {
  if (config === null || typeof config !== 'object') throw invalid('config', 'must be an object');
  const result = schema.safeParse(config);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw invalid(issue.path.join('.') || 'config', issue.message);
  }
  return result.data;
}

function driverFor(config: ParsedConnection): D1Driver {
  const rest = (['accountId', 'apiToken', 'databaseId'] as const).filter((key) => config[key] !== undefined);
  const modes = [config.binding && 'binding', config.client && 'client', rest.length > 0 && 'REST credentials'].filter(Boolean);
  if (modes.length === 0) {
    throw invalid('binding', 'is missing: pass a Workers `binding`, a custom `client`, or `accountId` + `databaseId` + `apiToken`');
  }
  if (modes.length > 1) throw invalid(config.binding ? 'binding' : 'client', `cannot be combined with ${modes.slice(1).join(' and ')}`);

  let driver: D1Driver;
  if (config.binding) driver = createBindingDriver(config.binding);
  else if (config.client) driver = createCustomDriver(config.client);
  else {
    const missing = (['accountId', 'databaseId', 'apiToken'] as const).find((key) => config[key] === undefined);
    if (missing) throw invalid(missing, 'is required for the REST API');
    driver = createRestDriver({
      accountId: config.accountId!,
      databaseId: config.databaseId!,
      apiToken: config.apiToken!,
      apiBaseUrl: config.apiBaseUrl,
      fetch: config.fetch,
      timeoutMs: config.timeoutMs,
    });
  }
  return config.retry === false ? driver : withRetry(driver, { ...DEFAULT_RETRY_POLICY, ...config.retry });
}

/**
 * Validates a `D1Store` config and picks the transport: the one place the binding-or-REST-or-custom
 * decision is made. Throws a USER `MastraError` naming the bad field.
 */
export function resolveStoreConfig(config: D1StoreConfig): { id: string; disableInit: boolean; retention?: RetentionConfig } & D1DomainContext {
  const parsed = parse(storeSchema, config);
  return {
    id: parsed.id,
    disableInit: parsed.disableInit ?? false,
    retention: parsed.retention as RetentionConfig | undefined,
    driver: driverFor(parsed),
    tables: createTableNamer(parsed.tablePrefix ?? ''),
  };
}

/** Resolves a domain class's constructor argument: a shared context from `D1Store`, or a standalone config. */
export function resolveDomainConfig(config: DomainConstructorArg): D1DomainContext {
  if (config && typeof config === 'object' && 'driver' in config && 'tables' in config) return config;
  const parsed = parse(connectionSchema, config);
  return { driver: driverFor(parsed), tables: createTableNamer(parsed.tablePrefix ?? '') };
}
