import { ErrorCategory, ErrorDomain, MastraError } from '@mastra/core/error';
import { BRANCH_SPAN_TYPES, TABLE_SPANS } from '@mastra/core/storage';
import type { SqlStatement } from '../../client/types';
import type { TableSpec } from '../../sql/ddl';
import type { Condition } from '../../sql/query';

// Delta cursors of traces and branches. Spans are upserted and updated in place, so a span row cannot
// carry its own cursor: as in core's ObservabilityInMemory, a trace is new once, when its root span is
// first stored, and a branch when its anchor span is. Each such event takes the next key of this
// AUTOINCREMENT table (never handed out twice, even after deletes), written by triggers on the spans
// table: inside the span write's own statement, so writes keep their statements and round trips, and
// for every writer. Databases made before this table get it (empty) and its triggers on init. `ended`
// events (a root span stored with `endedAt`) feed trace-query delta plans, which list only ended traces.
// Column names differ from the spans table's so span filters can stay unqualified in a join.

function invalidCursor(): MastraError {
  // Core's own id and wording, so callers can tell a stale or forged cursor from other failures.
  return new MastraError({
    id: 'OBSERVABILITY_INVALID_DELTA_CURSOR',
    domain: ErrorDomain.MASTRA_OBSERVABILITY,
    category: ErrorCategory.USER,
    text: 'Invalid observability delta cursor',
  });
}

/** A list's `after` cursor as its number; anything but a non-negative safe integer is core's USER error. */
export function cursorValue(cursor: string): number {
  const value = /^\d+$/.test(cursor) ? Number(cursor) : NaN;
  if (!Number.isSafeInteger(value)) throw invalidCursor();
  return value;
}

/** The event streams of the cursor table. */
export type CursorKind = 'trace' | 'ended' | 'branch';

const NAME = 'mastra_ai_span_cursors';
const literals = (values: readonly string[]) => values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');

/**
 * The triggers recording events, given the quoted cursor table name (the spans table is its sibling
 * under the same prefix). They read the row's own values; an event already recorded is skipped by a
 * lookup, not by a conflict clause, which a trigger fired by an upsert would not honour.
 */
function eventTriggers(cursors: string): string[] {
  const spans = `${cursors.slice(0, -1 - NAME.length)}${TABLE_SPANS}"`;
  const events = `INSERT INTO ${cursors} ("kind", "cursorTraceId", "cursorSpanId")
      SELECT e.k, NEW."traceId", e.sp FROM (
        SELECT 'trace' AS k, '' AS sp WHERE NEW."parentSpanId" IS NULL
        UNION ALL SELECT 'ended', '' WHERE NEW."parentSpanId" IS NULL AND NEW."endedAt" IS NOT NULL
        UNION ALL SELECT 'branch', NEW."spanId" WHERE NEW."spanType" IN (${literals(BRANCH_SPAN_TYPES)})
      ) AS e
      WHERE NOT EXISTS (SELECT 1 FROM ${cursors} AS x WHERE x."cursorTraceId" = NEW."traceId" AND x."cursorSpanId" = e.sp AND x."kind" = e.k);`;
  const trigger = (suffix: string, on: string) => `CREATE TRIGGER IF NOT EXISTS ${cursors.slice(0, -1)}_${suffix}" ${on} ON ${spans} BEGIN ${events} END`;
  return [trigger('on_insert', 'AFTER INSERT'), trigger('on_update', 'AFTER UPDATE OF "parentSpanId", "spanType", "endedAt"')];
}

/** The cursor table: one row per trace event (`cursorSpanId` '') or branch event. */
export const CURSORS_TABLE: TableSpec = {
  name: NAME,
  columns: {
    cursorId: { type: 'integer', primaryKey: true },
    kind: { type: 'text', nullable: false },
    cursorTraceId: { type: 'text', nullable: false },
    cursorSpanId: { type: 'text', nullable: false },
  },
  autoIncrement: true,
  uniques: [['cursorTraceId', 'cursorSpanId', 'kind']],
  indexes: [{ name: 'kind_cursor_idx', columns: ['kind', 'cursorId'] }],
  beforeIndexes: eventTriggers,
};

/** How a kind's cursor row (`cur`) finds its span: the root of its trace, or its anchor span. */
const JOIN: Record<CursorKind, (span: string) => string> = {
  trace: (s) => `${s}."traceId" = cur."cursorTraceId" AND ${s}."parentSpanId" IS NULL`,
  ended: (s) => `${s}."traceId" = cur."cursorTraceId" AND ${s}."parentSpanId" IS NULL`,
  branch: (s) => `${s}."traceId" = cur."cursorTraceId" AND ${s}."spanId" = cur."cursorSpanId"`,
};

/** `FROM` the cursor rows (`cur`) joined to their spans, aliased as the span filters expect. */
export function cursorFrom(cursors: string, spans: string, kind: CursorKind, alias: string): string {
  return `${cursors} AS cur JOIN ${spans} AS ${alias} ON ${JOIN[kind](alias)}`;
}

/** The rows of one kind's stream, only those stored after `after` when it is given. */
export function inStream(kind: CursorKind, after?: number): Condition {
  const stream = `cur."kind" = '${kind}'`;
  return after === undefined ? { sql: stream, params: [] } : { sql: `${stream} AND cur."cursorId" > ?`, params: [after] };
}

/** Drops the cursor rows of the listed traces (a JSON list) that no longer have a span. */
export function forgetDeleted(cursors: string, spans: string, traceIdsJson: string): SqlStatement {
  return {
    sql: `DELETE FROM ${cursors} WHERE "cursorTraceId" IN (SELECT value FROM json_each(?))
      AND NOT EXISTS (SELECT 1 FROM ${spans} AS s WHERE s."traceId" = ${cursors}."cursorTraceId")`,
    params: [traceIdsJson],
  };
}

/** The newest cursor of a kind, in any row: where a poll resumes when nothing matched. */
export function streamHead(cursors: string, kind: CursorKind): string {
  return `(SELECT MAX("cursorId") FROM ${cursors} WHERE "kind" = '${kind}')`;
}

/**
 * A poll's answer from the rows after the cursor (`limit + 1` asked for, oldest first, each with its
 * `cursorId`): the cursor is the last row's, or `fallback` when none came, as core's stores answer.
 */
export function deltaPage<Row extends { cursorId?: unknown }>(rows: Row[], limit: number, fallback: unknown) {
  const page = rows.slice(0, limit);
  return { rows: page, delta: { limit, hasMore: rows.length > limit }, deltaCursor: String(page.at(-1)?.cursorId ?? fallback ?? 0) };
}
