import type { BackgroundTask, UpdateBackgroundTask } from '@mastra/core/background-tasks';
import type { D1Value } from '../../client/types';
import { userError } from '../../errors';
import { decodeRow, encodeRow, encodeValue, serializeJson } from '../../sql/codec';
import { quoteIdentifier } from '../../sql/identifiers';
import { requireText } from '../validation';
import { requireStatus, TASK_COLUMNS, TASKS_TABLE, type TaskField } from './schema';

const FIELDS = Object.keys(TASK_COLUMNS) as TaskField[];
const TEXT_FIELDS = ['id', 'toolCallId', 'toolName', 'agentId', 'runId'] as const;
const COUNT_FIELDS = ['retryCount', 'maxRetries', 'timeoutMs'] as const;

function requireCount(operation: string, field: string, value: unknown): number {
  if (!Number.isSafeInteger(value)) throw userError(operation, `${field} must be an integer`, { field });
  return value as number;
}

/** A new task as the values of its row, in column order, after checking every required field. */
export function taskValues(operation: string, task: BackgroundTask): D1Value[] {
  if (!task || typeof task !== 'object') throw userError(operation, 'task must be an object', { field: 'task' });
  for (const field of TEXT_FIELDS) requireText(operation, field, task[field]);
  requireStatus(operation, 'status', task.status);
  for (const field of COUNT_FIELDS) requireCount(operation, field, task[field]);
  if (!task.args || typeof task.args !== 'object' || Array.isArray(task.args)) throw userError(operation, 'args must be an object', { field: 'args' });
  if (!(task.createdAt instanceof Date)) throw userError(operation, 'createdAt must be a Date', { field: 'createdAt' });
  const row: Record<string, unknown> = {};
  for (const field of FIELDS) row[TASK_COLUMNS[field]] = task[field];
  return encodeRow(operation, TASKS_TABLE, row, { record: `task ${task.id}` });
}

/**
 * A row as a task. NULL columns are left out, so an absent value reads as `undefined` while a JSON
 * `null` written by `updateTask` reads as `null`, as LibSQLStore returns them.
 */
export function rowToTask(row: Record<string, unknown>): BackgroundTask {
  const record = decodeRow<Record<string, unknown>>(TASKS_TABLE, row, { omitNull: true });
  const task: Record<string, unknown> = {};
  for (const field of FIELDS) if (TASK_COLUMNS[field] in record) task[field] = record[TASK_COLUMNS[field]];
  task.args ??= {};
  return task as unknown as BackgroundTask;
}

const UPDATABLE: readonly (keyof UpdateBackgroundTask)[] = ['status', 'result', 'error', 'suspendPayload', 'retryCount', 'startedAt', 'suspendedAt', 'completedAt'];
const JSON_FIELDS = new Set<string>(['result', 'error', 'suspendPayload']);

/**
 * `col = ?` assignments for the fields present in `update` (own keys only; others are ignored, as in
 * LibSQLStore). A present key whose value is `undefined` clears the column, since D1 cannot bind
 * `undefined`; a JSON `null` is stored as JSON.
 */
export function updateAssignments(operation: string, update: UpdateBackgroundTask): { sql: string[]; params: D1Value[] } {
  if (!update || typeof update !== 'object') throw userError(operation, 'update must be an object', { field: 'update' });
  const sql: string[] = [];
  const params: D1Value[] = [];
  for (const field of UPDATABLE) {
    if (!Object.hasOwn(update, field)) continue;
    const value = update[field];
    const record = `${field} of task update`;
    if (field === 'status') requireStatus(operation, field, value);
    else if (field === 'retryCount') requireCount(operation, field, value);
    sql.push(`${quoteIdentifier(TASK_COLUMNS[field])} = ?`);
    params.push(JSON_FIELDS.has(field) ? (value === undefined ? null : serializeJson(operation, value, record)) : encodeValue(operation, TASKS_TABLE.columns[TASK_COLUMNS[field]]!.type, value, record));
  }
  return { sql, params };
}
