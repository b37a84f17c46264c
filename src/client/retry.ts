import { D1QueryError } from './errors';
import type { D1Driver, SqlStatement, WriteOptions } from './types';

/** How hard to retry transient failures. */
export interface RetryPolicy {
  /** Total attempts, including the first. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Cloudflare's suggestion: a few attempts with full-jitter exponential backoff. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 50, maxDelayMs: 2000 };

/**
 * The longest `retry-after` waited out. A longer one means the account is blocked (Cloudflare blocks it
 * for 5 minutes after 1,200 requests in 5 minutes): stalling a storage call that long is worse than failing.
 */
export const MAX_RETRY_AFTER_MS = 10_000;

/**
 * Decides whether a failed call may run again. A rate-limited request never reached the database,
 * so it is always safe (unless the wait is too long); a transient failure may have applied, so only
 * idempotent work repeats.
 */
export function isRetryable(error: unknown, idempotent: boolean): boolean {
  if (!(error instanceof D1QueryError)) return false;
  if (error.kind === 'rate-limited') return (error.retryAfterMs ?? 0) <= MAX_RETRY_AFTER_MS;
  return error.kind === 'transient' && idempotent;
}

function backoffMs(policy: RetryPolicy, attempt: number, error: unknown): number {
  if (error instanceof D1QueryError && error.retryAfterMs !== undefined) return error.retryAfterMs;
  const ceiling = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
  return Math.random() * ceiling;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function attempt<T>(policy: RetryPolicy, idempotent: boolean, call: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await call();
    } catch (error) {
      if (tries + 1 >= policy.attempts || !isRetryable(error, idempotent)) throw error;
      await sleep(backoffMs(policy, tries, error));
    }
  }
}

/**
 * Adds retries to a driver, in this one place for every transport. Reads are always idempotent;
 * writes repeat only when the caller says they are.
 */
export function withRetry(driver: D1Driver, policy: RetryPolicy = DEFAULT_RETRY_POLICY): D1Driver {
  return {
    kind: driver.kind,
    atomicBatch: driver.atomicBatch,
    all: (statement: SqlStatement) => attempt(policy, true, () => driver.all(statement)),
    run: (statement: SqlStatement, options?: WriteOptions) =>
      attempt(policy, options?.idempotent ?? false, () => driver.run(statement, options)),
    batch: (statements: readonly SqlStatement[], options?: WriteOptions) =>
      attempt(policy, options?.idempotent ?? false, () => driver.batch(statements, options)),
  } as D1Driver;
}
