import type { ObservationalMemoryRecord } from '@mastra/core/storage';
import type { SqlStatement } from '../../client/types';
import { notFoundError, userError } from '../../errors';
import { checkValueSize } from '../validation';

// Checks on Observational Memory input: each throws a USER MastraError before anything is sent.

/** A string, possibly empty (observation and reflection text). */
export function requireString(operation: string, field: string, value: unknown): string {
  if (typeof value !== 'string') throw userError(operation, `${field} must be a string`, { field });
  return value;
}

/** A record id that matches no row (nothing was written). */
export const notFound = (operation: string, id: string) => notFoundError(operation, `Observational memory record not found: ${id}`, { id });

/** A finite number (a token count). */
export function requireCount(operation: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw userError(operation, `${field} must be a finite number`, { field });
  return value;
}

/** An integer >= 0 (a limit, an offset, a line or generation count). */
export function requireIndex(operation: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw userError(operation, `${field} must be an integer >= 0`, { field, value: String(value) });
  }
  return value;
}

/** A plain object (a config, a record). */
export function requirePlainObject(operation: string, field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw userError(operation, `${field} must be an object`, { field });
  return value as Record<string, unknown>;
}

/** Core's two memory scopes. */
export function requireScope(operation: string, scope: unknown): ObservationalMemoryRecord['scope'] {
  if (scope !== 'thread' && scope !== 'resource') throw userError(operation, "scope must be 'thread' or 'resource'", { scope: String(scope) });
  return scope;
}

/** Every string bound by `statements` fits D1's value limit; else a USER error naming the record, before anything is sent. */
export function checkStatementValues(operation: string, record: string, statements: readonly SqlStatement[]): void {
  for (const statement of statements) {
    for (const value of statement.params) if (typeof value === 'string') checkValueSize(operation, record, value);
  }
}
