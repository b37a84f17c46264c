import { ErrorCategory, MastraError } from '@mastra/core/error';
import { expect } from 'vitest';

/** Awaits a call that must fail and returns its error, so a test can look at it closely. */
export async function failure(call: Promise<unknown> | (() => Promise<unknown>)): Promise<MastraError> {
  let outcome: unknown;
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (error) {
    outcome = error;
  }
  expect(outcome, 'the call was expected to fail').toBeInstanceOf(MastraError);
  return outcome as MastraError;
}

/** A USER `MastraError` (bad input), optionally mentioning some text. */
export async function userFailure(call: Promise<unknown> | (() => Promise<unknown>), mentions?: string | RegExp): Promise<MastraError> {
  const error = await failure(call);
  expect(error.category, `${error.id}: ${error.message}`).toBe(ErrorCategory.USER);
  if (mentions !== undefined) expect(error.message).toMatch(mentions);
  return error;
}

/** The tables (and indexes) that exist under a prefix, by exact prefix match. */
export function schemaNamesSql(): string {
  return 'SELECT type, name FROM sqlite_schema WHERE substr(name, 1, length(?1)) = ?1 ORDER BY name';
}
