import { OBSERVATIONAL_MEMORY_TABLE_SCHEMA, TABLE_MESSAGES, TABLE_OBSERVATIONAL_MEMORY, TABLE_RESOURCES, TABLE_SCHEMAS, TABLE_THREADS } from '@mastra/core/storage';
import type { TableSpec } from '../../sql/ddl';

/** Tables and indexes of the memory domain. */
export const MEMORY_TABLES: TableSpec[] = [
  {
    name: TABLE_THREADS,
    columns: TABLE_SCHEMAS[TABLE_THREADS],
    indexes: [
      { name: 'resource_created_idx', columns: ['resourceId', 'createdAt'] },
      { name: 'resource_updated_idx', columns: ['resourceId', 'updatedAt'] },
    ],
  },
  {
    name: TABLE_MESSAGES,
    columns: TABLE_SCHEMAS[TABLE_MESSAGES],
    indexes: [
      { name: 'thread_created_idx', columns: ['thread_id', 'createdAt'] },
      { name: 'resource_created_idx', columns: ['resourceId', 'createdAt'] },
    ],
  },
  { name: TABLE_RESOURCES, columns: TABLE_SCHEMAS[TABLE_RESOURCES] },
  {
    name: TABLE_OBSERVATIONAL_MEMORY,
    columns: OBSERVATIONAL_MEMORY_TABLE_SCHEMA[TABLE_OBSERVATIONAL_MEMORY],
    indexes: [{ name: 'lookup_idx', columns: ['lookupKey', 'generationCount'] }],
  },
];
