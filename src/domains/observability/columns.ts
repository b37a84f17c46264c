import type { SpanRecord } from '@mastra/core/storage';
import { decodeRow, encodeValue } from '../../sql/codec';
import { serializeJson } from '../validation';
import { SPANS_TABLE } from './schema';

/** Every spans column, in core's order: the one column list reads and writes share. */
export const SPAN_COLUMNS = Object.keys(SPANS_TABLE.columns);

const typeOf = (column: string) => SPANS_TABLE.columns[column]?.type;

/** Columns stored as JSON text. */
export const isJsonColumn = (column: string): boolean => typeOf(column) === 'jsonb';

/** Columns `updateSpan` may change: the key identifies the row, and the timestamps are the store's. */
export const UPDATABLE_COLUMNS: ReadonlySet<string> = new Set(SPAN_COLUMNS.filter((c) => !['traceId', 'spanId', 'createdAt', 'updatedAt'].includes(c)));

/** Columns that may not be NULL, so a record without them is rejected before anything is sent. */
export const REQUIRED_COLUMNS = SPAN_COLUMNS.filter((c) => SPANS_TABLE.columns[c]?.nullable === false && c !== 'createdAt');

/** The structural columns `getStructure` returns, as core's `ObservabilityInMemory` projects them. */
export const STRUCTURE_COLUMNS = [
  'traceId',
  'spanId',
  'parentSpanId',
  'name',
  'spanType',
  'isEvent',
  'startedAt',
  'endedAt',
  'error',
  'entityType',
  'entityId',
  'entityName',
  'createdAt',
  'updatedAt',
];

/** What `toLightSpanRecord` reads: the structure plus metadata and the input it previews. */
export const LIGHT_LIST_COLUMNS = [...STRUCTURE_COLUMNS, 'metadata', 'input'];

/**
 * One column's value as JSON text for a payload (see `sql.ts`): each value in its stored form (the
 * codec's: dates as ISO text, booleans as 0/1), except that JSON columns carry the value's own JSON, so
 * SQL stores it without a second layer of escaping. A value that cannot be stored is a USER error
 * naming `record`.
 */
export function payloadJson(operation: string, column: string, value: unknown, record: string): string {
  const type = typeOf(column)!;
  if (type === 'jsonb' && value !== undefined && value !== null) return serializeJson(operation, value, `${column} of ${record}`);
  return JSON.stringify(encodeValue(operation, type, value, `${column} of ${record}`));
}

/** A row as D1 returns it, back to the record shape core defines (NULL stays null, as LibSQLStore reads it). */
export function toSpanRecord<T = SpanRecord>(row: Record<string, unknown>): T {
  return decodeRow<T>(SPANS_TABLE, row);
}
