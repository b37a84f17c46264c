import type { D1Value } from '../client/types';

/** D1 rejects a statement binding more than this many parameters. */
export const MAX_BOUND_PARAMS = 100;
/** D1's limit on one statement's SQL text, in bytes. */
export const MAX_SQL_BYTES = 100_000;
/** D1's limit on one string, BLOB or row, in bytes. */
export const MAX_VALUE_BYTES = 2_000_000;

/** `?, ?, ?` for `count` parameters. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/**
 * Splits rows so each multi-row statement binds at most `MAX_BOUND_PARAMS - reserved` parameters,
 * `paramsPerRow` per row. `reserved` leaves room for parameters outside the VALUES list.
 */
export function chunkRows<T>(rows: readonly T[], paramsPerRow: number, reserved = 0): T[][] {
  const perChunk = Math.max(1, Math.floor((MAX_BOUND_PARAMS - reserved) / paramsPerRow));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += perChunk) chunks.push(rows.slice(i, i + perChunk));
  return chunks;
}

/**
 * A whole list as ONE bound parameter, for `IN (SELECT value FROM json_each(?))`: any number of ids
 * costs one parameter and a fixed amount of SQL text.
 */
export function jsonList(values: readonly (string | number)[]): string {
  return JSON.stringify(values);
}

/** `column IN (SELECT value FROM json_each(?))`, to be bound with `jsonList(values)`. */
export function inJsonList(column: string): string {
  return `${column} IN (SELECT value FROM json_each(?))`;
}

/**
 * Whether a bound value is over D1's 2,000,000-byte limit (in UTF-8 bytes). Checked before sending so
 * the caller gets a clear USER error naming the record instead of SQLITE_TOOBIG halfway through.
 */
export function exceedsValueLimit(value: D1Value): boolean {
  if (typeof value === 'string') {
    if (value.length * 3 <= MAX_VALUE_BYTES) return false;
    return new TextEncoder().encode(value).byteLength > MAX_VALUE_BYTES;
  }
  return value instanceof ArrayBuffer && value.byteLength > MAX_VALUE_BYTES;
}
