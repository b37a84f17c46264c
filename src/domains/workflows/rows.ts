import type { WorkflowRun } from '@mastra/core/storage';
import { decodeRow } from '../../sql/codec';
import { SNAPSHOT_TABLE } from './schema';

/**
 * A snapshot-table row as core's `WorkflowRun`. A snapshot that is not JSON (hand-written, or from an
 * old writer) comes back as stored, as in LibSQLStore, rather than failing the listing it is in;
 * `resourceId` is null when unset.
 */
export function runFromRow(row: Record<string, unknown>): WorkflowRun {
  const run = decodeRow<Record<string, unknown>>(SNAPSHOT_TABLE, row);
  return {
    workflowName: run.workflow_name as string,
    runId: run.run_id as string,
    snapshot: run.snapshot as WorkflowRun['snapshot'],
    resourceId: run.resourceId as string,
    createdAt: run.createdAt as Date,
    updatedAt: run.updatedAt as Date,
  };
}
