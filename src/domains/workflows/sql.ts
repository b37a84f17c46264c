import type { D1Value, SqlStatement } from '../../client/types';
import { shallowMergeSql } from '../../sql/json';
import { mergedStepResultSql, type StepMergePlan } from './step-merge';

// Every statement of the workflows domain. `t` is the prefixed, quoted snapshot table.

const COLUMNS = 'workflow_name, run_id, "resourceId", snapshot, "createdAt", "updatedAt"';

/** Upserts a run's snapshot; the first write's createdAt stays, a missing resourceId keeps the stored one. */
export function upsertSnapshot(t: string, row: { workflowName: string; runId: string; resourceId: string | null; snapshot: string; createdAt: string; updatedAt: string }): SqlStatement {
  return {
    sql: `INSERT INTO ${t} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (workflow_name, run_id) DO UPDATE SET
        "resourceId" = coalesce(excluded."resourceId", "resourceId"),
        snapshot = excluded.snapshot,
        "updatedAt" = excluded."updatedAt"`,
    params: [row.workflowName, row.runId, row.resourceId, row.snapshot, row.createdAt, row.updatedAt],
  };
}

/** One run's snapshot. */
export function selectSnapshot(t: string, workflowName: string, runId: string): SqlStatement {
  return { sql: `SELECT snapshot FROM ${t} WHERE workflow_name = ? AND run_id = ?`, params: [workflowName, runId] };
}

/** The newest run with this id, of one workflow or of any. */
export function selectRun(t: string, runId: string, workflowName?: string): SqlStatement {
  const byName = workflowName ? ' AND workflow_name = ?' : '';
  return {
    sql: `SELECT ${COLUMNS} FROM ${t} WHERE run_id = ?${byName} ORDER BY "createdAt" DESC, rowid DESC LIMIT 1`,
    params: workflowName ? [runId, workflowName] : [runId],
  };
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

/** The run's status as stored in its snapshot; the `name_status_created_idx` index is on this exact expression. */
export const STATUS_EXPRESSION = `snapshot ->> '$.status'`;

// The thread a run belongs to lives inside the snapshot, where core's getSnapshotMemoryInfo looks:
// a suspended agentic-loop step's stream state, or a durable loop's input.
const THREAD_CONDITION = `(EXISTS (SELECT 1 FROM json_each(snapshot, '$.context') AS step
    WHERE step.value ->> '$.status' = 'suspended'
      AND step.value ->> '$.suspendPayload.__streamState.messageList.memoryInfo.threadId' = ?)
  OR snapshot ->> '$.context.input.messageListState.memoryInfo.threadId' = ?)`;

function where(filters: RunFilters): { clause: string; params: D1Value[] } {
  const conditions: string[] = [];
  const params: D1Value[] = [];
  const add = (condition: string, ...values: D1Value[]) => {
    conditions.push(condition);
    params.push(...values);
  };
  if (filters.workflowName) add('workflow_name = ?', filters.workflowName);
  if (filters.resourceId) add('"resourceId" = ?', filters.resourceId);
  if (filters.status) add(`${STATUS_EXPRESSION} = ?`, filters.status);
  if (filters.fromDate) add('"createdAt" >= ?', filters.fromDate);
  if (filters.toDate) add('"createdAt" <= ?', filters.toDate);
  if (filters.threadId) add(THREAD_CONDITION, filters.threadId, filters.threadId);
  return { clause: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/** Runs matching `filters`, newest first; a `page` limits them to `limit` rows after `offset`. */
export function selectRuns(t: string, filters: RunFilters, page?: { limit: number; offset: number }): SqlStatement {
  const { clause, params } = where(filters);
  const limit = page ? ' LIMIT ? OFFSET ?' : '';
  return {
    sql: `SELECT ${COLUMNS} FROM ${t} ${clause} ORDER BY "createdAt" DESC, rowid DESC${limit}`,
    params: page ? [...params, page.limit, page.offset] : params,
  };
}

/** How many runs match `filters`. */
export function countRuns(t: string, filters: RunFilters): SqlStatement {
  const { clause, params } = where(filters);
  return { sql: `SELECT COUNT(*) AS total FROM ${t} ${clause}`, params };
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
  return {
    sql: `INSERT INTO ${t} (workflow_name, run_id, snapshot, "createdAt", "updatedAt") VALUES (?1, ?2, ?3, ?4, ?4)
      ON CONFLICT (workflow_name, run_id) DO UPDATE SET
        snapshot = json_set(snapshot, '$.requestContext', ${requestContext}, ?5, ${mergedStepResultSql(input.plan, '?5', '?6', '?8')}),
        "updatedAt" = excluded."updatedAt"
      WHERE json_type(snapshot, '$.context') = 'object'
      RETURNING snapshot -> '$.context' AS context`,
    // D1 refuses parameters the SQL does not use, and only a foreach merge reads the plan (?8).
    params: [input.workflowName, input.runId, input.newSnapshot, input.now, input.stepPath, input.result, input.requestContext, ...(input.plan.foreach ? [input.plan.elementsJson] : [])],
  };
}

/**
 * Applies `{ ...snapshot, ...state }` (dropping the keys in `omitJson`) in ONE statement, only while the
 * stored status is one of `expectedJson` when given: the compare-and-set that lets one resume claim a run.
 * Returns the new snapshot, or no row when nothing matched.
 */
export function updateState(t: string, key: { workflowName: string; runId: string }, stateJson: string, omitJson: string, expectedJson?: string): SqlStatement {
  const guard = expectedJson === undefined ? '' : ` AND snapshot ->> '$.status' IN (SELECT value FROM json_each(?5))`;
  return {
    sql: `UPDATE ${t} SET snapshot = ${shallowMergeSql('snapshot', '?1', '?2')}
      WHERE workflow_name = ?3 AND run_id = ?4 AND json_type(snapshot, '$.context') = 'object'${guard}
      RETURNING snapshot`,
    params: expectedJson === undefined ? [stateJson, omitJson, key.workflowName, key.runId] : [stateJson, omitJson, key.workflowName, key.runId, expectedJson],
  };
}

/** Whether a run exists and what its snapshot's `context` is, to tell why `updateState` matched nothing. */
export function selectContextType(t: string, workflowName: string, runId: string): SqlStatement {
  return {
    sql: `SELECT json_type(snapshot, '$.context') AS context FROM ${t} WHERE workflow_name = ? AND run_id = ?`,
    params: [workflowName, runId],
  };
}
