import { userError } from '../errors';
import { exceedsValueLimit } from '../sql/params';

/**
 * `JSON.stringify(value)` for a JSON column, refusing with a USER error (before anything is sent, so
 * nothing is written) a value that cannot be serialized or is over D1's 2,000,000-byte value limit.
 * `record` names what the value is, e.g. `snapshot of workflow run abc`.
 */
export function serializeJson(operation: string, value: unknown, record: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw userError(operation, `${record} cannot be serialized as JSON: ${(error as Error).message}`, { record });
  }
  if (text === undefined) throw userError(operation, `${record} is not a JSON value`, { record });
  if (exceedsValueLimit(text)) throw userError(operation, `${record} is over D1's 2,000,000-byte value limit`, { record });
  return text;
}

/** `value` when it is a non-empty string; anything else is a USER error naming `field`. */
export function text(operation: string, field: string, value: unknown): string {
  if (typeof value === 'string' && value !== '') return value;
  throw userError(operation, `${field} must be a non-empty string`, { field });
}

/** `value` when it is a string or absent (`undefined`); anything else is a USER error naming `field`. */
export function optionalText(operation: string, field: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw userError(operation, `${field} must be a string when given`, { field });
}

/** A date as the ISO-8601 text the tables store; an invalid date is a USER error naming `field`. */
export function isoDate(operation: string, value: Date, field: string): string {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw userError(operation, `${field} must be a valid Date`, { field });
  return value.toISOString();
}

/** The rows one page covers; `limit` is -1 (SQLite's "no limit") when `perPage` is `false`. */
export interface PageWindow {
  offset: number;
  limit: number;
  /** `perPage` as a response reports it. */
  perPage: number | false;
}

/**
 * Checks `page` (an integer >= 0) and `perPage` (an integer >= 0, or `false` for every row from the
 * start, whatever the page) as core's pagination helpers do, but as USER errors.
 */
export function pageWindow(operation: string, page: number, perPage: number | false): PageWindow {
  if (!Number.isSafeInteger(page) || page < 0) throw userError(operation, 'page must be an integer >= 0', { page: String(page) });
  if (perPage === false) return { offset: 0, limit: -1, perPage: false };
  if (!Number.isSafeInteger(perPage) || perPage < 0) throw userError(operation, 'perPage must be false or an integer >= 0', { perPage: String(perPage) });
  return { offset: page * perPage, limit: perPage, perPage };
}
