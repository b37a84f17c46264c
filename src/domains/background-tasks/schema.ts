import type { BackgroundTaskStatus } from '@mastra/core/background-tasks';
import { TABLE_BACKGROUND_TASKS, TABLE_SCHEMAS } from '@mastra/core/storage';
import { userError } from '../../errors';
import type { TableSpec } from '../../sql/ddl';

/**
 * The tasks table. Its indexes serve the manager's hot paths: running counts (global and per agent),
 * dispatch and recovery lists by status, `cleanup()`'s deletes by status and completion date, a tool
 * call's task lookup, and lists of one thread, resource or run.
 */
export const TASKS_TABLE: TableSpec = {
  name: TABLE_BACKGROUND_TASKS,
  columns: TABLE_SCHEMAS[TABLE_BACKGROUND_TASKS],
  indexes: [
    { name: 'status_created_idx', columns: ['status', 'createdAt'] },
    { name: 'agent_status_idx', columns: ['agent_id', 'status', 'createdAt'] },
    { name: 'status_completed_idx', columns: ['status', 'completedAt'] },
    { name: 'tool_call_idx', columns: ['tool_call_id'] },
    { name: 'run_idx', columns: ['run_id', 'createdAt'] },
    { name: 'thread_idx', columns: ['thread_id', 'createdAt'] },
    { name: 'resource_idx', columns: ['resource_id', 'createdAt'] },
    { name: 'created_idx', columns: ['createdAt'] },
  ],
};

/** A task's fields and the columns that hold them. */
export const TASK_COLUMNS = {
  id: 'id',
  toolCallId: 'tool_call_id',
  toolName: 'tool_name',
  agentId: 'agent_id',
  runId: 'run_id',
  threadId: 'thread_id',
  resourceId: 'resource_id',
  status: 'status',
  args: 'args',
  result: 'result',
  error: 'error',
  suspendPayload: 'suspend_payload',
  retryCount: 'retry_count',
  maxRetries: 'max_retries',
  timeoutMs: 'timeout_ms',
  createdAt: 'createdAt',
  startedAt: 'startedAt',
  suspendedAt: 'suspendedAt',
  completedAt: 'completedAt',
} as const;

export type TaskField = keyof typeof TASK_COLUMNS;

/** The date columns a list may filter and sort on, as `TaskDateColumn` names them. */
export const DATE_FIELDS: Readonly<Record<string, string>> = { createdAt: 'createdAt', startedAt: 'startedAt', suspendedAt: 'suspendedAt', completedAt: 'completedAt' };

const STATUSES: readonly BackgroundTaskStatus[] = ['pending', 'running', 'suspended', 'completed', 'failed', 'cancelled', 'timed_out'];

/** A task status, or a USER error naming `field`. */
export function requireStatus(operation: string, field: string, value: unknown): BackgroundTaskStatus {
  if (!STATUSES.includes(value as BackgroundTaskStatus)) throw userError(operation, `${field} must be one of ${STATUSES.join(', ')}`, { field });
  return value as BackgroundTaskStatus;
}
