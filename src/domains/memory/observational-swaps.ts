import type { D1Value, SqlStatement } from '../../client/types';
import { quoteIdentifier } from '../../sql/identifiers';

/**
 * The two Observational Memory "swaps", each computed inside D1 from the row as it is when the statement
 * runs, so a concurrent writer can never be overwritten by a stale copy held in a Worker.
 */

/** Inputs of buffered-observation activation, precomputed from the call's arguments as core defines them. */
export interface ActivationTarget {
  id: string;
  /** Message tokens the activation should remove: `max(0, currentPendingTokens - retentionFloor)`. */
  target: number;
  /** How far past `target` a boundary may go: `retentionFloor * 0.95`. */
  maxOvershoot: number;
  currentPendingTokens: number;
  /** Tokens that must stay in context: `min(1000, retentionFloor)`. */
  minRemaining: number;
  forceMaxActivation: boolean;
}

const activationParams = (a: ActivationTarget): D1Value[] => [a.id, a.target, a.maxOvershoot, a.currentPendingTokens, a.minRemaining, a.forceMaxActivation];

/**
 * CTEs choosing how many leading chunks to activate (`plan.n`), the boundary rule of core's adapters:
 * the smallest running total of message tokens reaching the target (`over_target`) unless it overshoots
 * or leaves too little, else the largest total below it (`under_target`), else whatever exists.
 * Parameters ?1-?6 are `activationParams`.
 */
const activationPlan = (t: string) => `
  chunks AS (
    SELECT CAST(j.key AS INTEGER) AS i, j.value AS chunk, COALESCE(j.value ->> '$.messageTokens', 0) AS messageTokens
    FROM ${t} AS om, json_each(om."bufferedObservationChunks") AS j
    WHERE om.id = ?1 AND om."bufferedObservationChunks" IS NOT NULL AND om."bufferedObservationChunks" != '[]'
  ),
  running AS (SELECT i, SUM(messageTokens) OVER (ORDER BY i) AS tokens FROM chunks),
  over_target AS (SELECT i + 1 AS boundary, tokens FROM running WHERE tokens >= ?2 ORDER BY tokens, i LIMIT 1),
  under_target AS (SELECT i + 1 AS boundary, tokens FROM running WHERE tokens < ?2 AND tokens > 0 ORDER BY tokens DESC, i LIMIT 1),
  plan AS (
    SELECT CASE
      WHEN ?6 AND o.boundary IS NOT NULL AND ?4 - o.tokens >= ?5 THEN o.boundary
      WHEN o.boundary IS NOT NULL AND o.tokens - ?2 <= ?3 AND ?4 - o.tokens >= ?5 THEN o.boundary
      WHEN u.boundary IS NOT NULL AND ?4 - u.tokens >= ?5 THEN u.boundary
      WHEN o.boundary IS NOT NULL THEN o.boundary
      ELSE 1
    END AS n
    FROM (SELECT 1) LEFT JOIN over_target AS o LEFT JOIN under_target AS u
  )`;

/** The chunks the activation takes, in order, as stored JSON (read in the same batch, before the update). */
export const selectActivatedChunks = (t: string, a: ActivationTarget): SqlStatement => ({
  sql: `WITH ${activationPlan(t)}
    SELECT chunk FROM chunks, plan WHERE i < n ORDER BY i`,
  params: activationParams(a),
});

/**
 * For a driver whose batch is not a transaction: in one statement, a row when the record exists, with
 * the buffered chunks as stored (`buffered`, the guard of `activateChunks`) and the JSON array of the
 * chunks the activation would take from them (`activated`).
 */
export const selectActivationSnapshot = (t: string, a: ActivationTarget): SqlStatement => ({
  sql: `WITH ${activationPlan(t)}
    SELECT om."bufferedObservationChunks" AS buffered,
      (SELECT json_group_array(json(chunk) ORDER BY i) FROM chunks, plan WHERE i < n) AS activated
    FROM ${t} AS om WHERE om.id = ?1`,
  params: activationParams(a),
});

/**
 * Moves the planned chunks into the active observations (after a message-boundary line when there are
 * some already), adds their token counts, lowers the pending message tokens, keeps the rest buffered and
 * advances `lastObservedAt` to `?7` or else the last activated chunk's (`?8`, now, as a last resort).
 * Changes nothing when nothing is buffered, or when `expectedChunks` is given and the buffered chunks
 * are no longer exactly those (so the plan is the one a snapshot read computed).
 */
