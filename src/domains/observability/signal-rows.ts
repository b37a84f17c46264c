import type { SqlStatement } from '../../client/types';
import { userError } from '../../errors';
import { decodeRow, encodeValue, serializeJson } from '../../sql/codec';
import { quoteIdentifier } from '../../sql/identifiers';
import { exceedsValueLimit } from '../../sql/params';
import { packJsonArrays } from './payload';
import { FEEDBACK, SCORES, type SignalTable } from './signal-tables';

type Row = Record<string, unknown>;

/** The columns a record is written to: all but the store's own `cursorId`. */
export const writtenColumns = (signal: SignalTable) => Object.keys(signal.spec.columns).filter((c) => c !== 'cursorId');

/** The columns a record is read back from: the written ones but derived `valueNumber`. */
export const recordColumns = (signal: SignalTable) => writtenColumns(signal).filter((c) => c !== 'valueNumber');

/** Core's numeric reading of a feedback value: a finite number, or a non-blank string that parses as one. */
function numericFeedback(value: unknown): number | null {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
  return Number.isFinite(number) ? number : null;
}

/**
 * A record as core's stores keep it: a score's `scoreSource` and `source` are one value; feedback gets
 * its source (default `''`), its user (from `userId` or `metadata.userId`) and `needs-review`.
 */
function normalized(signal: SignalTable, input: Row): Row {
  const record = typeof input.timestamp === 'string' ? { ...input, timestamp: new Date(input.timestamp) } : input;
  if (signal === SCORES) {
    const source = record.scoreSource ?? record.source ?? null;
    return { ...record, scoreSource: source, source };
  }
  if (signal === FEEDBACK) {
    const source = record.feedbackSource ?? record.source ?? '';
    const metadataUser = (record.metadata as Row | undefined)?.userId;
    return {
      ...record,
      feedbackSource: source,
      source,
      feedbackUserId: record.feedbackUserId ?? record.userId ?? (typeof metadataUser === 'string' ? metadataUser : null),
      reviewStatus: record.reviewStatus ?? 'needs-review',
      valueNumber: numericFeedback(record.value),
    };
  }
  return record;
}

/** One record as a JSON array of its column values; a missing required field or an oversized record is a USER error. */
function rowJson(operation: string, signal: SignalTable, input: unknown): string {
  if (input === null || typeof input !== 'object') throw userError(operation, `each ${signal.id.slice(0, -2)} must be an object`);
  const record = normalized(signal, input as Row);
  const name = `${signal.id} ${String(record[signal.id] ?? '?')}`;
  const cells = writtenColumns(signal).map((column) => {
    const { type, nullable } = signal.spec.columns[column]!;
    const value = record[column];
    if (nullable === false && value == null) throw userError(operation, `${name} is missing \`${column}\``, { field: column });
    if (type === 'jsonb') return value == null ? 'null' : serializeJson(operation, value, `${column} of ${name}`);
    return JSON.stringify(encodeValue(operation, type, value, `${column} of ${name}`));
  });
  const row = `[${cells.join(',')}]`;
  if (exceedsValueLimit(row)) throw userError(operation, `${name} is over D1's 2,000,000-byte row limit`, { field: signal.id });
  return row;
}

/**
 * The statements that insert `records`: each a chunk of rows as ONE JSON parameter (under D1's 2 MB
 * value limit), unpacked with `json_each`. A signal id already stored is left as it is, so an exporter
 * retrying a flush writes nothing twice. Every record is checked before any statement is built.
 */
export function insertStatements(operation: string, table: string, signal: SignalTable, records: readonly unknown[]): SqlStatement[] {
  const rows = records.map((record) => rowJson(operation, signal, record));
  const columns = writtenColumns(signal);
  const values = columns.map((c, i) => (signal.spec.columns[c]!.type === 'jsonb' ? `nullif(value -> ${i}, 'null')` : `value ->> ${i}`));
  // `WHERE true` is SQLite's required disambiguation between INSERT ... SELECT and ON CONFLICT.
  const sql = `INSERT INTO ${table} (${columns.map(quoteIdentifier).join(', ')})
    SELECT ${values.join(', ')} FROM json_each(?) WHERE true
    ON CONFLICT (${quoteIdentifier(signal.id)}) DO NOTHING`;
  return packJsonArrays(rows).map((payload) => ({ sql, params: [payload] }));
}

/** A stored row back as core's record: NULL columns left out (as the record was written), `timestamp` a Date. */
export function toRecord<T>(signal: SignalTable, row: Row): T {
  const record = decodeRow<Row>(signal.spec, row, { omitNull: true });
  record.timestamp = new Date(Number(row.timestamp));
  delete record.cursorId;
  return record as T;
}
