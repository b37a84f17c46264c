import type { SaveScorePayload, ScoreRowData } from '@mastra/core/evals';
import { TABLE_SCHEMAS, TABLE_SCORERS, transformScoreRow } from '@mastra/core/storage';
import type { D1Value } from '../../client/types';
import { userError } from '../../errors';
import { MAX_VALUE_BYTES } from '../../sql/params';
import { serializeJson } from '../validation';
import { SCORE_COLUMNS } from './sql';

const SCHEMA = TABLE_SCHEMAS[TABLE_SCORERS];

/**
 * A validated score as the values of one row, in `SCORE_COLUMNS` order: JSON columns as JSON text,
 * dates as ISO text. A value or a whole row over D1's 2 MB limit is a USER error naming the score.
 */
export function scoreToRow(operation: string, score: SaveScorePayload & { id: string; createdAt: Date; updatedAt: Date }): D1Value[] {
  const record = `score ${score.id} (scorer ${score.scorerId})`;
  const fields = score as unknown as Record<string, unknown>;
  const values = SCORE_COLUMNS.map((column): D1Value => {
    const value = fields[column];
    if (value === undefined || value === null) return null;
    if (value instanceof Date) return value.toISOString();
    if (SCHEMA[column]!.type === 'jsonb' || typeof value === 'object') return serializeJson(operation, value, `${column} of ${record}`);
    return value as D1Value;
  });
  const rowBytes = values.reduce<number>((sum, v) => sum + (typeof v === 'string' ? new TextEncoder().encode(v).byteLength : 8), 0);
  if (rowBytes > MAX_VALUE_BYTES) throw userError(operation, `${record} is over D1's 2,000,000-byte row limit`, { record });
  return values;
}

/** A scores row as core's `ScoreRowData`: JSON columns parsed, NULL columns left out, timestamps as Dates. */
export function scoreFromRow(row: Record<string, unknown>): ScoreRowData {
  return transformScoreRow(row, { convertTimestamps: true }) as ScoreRowData;
}
