import { TABLE_SCHEMAS, TABLE_SCORERS } from '@mastra/core/storage';
import type { D1Value, SqlStatement } from '../../client/types';
import { placeholders } from '../../sql/params';
import { quoteIdentifier } from '../../sql/identifiers';

// Every statement of the scores domain. `t` is the prefixed, quoted scores table.

/** The scores table's columns, in core's order: every write binds and every read selects all of them. */
export const SCORE_COLUMNS = Object.keys(TABLE_SCHEMAS[TABLE_SCORERS]);
const COLUMN_LIST = SCORE_COLUMNS.map(quoteIdentifier).join(', ');

/** Inserts a score, replacing any score with the same id (a caller-supplied id is a stable key). */
export function upsertScore(t: string, values: readonly D1Value[]): SqlStatement {
  return { sql: `INSERT OR REPLACE INTO ${t} (${COLUMN_LIST}) VALUES (${placeholders(SCORE_COLUMNS.length)})`, params: values };
}

/** One score by id. */
export function selectScore(t: string, id: string): SqlStatement {
  return { sql: `SELECT ${COLUMN_LIST} FROM ${t} WHERE id = ?`, params: [id] };
}

/** Column equalities a listing filters on; an `undefined` one matches any value. */
export type ScoreFilters = Partial<Record<'scorerId' | 'runId' | 'entityId' | 'entityType' | 'source' | 'traceId' | 'spanId' | 'organizationId' | 'projectId', string>>;

function where(filters: ScoreFilters): { clause: string; params: D1Value[] } {
  const entries = Object.entries(filters).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return {
    clause: entries.length ? `WHERE ${entries.map(([column]) => `${quoteIdentifier(column)} = ?`).join(' AND ')}` : '',
    params: entries.map(([, value]) => value),
  };
}

/** How many scores match `filters`. */
export function countScores(t: string, filters: ScoreFilters): SqlStatement {
  const { clause, params } = where(filters);
  return { sql: `SELECT COUNT(*) AS total FROM ${t} ${clause}`, params };
}

/**
 * One page of matching scores, newest first. Ties on createdAt fall back to insertion order (rowid),
 * so pages never overlap; the (filter, createdAt) indexes hold rowid and serve this order without a sort.
 */
export function selectScores(t: string, filters: ScoreFilters, page: { limit: number; offset: number }): SqlStatement {
  const { clause, params } = where(filters);
  return {
    sql: `SELECT ${COLUMN_LIST} FROM ${t} ${clause} ORDER BY "createdAt" DESC, rowid DESC LIMIT ? OFFSET ?`,
    params: [...params, page.limit, page.offset],
  };
}
