import type { D1Value, SqlStatement } from '../../client/types';
import { columnList } from '../../sql/codec';
import { shallowMergeSql } from '../../sql/json';
import { compare, eq, raw, where, type Condition } from '../../sql/query';
import { SNAPSHOT_TABLE, STATUS_EXPRESSION } from './schema';
import { mergedStepResultSql, type StepMergePlan } from './step-merge';
import { LEGACY_THREAD_MATCH, stepMayMoveThreadSql, THREAD_COLUMN, threadOfSql } from './thread';

// Every statement of the workflows domain. `t` is the prefixed, quoted snapshot table.

/** The columns a run is read with (core's; the thread column is this package's index, not part of a run). */
export const RUN_COLUMNS = ['workflow_name', 'run_id', 'resourceId', 'snapshot', 'createdAt', 'updatedAt'];
const SELECT_RUN = columnList(SNAPSHOT_TABLE, RUN_COLUMNS);

/**
 * Newest first; runs created in the same millisecond in the order they were first stored (rowid), as
 * LibSQLStore's stable sort over its table returns them.
 */
const RUN_ORDER = '"createdAt" DESC, rowid ASC';

/**
 * Upserts a run's snapshot (`values` in `RUN_COLUMNS` order) and the thread found in it; the first
 * write's createdAt stays, a missing resourceId keeps the stored one.
 */
export function upsertSnapshot(t: string, values: readonly D1Value[]): SqlStatement {
  return {
    sql: `INSERT INTO ${t} (${SELECT_RUN}, ${THREAD_COLUMN}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ${threadOfSql('?4')})
      ON CONFLICT (workflow_name, run_id) DO UPDATE SET
        "resourceId" = coalesce(excluded."resourceId", "resourceId"),
        snapshot = excluded.snapshot,
        "updatedAt" = excluded."updatedAt",
        ${THREAD_COLUMN} = excluded.${THREAD_COLUMN}`,
    params: values,
  };
}

/** One run's snapshot. */
export function selectSnapshot(t: string, workflowName: string, runId: string): SqlStatement {
  return { sql: `SELECT snapshot FROM ${t} WHERE workflow_name = ? AND run_id = ?`, params: [workflowName, runId] };
}

/** The newest run with this id, of one workflow or of any. */
export function selectRun(t: string, runId: string, workflowName?: string): SqlStatement {
  const filter = where([eq('run_id', runId), eq('workflow_name', workflowName)]);
  return { sql: `SELECT ${SELECT_RUN} FROM ${t}${filter.sql} ORDER BY ${RUN_ORDER} LIMIT 1`, params: filter.params };
}

/** Deletes one run. */
export function deleteRun(t: string, workflowName: string, runId: string): SqlStatement {
  return { sql: `DELETE FROM ${t} WHERE workflow_name = ? AND run_id = ?`, params: [workflowName, runId] };
}

/** Filters of `listWorkflowRuns`, already in their stored form. */
export interface RunFilters {
  workflowName?: string;
  resourceId?: string;
  status?: string;
  threadId?: string;
  fromDate?: string;
  toDate?: string;
}

/** A run of this thread: the stored column, or (rows it was never computed for) the snapshot itself. */
function threadMatch(threadId: string): Condition {
  return raw(`(${THREAD_COLUMN} = ? OR (${THREAD_COLUMN} IS NULL AND ${LEGACY_THREAD_MATCH}))`, threadId, threadId, threadId);
}

/** WHERE for `listWorkflowRuns`; as in LibSQLStore, an empty filter is no filter. */
export function runWhere(filters: RunFilters): Condition {
  return where([
    eq('workflow_name', filters.workflowName || undefined),
    eq('resourceId', filters.resourceId || undefined),
    filters.status ? raw(`${STATUS_EXPRESSION} = ?`, filters.status) : undefined,
    compare('createdAt', '>=', filters.fromDate),
    compare('createdAt', '<=', filters.toDate),
    filters.threadId ? threadMatch(filters.threadId) : undefined,
  ]);
}

/** The parts of a run listing's query, for `pageQuery` (a page and its total) or `selectRuns` (every match). */
export function runQuery(t: string, filters: RunFilters) {
  return { select: SELECT_RUN, from: t, where: runWhere(filters), order: RUN_ORDER };
}

