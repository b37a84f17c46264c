import { userError } from '../errors';
import { serializeJson } from '../sql/codec';
import { exceedsValueLimit } from '../sql/params';

export { serializeJson };

// Input checks shared by every domain. Each throws a USER error naming the field before anything is
// sent to D1, so bad input never writes anything.

/** A required, non-empty (not only whitespace) string argument. */
export function requireText(operation: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw userError(operation, `${field} must be a non-empty string`, { field });
  }
  return value;
}

/** A string argument that may be left out (`undefined`). */
export function optionalText(operation: string, field: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw userError(operation, `${field} must be a string when given`, { field });
}

/** A `Date` as the ISO-8601 text the tables store. */
export function isoDate(operation: string, value: unknown, field: string): string {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw userError(operation, `${field} must be a valid Date`, { field });
  return value.toISOString();
}

/** Like `isoDate`, also accepting a parseable date string (as messages carry after a JSON round trip). */
export function isoTimestamp(operation: string, field: string, value: unknown): string {
  return isoDate(operation, typeof value === 'string' ? new Date(value) : value, field);
}

/** Refuses a serialized value over D1's 2,000,000-byte value limit; `record` names what it is. */
export function checkValueSize(operation: string, record: string, value: string | null): void {
  if (value !== null && exceedsValueLimit(value)) {
    throw userError(operation, `${record} is over D1's 2,000,000-byte value limit`, { record });
  }
}

/** A JSON-object argument (metadata) serialized for its column; absent (undefined or null) gives undefined. */
export function objectJson(operation: string, record: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw userError(operation, `${record} must be an object`, { record });
  return serializeJson(operation, value, record);
}
