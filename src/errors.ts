import { ErrorCategory, ErrorDomain, MastraError } from '@mastra/core/error';
import { createStorageErrorId } from '@mastra/core/storage';
import { D1QueryError } from './client/errors';

type Details = Record<string, string | number | boolean | null>;

const STORE = 'CLOUDFLARE_D1';

function userCategoryError(operation: string, status: string, text: string, details: Details): MastraError {
  return new MastraError({
    id: createStorageErrorId(STORE, operation, status),
    domain: ErrorDomain.STORAGE,
    category: ErrorCategory.USER,
    text,
    details,
  });
}

/**
 * A USER error for bad input. Thrown before anything is sent, so nothing is written.
 * `operation` is the method name (e.g. `saveMessages`); core's helper normalizes its casing.
 * `status` ends the error id (`..._INVALID_ARGS` unless a more precise one, e.g. `THREAD_EXISTS`, fits).
 */
export function userError(operation: string, text: string, details: Details = {}, status = 'INVALID_ARGS'): MastraError {
  return userCategoryError(operation, status, text, details);
}

/** A USER error for an id that matches no record; thrown by writes that found nothing to change. */
export function notFoundError(operation: string, text: string, details: Details = {}): MastraError {
  return userCategoryError(operation, 'NOT_FOUND', text, details);
}

/** Maps any failure inside a domain method to a `MastraError`, keeping ones already mapped. */
export function toMastraError(operation: string, error: unknown, details: Details = {}): MastraError {
  if (error instanceof MastraError) return error;
  const d1 = error instanceof D1QueryError ? error : undefined;
  const tooBig = d1?.kind === 'too-big';
  return new MastraError(
    {
      id: createStorageErrorId(STORE, operation, 'FAILED'),
      domain: ErrorDomain.STORAGE,
      category: tooBig ? ErrorCategory.USER : ErrorCategory.THIRD_PARTY,
      text: `D1Store.${operation} failed: ${error instanceof Error ? error.message : String(error)}`,
      details: d1 ? { ...details, d1Kind: d1.kind, statementParams: d1.paramCount } : details,
    },
    error,
  );
}

/**
 * Runs one domain operation and gives any failure its Mastra error id: the single place
 * domain methods turn driver errors into `MastraError`s. Failed reads throw; nothing is swallowed.
 */
export async function storageOperation<T>(operation: string, details: Details, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toMastraError(operation, error, details);
  }
}
