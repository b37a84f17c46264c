import { TABLE_SCHEMAS, TABLE_SCORERS } from '@mastra/core/storage';
import type { TableSpec } from '../../sql/ddl';

/** The scores table: core's columns, and an index per listing (its filter, then `createdAt`). */
export const SCORES_TABLE: TableSpec = {
  name: TABLE_SCORERS,
  columns: TABLE_SCHEMAS[TABLE_SCORERS],
  indexes: [
    { name: 'scorer_created_idx', columns: ['scorerId', 'createdAt'] },
    { name: 'run_created_idx', columns: ['runId', 'createdAt'] },
    { name: 'entity_created_idx', columns: ['entityId', 'entityType', 'createdAt'] },
    { name: 'span_created_idx', columns: ['traceId', 'spanId', 'createdAt'] },
  ],
};

/** Tables and indexes of the scores domain. */
export const SCORE_TABLES: TableSpec[] = [SCORES_TABLE];
