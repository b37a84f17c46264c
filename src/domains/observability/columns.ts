import { SPAN_SCHEMA, safelyParseJSON, type SpanRecord, type StorageColumn } from '@mastra/core/storage';
import { isoDate, serializeJson } from '../validation';

/** Every spans column, in `SPAN_SCHEMA` order: the one column list reads and writes share. */
export const SPAN_COLUMNS = Object.keys(SPAN_SCHEMA);

const SCHEMA: Record<string, StorageColumn | undefined> = SPAN_SCHEMA;
const typeOf = (column: string) => SCHEMA[column]?.type;

/** Columns stored as JSON text. */
export const isJsonColumn = (column: string): boolean => typeOf(column) === 'jsonb';

/** Columns `updateSpan` may change: the key identifies the row, and the timestamps are the store's. */
export const UPDATABLE_COLUMNS = SPAN_COLUMNS.filter((c) => !['traceId', 'spanId', 'createdAt', 'updatedAt'].includes(c));

/** Columns that may not be NULL, so a record without them is rejected before anything is sent. */
export const REQUIRED_COLUMNS = SPAN_COLUMNS.filter((c) => SCHEMA[c]?.nullable === false && c !== 'createdAt');

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
 * One column's value as JSON text for a payload (see `sql.ts`): dates as ISO text, booleans as 0/1,
 * JSON columns as the value's own JSON text, so SQL stores it without a second layer of escaping.
 * A value that is not serializable, or an invalid date, is a USER error naming `record`.
 */
export function payloadJson(operation: string, column: string, value: unknown, record: string): string {
  if (value === undefined || value === null) return 'null';
  switch (typeOf(column)) {
    case 'timestamp':
      return JSON.stringify(isoDate(operation, value instanceof Date ? value : new Date(value as string | number), `${column} of ${record}`));
    case 'boolean':
      return value ? '1' : '0';
    case 'jsonb':
      return serializeJson(operation, value, `${column} of ${record}`);
    default:
      return JSON.stringify(value);
  }
}

/** A row as D1 returns it, back to the record shape core defines (NULL stays null, as LibSQLStore reads it). */
export function toSpanRecord<T = SpanRecord>(row: Record<string, unknown>): T {
  const span: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (value === null || value === undefined) span[column] = null;
    else if (typeOf(column) === 'timestamp') span[column] = new Date(String(value));
    else if (typeOf(column) === 'jsonb') span[column] = safelyParseJSON(value);
    else if (typeOf(column) === 'boolean') span[column] = Boolean(value);
    else span[column] = value;
  }
  return span as T;
}
