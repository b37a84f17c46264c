import { TABLE_SCHEMAS, TABLE_WORKFLOW_SNAPSHOT } from '@mastra/core/storage';
import type { TableSpec } from '../../sql/ddl';
import { STATUS_EXPRESSION } from './sql';

/** Tables and indexes of the workflows domain. */
export const WORKFLOW_TABLES: TableSpec[] = [
  {
    name: TABLE_WORKFLOW_SNAPSHOT,
    columns: TABLE_SCHEMAS[TABLE_WORKFLOW_SNAPSHOT],
    uniques: [['workflow_name', 'run_id']],
    indexes: [
      { name: 'name_created_idx', columns: ['workflow_name', 'createdAt'] },
      { name: 'name_status_created_idx', columns: ['workflow_name', { expression: STATUS_EXPRESSION }, 'createdAt'] },
      { name: 'resource_created_idx', columns: ['resourceId', 'createdAt'] },
      { name: 'created_idx', columns: ['createdAt'] },
      // getWorkflowRunById is often called without workflowName (every agent call does).
      { name: 'run_created_idx', columns: ['run_id', 'createdAt'] },
    ],
  },
];
