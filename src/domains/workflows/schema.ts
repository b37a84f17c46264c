import { TABLE_SCHEMAS, TABLE_WORKFLOW_SNAPSHOT } from '@mastra/core/storage';
import type { TableSpec } from '../../sql/ddl';
import { THREAD_COLUMN } from './thread';

/** The run's status as stored in its snapshot; the `name_status_created_idx` index is on this exact expression. */
export const STATUS_EXPRESSION = `snapshot ->> '$.status'`;

/** The snapshot table: core's columns plus the thread found in the snapshot (see `thread.ts`). */
export const SNAPSHOT_TABLE: TableSpec = {
  name: TABLE_WORKFLOW_SNAPSHOT,
  columns: { ...TABLE_SCHEMAS[TABLE_WORKFLOW_SNAPSHOT], [THREAD_COLUMN]: { type: 'text', nullable: true } },
  uniques: [['workflow_name', 'run_id']],
  indexes: [
    { name: 'name_created_idx', columns: ['workflow_name', 'createdAt'] },
    { name: 'name_status_created_idx', columns: ['workflow_name', { expression: STATUS_EXPRESSION }, 'createdAt'] },
    { name: 'resource_created_idx', columns: ['resourceId', 'createdAt'] },
    { name: 'created_idx', columns: ['createdAt'] },
    // getWorkflowRunById is often called without workflowName (every agent call does).
    { name: 'run_created_idx', columns: ['run_id', 'createdAt'] },
    { name: 'thread_created_idx', columns: [THREAD_COLUMN, 'createdAt'] },
  ],
};

/** Tables and indexes of the workflows domain. */
export const WORKFLOW_TABLES: TableSpec[] = [SNAPSHOT_TABLE];
