import { OBSERVATIONAL_MEMORY_TABLE_SCHEMA, TABLE_MESSAGES, TABLE_OBSERVATIONAL_MEMORY, TABLE_RESOURCES, TABLE_SCHEMAS, TABLE_THREADS } from '@mastra/core/storage';
import type { TableSpec } from '../../sql/ddl';

// Every list orders by a timestamp with `id` ascending as tie-break, so each index ends in (timestamp, id):
// an ascending page is an index walk that stops at LIMIT; a descending one walks the index backwards and
// sorts only rows with equal timestamps by id, still stopping at LIMIT.

/** `mastra_threads`, listed per resource by creation or last update. */
export const THREADS: TableSpec = {
  name: TABLE_THREADS,
  columns: TABLE_SCHEMAS[TABLE_THREADS],
  indexes: [
    { name: 'resource_created_idx', columns: ['resourceId', 'createdAt', 'id'] },
    { name: 'resource_updated_idx', columns: ['resourceId', 'updatedAt', 'id'] },
  ],
};

/** `mastra_messages`, listed per thread or per resource by creation. */
export const MESSAGES: TableSpec = {
  name: TABLE_MESSAGES,
  columns: TABLE_SCHEMAS[TABLE_MESSAGES],
  indexes: [
    { name: 'thread_created_idx', columns: ['thread_id', 'createdAt', 'id'] },
    { name: 'resource_created_idx', columns: ['resourceId', 'createdAt', 'id'] },
  ],
};

/** `mastra_resources`: working memory per resource. */
export const RESOURCES: TableSpec = { name: TABLE_RESOURCES, columns: TABLE_SCHEMAS[TABLE_RESOURCES] };

/** Tables and indexes of the memory domain. */
export const MEMORY_TABLES: TableSpec[] = [
  THREADS,
  MESSAGES,
  RESOURCES,
  {
    name: TABLE_OBSERVATIONAL_MEMORY,
    columns: OBSERVATIONAL_MEMORY_TABLE_SCHEMA[TABLE_OBSERVATIONAL_MEMORY],
    // One row per generation, so two Workers reflecting at once cannot both create a current generation.
    indexes: [{ name: 'lookup_generation_uidx', columns: ['lookupKey', 'generationCount'], unique: true }],
    // Databases from before the UNIQUE index may hold such duplicates: each keeps the row `getObservationalMemory`
    // returned (the last inserted), so the index can be created; the plain index it replaces is dropped.
    beforeIndexes: (table, indexName) => [
      `DELETE FROM ${table} WHERE rowid NOT IN (SELECT MAX(rowid) FROM ${table} GROUP BY "lookupKey", "generationCount")`,
      `DROP INDEX IF EXISTS ${indexName('lookup_idx')}`,
    ],
  },
];
