import type { WorkflowRun } from '@mastra/core/storage';
import type { WorkflowRunState } from '@mastra/core/workflows';

type Row = Record<string, unknown>;

/**
 * Parses a stored snapshot. Text that is not JSON (hand-written or from an old writer) is returned as
 * stored, as LibSQLStore does, rather than failing the whole listing it appears in.
 */
export function parseSnapshot(value: unknown): WorkflowRunState | string {
  if (typeof value !== 'string') return value as WorkflowRunState;
  try {
    return JSON.parse(value) as WorkflowRunState;
  } catch {
    return value;
  }
}

/** A snapshot-table row as core's `WorkflowRun`; `resourceId` is null when unset, as in LibSQLStore. */
export function runFromRow(row: Row): WorkflowRun {
  return {
    workflowName: row.workflow_name as string,
    runId: row.run_id as string,
    snapshot: parseSnapshot(row.snapshot),
    resourceId: row.resourceId as string,
    createdAt: new Date(row.createdAt as string),
    updatedAt: new Date(row.updatedAt as string),
  };
}
