import type { SaveScorePayload, ScoreRowData } from '@mastra/core/evals';
import { transformScoreRow } from '@mastra/core/storage';
import type { D1Value } from '../../client/types';
import { encodeRow } from '../../sql/codec';
import { SCORES_TABLE } from './schema';

/**
 * A validated score as the values of one row, in column order. A value or the whole row over D1's
 * 2 MB limit is a USER error naming the score.
 */
export function scoreToRow(operation: string, score: SaveScorePayload & { id: string; createdAt: Date; updatedAt: Date }): D1Value[] {
  return encodeRow(operation, SCORES_TABLE, score as unknown as Record<string, unknown>, { record: `score ${score.id} (scorer ${score.scorerId})` });
}

/** A scores row as core's `ScoreRowData`, by core's own transform (the one LibSQLStore applies). */
export function scoreFromRow(row: Record<string, unknown>): ScoreRowData {
  return transformScoreRow(row, { convertTimestamps: true }) as ScoreRowData;
}
