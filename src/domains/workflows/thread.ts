// The thread a run belongs to, as core's getSnapshotMemoryInfo finds it in the snapshot: the first
// suspended step (in key order) whose suspend payload carries a truthy `__streamState`, else the durable
// loop's input. It sits under a step key that varies, which no expression index can reach, so every
// write of this package stores it in `snapshot_thread_id` ('' when the snapshot has none) and
// `listWorkflowRuns({ threadId })` becomes an index lookup. Rows written by `@mastra/cloudflare-d1` (or
// by this package before the column existed) hold NULL there and are matched on the snapshot instead.
// A writer that changes a snapshot this package stored but leaves the column alone would make it stale,
// so one table prefix should have one writing package at a time.

/** The extra column: NULL means "not computed by this package", '' means "no thread". */
export const THREAD_COLUMN = 'snapshot_thread_id';

const SUSPENDED_THREAD_PATH = '$.suspendPayload.__streamState.messageList.memoryInfo.threadId';
const DURABLE_THREAD_PATH = '$.context.input.messageListState.memoryInfo.threadId';

/** Whether the JSON value at `path` of `json` is truthy as JavaScript reads it. */
function truthy(json: string, path: string): string {
  const value = `(${json} ->> '${path}')`;
  return `CASE json_type(${json}, '${path}')
      WHEN 'object' THEN 1 WHEN 'array' THEN 1 WHEN 'true' THEN 1
      WHEN 'integer' THEN ${value} <> 0 WHEN 'real' THEN ${value} <> 0 WHEN 'text' THEN ${value} <> ''
      ELSE 0 END`;
}

/**
 * SQL for the thread id of the snapshot `snapshot` (an expression or a numbered parameter holding JSON
 * text; it is evaluated several times): the canonical extraction above, '' when there is none.
 */
export function threadOfSql(snapshot: string): string {
  // CASE, not AND, guards `->>`: SQLite does not promise to evaluate AND's left side first.
  const suspendedStream = `CASE WHEN step.type = 'object' THEN step.value ->> '$.status' = 'suspended' AND ${truthy('step.value', '$.suspendPayload.__streamState')} END`;
  return `coalesce(
      (SELECT coalesce(step.value ->> '${SUSPENDED_THREAD_PATH}', '') FROM json_each(${snapshot}, '$.context') AS step WHERE ${suspendedStream} LIMIT 1),
      ${snapshot} ->> '${DURABLE_THREAD_PATH}',
      '')`;
}

/**
 * Whether merging a step result can change the run's thread: only when the step was or becomes
 * suspended (its entry decides the suspended-step source) or is `input` (the durable source).
 * `storedStep` is the step's stored entry as JSON, `result` the new result's JSON, `stepPath` its path.
 */
export function stepMayMoveThreadSql(storedStep: string, result: string, stepPath: string): string {
  return `(${stepPath} = '$.context."input"' OR ${storedStep} ->> '$.status' = 'suspended' OR ${result} ->> '$.status' = 'suspended')`;
}

/**
 * The legacy match for rows whose column is NULL: LibSQLStore's predicate over the snapshot (any
 * suspended step's thread, or the durable loop's), binding the thread id twice.
 */
export const LEGACY_THREAD_MATCH = `(EXISTS (SELECT 1 FROM json_each(snapshot, '$.context') AS step
    WHERE CASE WHEN step.type = 'object' THEN step.value ->> '$.status' = 'suspended' AND step.value ->> '${SUSPENDED_THREAD_PATH}' = ? END)
  OR snapshot ->> '${DURABLE_THREAD_PATH}' = ?)`;
