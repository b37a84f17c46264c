import { userError } from '../../errors';
import { exceedsValueLimit } from '../../sql/params';

/** A required, non-empty string argument; anything else is a USER error before anything is sent. */
export function requireText(operation: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw userError(operation, `${field} must be a non-empty string`, { field });
  }
  return value;
}

/** A timestamp as the ISO-8601 text every table stores; a Date or a parseable string is accepted. */
export function isoTimestamp(operation: string, field: string, value: unknown): string {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw userError(operation, `${field} must be a valid date`, { field });
  return date.toISOString();
}

/** Throws a USER error naming `record` when a serialized value is over D1's 2 MB value limit. */
export function checkValueSize(operation: string, record: string, value: string | null): void {
  if (value !== null && exceedsValueLimit(value)) {
    throw userError(operation, `${record} is over D1's 2,000,000-byte value limit`, { record });
  }
}

/**
 * A JSON-object argument (metadata) serialized for its TEXT column; absent (undefined or null) gives
 * undefined. A non-object, or a value over 2 MB, is a USER error naming `record`.
 */
export function objectJson(operation: string, record: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw userError(operation, `${record} must be an object`, { record });
  const json = JSON.stringify(value);
  checkValueSize(operation, record, json);
  return json;
}

/** Where a page starts and how many rows it takes; `limit` is -1 (no limit) for `perPage: false`. */
export interface PageWindow {
  page: number;
  offset: number;
  limit: number;
  /** `perPage` as the response reports it (`false` for "all"). */
  perPage: number | false;
}

/**
 * Checks `page`/`perPage` and computes the window. `strict` adds core's rule that `page` must be 0 with
 * `perPage: false` (LibSQLStore applies it to thread lists but not to message lists).
 */
export function pageWindow(operation: string, page: unknown, perPage: unknown, defaultPerPage: number, strict: boolean): PageWindow {
  if (typeof page !== 'number' || !Number.isSafeInteger(page) || page < 0) {
    throw userError(operation, 'page must be an integer >= 0', { page: String(page) });
  }
  const size = perPage === undefined ? defaultPerPage : perPage;
  if (size !== false && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)) {
    throw userError(operation, 'perPage must be false or an integer >= 0', { perPage: String(perPage) });
  }
  if (size === false) {
    if (strict && page !== 0) throw userError(operation, 'page must be 0 when perPage is false', { page });
    return { page, offset: 0, limit: -1, perPage: false };
  }
  if (!Number.isSafeInteger(page * size)) throw userError(operation, 'page value too large', { page });
  return { page, offset: page * size, limit: size, perPage: size };
}
