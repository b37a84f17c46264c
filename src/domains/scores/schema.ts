import { TABLE_SCHEMAS, TABLE_SCORERS } from '@mastra/core/storage';
import type { TableSpec } from '../../sql/ddl';

/** Tables and indexes of the scores domain. */
export const SCORE_TABLES: TableSpec[] = [
  {
    name: TABLE_SCORERS,
    columns: TABLE_SCHEMAS[TABLE_SCORERS],
    indexes: [
      { name: 'scorer_created_idx', columns: ['scorerId', 'createdAt'] },
      { name: 'run_created_idx', columns: ['runId', 'createdAt'] },
      { name: 'entity_created_idx', columns: ['entityId', 'entityType', 'createdAt'] },
      { name: 'span_created_idx', columns: ['traceId', 'spanId', 'createdAt'] },
    ],
  },
];
