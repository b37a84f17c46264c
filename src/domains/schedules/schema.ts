import { TABLE_SCHEDULE_TRIGGERS, TABLE_SCHEDULES, TABLE_SCHEMAS } from '@mastra/core/storage';
import type { TableSpec } from '../../sql/ddl';

/** The `target` path `listSchedules({ workflowId })` filters on; its index is written with the same text. */
export const WORKFLOW_ID = `json_extract("target", '$.workflowId')`;

/**
 * Schedules: core's columns, an index for the scheduler's due query (which also serves the status
 * filter), one per listing filter, and `created_at` for the unfiltered list.
 */
export const SCHEDULES_TABLE: TableSpec = {
  name: TABLE_SCHEDULES,
  columns: TABLE_SCHEMAS[TABLE_SCHEDULES],
  indexes: [
    { name: 'status_next_fire_idx', columns: ['status', 'next_fire_at'] },
    { name: 'owner_created_idx', columns: ['owner_type', 'owner_id', 'created_at'] },
    { name: 'workflow_created_idx', columns: [{ expression: WORKFLOW_ID }, 'created_at'] },
    { name: 'created_idx', columns: ['created_at'] },
  ],
};

/** Trigger history, read per schedule newest first. */
export const TRIGGERS_TABLE: TableSpec = {
  name: TABLE_SCHEDULE_TRIGGERS,
  columns: TABLE_SCHEMAS[TABLE_SCHEDULE_TRIGGERS],
  indexes: [{ name: 'schedule_fire_idx', columns: ['schedule_id', 'actual_fire_at'] }],
};
