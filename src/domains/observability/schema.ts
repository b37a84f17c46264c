import { SPAN_SCHEMA, TABLE_SPANS } from '@mastra/core/storage';
import type { TableSpec } from '../../sql/ddl';
import { CURSORS_TABLE } from './cursors';
import { SIGNAL_TABLES } from './signal-tables';

// Trace lists read root spans newest first, mostly filtered by the entity or the user's resource: each
// such listing walks a partial index of root spans in `startedAt` order and stops at the page's end.
const ROOT = '"parentSpanId" IS NULL';

/** The spans table: core's columns, keyed by trace and span. */
export const SPANS_TABLE: TableSpec = {
  name: TABLE_SPANS,
  columns: SPAN_SCHEMA,
  primaryKey: ['traceId', 'spanId'],
  indexes: [
    { name: 'root_started_idx', columns: ['startedAt DESC'], where: ROOT },
    { name: 'root_entity_started_idx', columns: ['entityId', 'startedAt DESC'], where: ROOT },
    { name: 'root_resource_started_idx', columns: ['resourceId', 'startedAt DESC'], where: ROOT },
    { name: 'trace_started_idx', columns: ['traceId', 'startedAt'] },
    { name: 'type_started_idx', columns: ['spanType', 'startedAt DESC'] },
  ],
};

/** Tables and indexes of the observability domain: spans, their delta cursors, then the four signal tables. */
export const OBSERVABILITY_TABLES: TableSpec[] = [SPANS_TABLE, CURSORS_TABLE, ...SIGNAL_TABLES.map((signal) => signal.spec)];
