import { SPAN_SCHEMA, TABLE_SPANS } from '@mastra/core/storage';
import type { TableSpec } from '../../sql/ddl';

/** Tables and indexes of the observability domain. */
export const OBSERVABILITY_TABLES: TableSpec[] = [
  {
    name: TABLE_SPANS,
    columns: SPAN_SCHEMA,
    primaryKey: ['traceId', 'spanId'],
    indexes: [
      { name: 'root_started_idx', columns: ['startedAt DESC'], where: '"parentSpanId" IS NULL' },
      { name: 'trace_started_idx', columns: ['traceId', 'startedAt'] },
      { name: 'type_started_idx', columns: ['spanType', 'startedAt DESC'] },
    ],
  },
];
