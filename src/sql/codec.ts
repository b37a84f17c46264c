import type { StorageColumn } from '@mastra/core/storage';
import type { D1Value, SqlStatement } from '../client/types';
import { userError } from '../errors';
import type { TableSpec } from './ddl';
import { quoteIdentifier } from './identifiers';
import { exceedsValueLimit, MAX_VALUE_BYTES, placeholders } from './params';

// How a record's values become a row's and back, driven by the column types of a `TableSpec`: JSON
// columns as JSON text, booleans as 0/1, timestamps as ISO-8601 text (as `@mastra/cloudflare-d1` stored
// them), epoch-ms integers as numbers. One codec for every domain, so no domain parses JSON by hand.

type ColumnType = StorageColumn['type'];
type Row = Record<string, unknown>;

/**
 * `JSON.stringify(value)` for a JSON column, refusing a value that cannot be serialized or is over
 * D1's value limit. `record` names what the value is, e.g. `snapshot of workflow run abc`.
 */
export function serializeJson(operation: string, value: unknown, record: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw userError(operation, `${record} cannot be serialized as JSON: ${(error as Error).message}`, { record });
  }
  if (json === undefined) throw userError(operation, `${record} is not a JSON value`, { record });
  if (exceedsValueLimit(json)) throw userError(operation, `${record} is over D1's 2,000,000-byte value limit`, { record });
  return json;
}

function timestamp(operation: string, value: unknown, record: string): string {
  const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw userError(operation, `${record} must be a valid date`, { record });
  return date.toISOString();
}

/**
 * One value in its stored form for a column of `type`. `undefined` and `null` are NULL; `record` names the
 * value in a USER error (e.g. `metadata of thread t1`) when it cannot be stored.
 */
export function encodeValue(operation: string, type: ColumnType, value: unknown, record: string): D1Value {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'jsonb':
      return serializeJson(operation, value, record);
    case 'timestamp':
      return timestamp(operation, value, record);
    case 'boolean':
      if (typeof value !== 'boolean') throw userError(operation, `${record} must be a boolean`, { record });
      return value ? 1 : 0;
    case 'integer':
    case 'bigint':
    case 'float': {
      const number = value instanceof Date ? value.getTime() : value;
      if (typeof number !== 'number' || !Number.isFinite(number)) throw userError(operation, `${record} must be a finite number`, { record });
      if (type !== 'float' && !Number.isSafeInteger(number)) throw userError(operation, `${record} must be an integer`, { record });
      return number;
    }
    default:
      if (typeof value === 'string') return value;
      if (typeof value === 'object') return serializeJson(operation, value, record);
      throw userError(operation, `${record} must be a string`, { record });
  }
}

/** Parses JSON text, returning it as stored when it is not JSON (as core's `safelyParseJSON` does). */
export function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** One stored value back in its record form. */
export function decodeValue(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (type) {
    case 'jsonb':
      return parseJson(value);
    case 'timestamp':
      return new Date(value as string);
    case 'boolean':
      return Boolean(value);
    default:
      return value;
  }
}

/** Options of `encodeRow`. */
export interface EncodeOptions {
  /** Names the record in errors, e.g. `score s1`. */
  record: string;
  /** The columns to encode, in order; default every column of the spec. */
  columns?: readonly string[];
}

/**
 * A record as the values of one row, in column order. A value, or the row as a whole, over D1's
 * 2,000,000-byte limit is a USER error naming the record, thrown before anything is sent.
 */
export function encodeRow(operation: string, spec: TableSpec, record: Row, options: EncodeOptions): D1Value[] {
  const columns = options.columns ?? Object.keys(spec.columns);
  let bytes = 0;
  const values = columns.map((column) => {
    const { type, nullable } = spec.columns[column]!;
    // A JSON column that may not be NULL holds an absent value as JSON `null`, as LibSQLStore writes it.
    const given = record[column];
    const value = given == null && type === 'jsonb' && nullable === false ? 'null' : encodeValue(operation, type, given, `${column} of ${options.record}`);
    if (typeof value === 'string') {
      if (exceedsValueLimit(value)) throw userError(operation, `${column} of ${options.record} is over D1's 2,000,000-byte value limit`, { record: options.record });
      bytes += value.length * 3 > MAX_VALUE_BYTES ? new TextEncoder().encode(value).byteLength : value.length;
    } else bytes += 8;
    return value;
  });
  if (bytes > MAX_VALUE_BYTES) throw userError(operation, `${options.record} is over D1's 2,000,000-byte row limit`, { record: options.record });
  return values;
}

/**
 * A row as a record: every column of the spec decoded by its type. With `omitNull`, NULL columns are left
 * out (as core's score rows and span records do); otherwise they are `null`.
 */
export function decodeRow<T = Row>(spec: TableSpec, row: Row, { omitNull = false }: { omitNull?: boolean } = {}): T {
  const record: Row = {};
  for (const [column, { type }] of Object.entries(spec.columns)) {
    if (!(column in row)) continue;
    const value = row[column];
    if (value === null && omitNull) continue;
    record[column] = decodeValue(type, value);
  }
  return record as T;
}

/** The spec's columns, quoted and comma-separated, for `SELECT` and `INSERT` lists. */
export function columnList(spec: TableSpec, columns: readonly string[] = Object.keys(spec.columns)): string {
  return columns.map(quoteIdentifier).join(', ');
}

/**
 * `INSERT ... ON CONFLICT (key) DO UPDATE` of one row, every column but the key and `keep` taking the new
 * value. `keep` lists columns the first write owns (e.g. `createdAt`). Bind the values of `encodeRow` over
 * the same `columns`.
 */
export function upsertSql(table: string, spec: TableSpec, values: readonly D1Value[], options: { key: readonly string[]; keep?: readonly string[]; columns?: readonly string[] }): SqlStatement {
  const columns = options.columns ?? Object.keys(spec.columns);
  const fixed = new Set([...options.key, ...(options.keep ?? [])]);
  const updates = columns.filter((c) => !fixed.has(c)).map((c) => `${quoteIdentifier(c)} = excluded.${quoteIdentifier(c)}`);
  const conflict = updates.length ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING';
  return {
    sql: `INSERT INTO ${table} (${columnList(spec, columns)}) VALUES (${placeholders(columns.length)}) ON CONFLICT (${options.key.map(quoteIdentifier).join(', ')}) ${conflict}`,
    params: values,
  };
}
