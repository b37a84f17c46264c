import type { D1Value, SqlStatement } from '../../client/types';
import { columnList } from '../../sql/codec';
import { placeholders } from '../../sql/params';
import { eq, where, type Condition } from '../../sql/query';
import { SCORES_TABLE } from './schema';

// Every statement of the scores domain. `t` is the prefixed, quoted scores table.

/** Every column, in core's order: each write binds and each read selects all of them. */
export const SCORE_COLUMNS = columnList(SCORES_TABLE);

/**
 * Newest first; scores saved in the same millisecond in the order they were saved (rowid), which is the
 * order LibSQLStore's stable sort over its table gives them.
 */
export const SCORE_ORDER = '"createdAt" DESC, rowid ASC';

/**
 * Inserts a score, replacing any score with the same id. Replacing (delete and insert, as LibSQLStore
 * does) rather than updating in place gives the new score a new rowid, so it sorts as the newest save.
 */
export function replaceScore(t: string, values: readonly D1Value[]): SqlStatement {
  return { sql: `INSERT OR REPLACE INTO ${t} (${SCORE_COLUMNS}) VALUES (${placeholders(values.length)})`, params: values };
}

/** One score by id. */
export function selectScore(t: string, id: string): SqlStatement {
  return { sql: `SELECT ${SCORE_COLUMNS} FROM ${t} WHERE id = ?`, params: [id] };
}

/** Column equalities a listing filters on; an `undefined` one matches any value. */
export type ScoreFilters = Partial<Record<'scorerId' | 'runId' | 'entityId' | 'entityType' | 'source' | 'traceId' | 'spanId' | 'organizationId' | 'projectId', string>>;

/** WHERE for a listing: every given filter must equal its column. */
export function scoreWhere(filters: ScoreFilters): Condition {
  return where(Object.entries(filters).map(([column, value]) => eq(column, value)));
}