export const activateChunks = (
  t: string,
  a: ActivationTarget & { lastObservedAt: string | null; now: string; expectedChunks?: string },
): SqlStatement => ({
  sql: `WITH ${activationPlan(t)},
  activated AS (
    SELECT group_concat(COALESCE(chunk ->> '$.observations', ''), char(10, 10) ORDER BY i) AS observations,
      SUM(chunk ->> '$.tokenCount') AS tokenCount, SUM(messageTokens) AS messageTokens,
      COALESCE(?7, strftime('%Y-%m-%dT%H:%M:%fZ', MAX(CASE WHEN i = n - 1 THEN chunk ->> '$.lastObservedAt' END)), ?8) AS lastObservedAt
    FROM chunks, plan WHERE i < n
  ),
  remaining AS (
    SELECT CASE WHEN COUNT(*) > 0 THEN json_group_array(json(chunk) ORDER BY i) END AS chunks FROM chunks, plan WHERE i >= n
  )
  UPDATE ${t} AS om SET
    "activeObservations" = CASE WHEN COALESCE(om."activeObservations", '') = '' THEN a.observations
      ELSE om."activeObservations" || char(10, 10) || '--- message boundary (' || a.lastObservedAt || ') ---' || char(10, 10) || a.observations END,
    "observationTokenCount" = COALESCE(om."observationTokenCount", 0) + a.tokenCount,
    "pendingMessageTokens" = MAX(0, COALESCE(om."pendingMessageTokens", 0) - a.messageTokens),
    "bufferedObservationChunks" = r.chunks,
    "lastObservedAt" = a.lastObservedAt,
    "updatedAt" = ?8
  FROM activated AS a, remaining AS r
  WHERE om.id = ?1 AND om."bufferedObservationChunks" IS NOT NULL AND om."bufferedObservationChunks" != '[]'
    AND (?9 IS NULL OR om."bufferedObservationChunks" = ?9)`,
  params: [...activationParams(a), a.lastObservedAt, a.now, a.expectedChunks ?? null],
});

/** Whitespace JavaScript's `String.prototype.trim` removes, for SQLite's `trim(text, characters)`. */
const JS_WHITESPACE = ' \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/** Newlines among the first `length` characters of `text`. */
const newlinesIn = (length: string) => `(${length} - length(replace(substr(text, 1, ${length}), char(10), '')))`;
const mid = '((lo + hi) / 2)';

/**
 * The new generation's observations: the buffered reflection, then (after a blank line) the active
 * observations past the first `reflectedObservationLineCount` lines, trimmed, which were written after the
 * reflection began. The line cut is found by binary search on newline counts, O(n log n) in SQL text
 * functions, instead of walking the text line by line.
 */
const reflectedObservations = (t: string) => `
  WITH RECURSIVE src AS (
    SELECT COALESCE("activeObservations", '') AS text, COALESCE("reflectedObservationLineCount", 0) AS k, "bufferedReflection" AS reflection
    FROM ${t} WHERE id = ? AND COALESCE("bufferedReflection", '') != ''
      AND NOT EXISTS (SELECT 1 FROM ${t} WHERE "lookupKey" = ? AND "generationCount" >= ?)
  ),
  cut(lo, hi) AS (
    SELECT 0, length(text) FROM src
    UNION ALL
    SELECT CASE WHEN ${newlinesIn(mid)} >= k THEN lo ELSE ${mid} + 1 END, CASE WHEN ${newlinesIn(mid)} >= k THEN ${mid} ELSE hi END
    FROM cut, src WHERE lo < hi
  ),
  rest AS (
    SELECT trim(CASE
      WHEN k = 0 THEN text
      WHEN ${newlinesIn('length(text)')} < k THEN ''
      ELSE substr(text, (SELECT lo FROM cut WHERE lo >= hi) + 1)
    END, ?) AS unreflected, reflection FROM src
  )`;

/**
 * Inserts the next generation from the buffered reflection, returning it; `row` supplies every other
 * column, `activeObservations` is computed from the current row. Inserts nothing when no reflection is
 * buffered, no such record exists, or the generation `row` would create already exists: so of two
 * Workers swapping at once only one succeeds, even where a batch is not a transaction.
 */
export const insertReflectedGeneration = (t: string, currentId: string, row: Record<string, D1Value>): SqlStatement => {
  const columns = Object.keys(row);
  const values = columns.map((column) =>
    column === 'activeObservations' ? `CASE WHEN unreflected = '' THEN reflection ELSE reflection || char(10, 10) || unreflected END` : '?',
  );
  return {
    sql: `INSERT INTO ${t} (${columns.map(quoteIdentifier).join(', ')}) ${reflectedObservations(t)}
      SELECT ${values.join(', ')} FROM rest RETURNING *`,
    params: [currentId, row.lookupKey!, row.generationCount!, JS_WHITESPACE, ...columns.filter((column) => column !== 'activeObservations').map((column) => row[column]!)],
  };
};

/**
 * Clears the buffered reflection of the record it was taken from, in the batch that inserts the new
 * generation, and only if that insert (of `newId`) happened.
 */
export const clearBufferedReflection = (t: string, a: { id: string; newId: string; now: string }): SqlStatement => ({
  sql: `UPDATE ${t} SET "bufferedReflection" = NULL, "bufferedReflectionTokens" = NULL, "bufferedReflectionInputTokens" = NULL,
      "reflectedObservationLineCount" = NULL, "updatedAt" = ?
    WHERE id = ? AND COALESCE("bufferedReflection", '') != '' AND EXISTS (SELECT 1 FROM ${t} WHERE id = ?)`,
  params: [a.now, a.id, a.newId],
});