/** Every run matching `filters`, newest first. */
export function selectRuns(t: string, filters: RunFilters): SqlStatement {
  const query = runQuery(t, filters);
  return { sql: `SELECT ${query.select} FROM ${t}${query.where.sql} ORDER BY ${query.order}`, params: query.where.params };
}

/** The parameters of `mergeStepResult`, in their stored form. */
export interface StepMergeInput {
  workflowName: string;
  runId: string;
  /** The snapshot to create when the run has none yet, with the result already in it. */
  newSnapshot: string;
  now: string;
  /** JSON path of the step's entry, e.g. `$.context."step"`. */
  stepPath: string;
  result: string;
  requestContext: string;
  plan: StepMergePlan;
}

/**
 * Merges one step result and the request context into the stored snapshot in ONE statement, so
 * concurrent branches each apply their own result to the latest state. A run without a snapshot gets
 * `newSnapshot`; a stored snapshot without a `context` object is left alone and returns no row.
 * Returns the merged `context`.
 */
export function mergeStepResult(t: string, input: StepMergeInput): SqlStatement {
  const requestContext = shallowMergeSql(`(snapshot -> '$.requestContext')`, '?7');
  const merged = `json_set(snapshot, '$.requestContext', ${requestContext}, ?5, ${mergedStepResultSql(input.plan, '?5', '?6', '?8')})`;
  return {
    sql: `INSERT INTO ${t} (workflow_name, run_id, snapshot, "createdAt", "updatedAt", ${THREAD_COLUMN}) VALUES (?1, ?2, ?3, ?4, ?4, ${threadOfSql('?3')})
      ON CONFLICT (workflow_name, run_id) DO UPDATE SET
        snapshot = ${merged},
        "updatedAt" = excluded."updatedAt",
        ${THREAD_COLUMN} = CASE WHEN ${stepMayMoveThreadSql('(snapshot -> ?5)', '?6', '?5')} THEN ${threadOfSql(merged)} ELSE ${THREAD_COLUMN} END
      WHERE json_type(snapshot, '$.context') = 'object'
      RETURNING snapshot -> '$.context' AS context`,
    // D1 refuses parameters the SQL does not use, and only a foreach merge reads the plan (?8).
    params: [input.workflowName, input.runId, input.newSnapshot, input.now, input.stepPath, input.result, input.requestContext, ...(input.plan.foreach ? [input.plan.elementsJson] : [])],
  };
}

/**
 * Applies `{ ...snapshot, ...state }` (dropping the keys in `omitJson`) in ONE statement, only while the
 * stored status is one of `expectedJson` when given: the compare-and-set that lets one resume claim a run.
 * Core's state carries no `context`; when a caller's does, the run's thread is found again.
 * Returns the new snapshot, or no row when nothing matched.
 */
export function updateState(t: string, key: { workflowName: string; runId: string }, state: { json: string; omitJson: string; touchesContext: boolean }, expectedJson?: string): SqlStatement {
  const merged = shallowMergeSql('snapshot', '?1', '?2');
  const thread = state.touchesContext ? `, ${THREAD_COLUMN} = ${threadOfSql(merged)}` : '';
  const guard = expectedJson === undefined ? '' : ` AND snapshot ->> '$.status' IN (SELECT value FROM json_each(?5))`;
  return {
    sql: `UPDATE ${t} SET snapshot = ${merged}${thread}
      WHERE workflow_name = ?3 AND run_id = ?4 AND json_type(snapshot, '$.context') = 'object'${guard}
      RETURNING snapshot`,
    params: expectedJson === undefined ? [state.json, state.omitJson, key.workflowName, key.runId] : [state.json, state.omitJson, key.workflowName, key.runId, expectedJson],
  };
}

/** Whether a run exists and what its snapshot's `context` is, to tell why `updateState` matched nothing. */
export function selectContextType(t: string, workflowName: string, runId: string): SqlStatement {
  return {
    sql: `SELECT json_type(snapshot, '$.context') AS context FROM ${t} WHERE workflow_name = ? AND run_id = ?`,
    params: [workflowName, runId],
  };
}
