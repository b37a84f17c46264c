import { OBSERVATIONAL_MEMORY_TABLE_SCHEMA, TABLE_MESSAGES, TABLE_OBSERVATIONAL_MEMORY, TABLE_RESOURCES, TABLE_SCHEMAS, TABLE_THREADS } from '@mastra/core/storage';
import type { TableSpec } from '../../sql/ddl';

/**
 * Tables and indexes of the memory domain. Every list orders by a timestamp with `id` as tie-break, so
 * each index ends in (timestamp, id): a page is an index walk that stops at LIMIT, with no sort step.
 */
export const MEMORY_TABLES: TableSpec[] = [
  {
    name: TABLE_THREADS,
    columns: TABLE_SCHEMAS[TABLE_THREADS],
    indexes: [
      { name: 'resource_created_idx', columns: ['resourceId', 'createdAt', 'id'] },
      { name: 'resource_updated_idx', columns: ['resourceId', 'updatedAt', 'id'] },
    ],
  },
  {
    name: TABLE_MESSAGES,
    columns: TABLE_SCHEMAS[TABLE_MESSAGES],
    indexes: [
      { name: 'thread_created_idx', columns: ['thread_id', 'createdAt', 'id'] },
      { name: 'resource_created_idx', columns: ['resourceId', 'createdAt', 'id'] },
    ],
  },
  { name: TABLE_RESOURCES, columns: TABLE_SCHEMAS[TABLE_RESOURCES] },
  {
    name: TABLE_OBSERVATIONAL_MEMORY,
    columns: OBSERVATIONAL_MEMORY_TABLE_SCHEMA[TABLE_OBSERVATIONAL_MEMORY],
    indexes: [{ name: 'lookup_idx', columns: ['lookupKey', 'generationCount'] }],
  },
];
