import type { StorageColumn } from '@mastra/core/storage';
import type { TableSpec } from '../../sql/ddl';

// The four signal tables (metrics, logs, scores, feedback). Core defines only record schemas for them,
// so names and columns follow pg VNext and DuckDB. Each row has a `cursorId` from AUTOINCREMENT (never
// reused after a delete, so delta cursors stay exact) and a unique signal id, which makes an exporter's
// retry a no-op. `timestamp` is epoch milliseconds: cheap UTC buckets and range scans.

const text: StorageColumn = { type: 'text' };
const json: StorageColumn = { type: 'jsonb' };
const float: StorageColumn = { type: 'float' };

/** The 25 context fields every signal record carries, in core's order. */
export const CONTEXT_COLUMNS: Record<string, StorageColumn> = {
  entityType: text,
  entityId: text,
  entityName: text,
  parentEntityType: text,
  parentEntityId: text,
  parentEntityName: text,
  rootEntityType: text,
  rootEntityId: text,
  rootEntityName: text,
  userId: text,
  organizationId: text,
  resourceId: text,
  runId: text,
  sessionId: text,
  threadId: text,
  requestId: text,
  environment: text,
  serviceName: text,
  scope: json,
  entityVersionId: text,
  parentEntityVersionId: text,
  rootEntityVersionId: text,
  experimentId: text,
  executionSource: text,
  tags: json,
};

/** One signal's table: its spec, its id column, and the key and value columns analytics read. */
export interface SignalTable {
  spec: TableSpec;
  /** The unique signal id column (`metricId`, ...). */
  id: string;
  /** The column analytics select a series by (`name`, `scorerId`, `feedbackType`). */
  key: string;
  /** The numeric column analytics aggregate. */
  value: string;
}

function signal(name: string, id: string, key: string, value: string, fields: Record<string, StorageColumn>): SignalTable {
  const columns: Record<string, StorageColumn> = {
    cursorId: { type: 'integer', primaryKey: true },
    [id]: { type: 'text', nullable: false },
    timestamp: { type: 'bigint', nullable: false },
    ...fields,
    ...CONTEXT_COLUMNS,
  };
  return {
    id,
    key,
    value,
    spec: {
      name,
      columns,
      autoIncrement: true,
      uniques: [[id]],
      indexes: [
        { name: `${key}_timestamp_idx`, columns: [key, 'timestamp'] },
        { name: 'timestamp_idx', columns: ['timestamp'] },
        { name: 'trace_idx', columns: ['traceId'] },
      ],
    },
  };
}

/** Metric observations (`mastra_metric_events`). */
export const METRICS = signal('mastra_metric_events', 'metricId', 'name', 'value', {
  name: { type: 'text', nullable: false },
  value: { type: 'float', nullable: false },
  traceId: text,
  spanId: text,
  source: text,
  provider: text,
  model: text,
  estimatedCost: float,
  costUnit: text,
  costMetadata: json,
  labels: json,
  metadata: json,
});

/** Log records (`mastra_log_events`). */
export const LOGS = signal('mastra_log_events', 'logId', 'level', 'level', {
  level: { type: 'text', nullable: false },
  message: { type: 'text', nullable: false },
  data: json,
  traceId: text,
  spanId: text,
  source: text,
  metadata: json,
});

/** Scores (`mastra_score_events`); `scoreSource` and `source` hold the same value, as core writes them. */
export const SCORES = signal('mastra_score_events', 'scoreId', 'scorerId', 'score', {
  traceId: text,
  spanId: text,
  scorerId: { type: 'text', nullable: false },
  scorerName: text,
  scorerVersion: text,
  scoreSource: text,
  source: text,
  score: { type: 'float', nullable: false },
  reason: text,
  scoreTraceId: text,
  metadata: json,
});

/**
 * Feedback (`mastra_feedback_events`). `value` is the record's number or string as JSON; `valueNumber`
 * is its numeric reading (core's: a finite number, or a string that parses as one), which analytics use.
 */
export const FEEDBACK = signal('mastra_feedback_events', 'feedbackId', 'feedbackType', 'valueNumber', {
  traceId: text,
  spanId: text,
  feedbackSource: text,
  source: text,
  feedbackType: { type: 'text', nullable: false },
  value: json,
  valueNumber: float,
  comment: text,
  feedbackUserId: text,
  sourceId: text,
  metadata: json,
  reviewStatus: { type: 'text', nullable: false },
});

/** The four signal tables, in the order deletes and retention visit them. */
export const SIGNAL_TABLES: readonly SignalTable[] = [METRICS, LOGS, SCORES, FEEDBACK];

const anchor = (signal: SignalTable) => ({ table: signal.spec.name, column: 'timestamp', indexed: true, anchorType: 'epoch-ms' as const });

/** Retention of the signal tables: by record `timestamp` (epoch ms), under these policy keys. */
export const SIGNAL_RETENTION = { metrics: anchor(METRICS), logs: anchor(LOGS), scores: anchor(SCORES), feedback: anchor(FEEDBACK) };
