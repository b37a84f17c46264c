import { TABLE_SPANS } from '@mastra/core/storage';
import { FEEDBACK, SCORES } from '../signal-tables';

// What each field a trace query may name reads in SQL. Every expression is written here, over the alias
// of the row it belongs to: no part of a plan ever becomes SQL text, only bound values.

/** A field's SQL over a row alias; `epochMs` fields store epoch milliseconds, so ISO literals are converted. */
export interface FieldSql {
  sql: (alias: string) => string;
  epochMs?: boolean;
}

/** A collection an exists-clause (or a discovery scope) reads: its table and fields. */
export interface Collection {
  table: string;
  fields: Readonly<Record<string, FieldSql>>;
  /** A field read as a number or as text by the literal's type (feedback `value`); `any` for presence. */
  split?: { field: string; number: FieldSql; string: FieldSql; any: FieldSql };
}

/** Whether `key` is an own entry of `table` (never `constructor` or another inherited name). */
export const has = (table: object, key: string): boolean => Object.prototype.hasOwnProperty.call(table, key);

const column = (name: string): FieldSql => ({ sql: (a) => `${a}."${name}"` });
const epoch = (name: string): FieldSql => ({ sql: (a) => `${a}."${name}"`, epochMs: true });
const status: FieldSql = { sql: (a) => `CASE WHEN ${a}."error" IS NOT NULL THEN 'error' ELSE 'success' END` };
// SQLite keeps julianday in whole milliseconds, so the rounded difference is exact.
const duration: FieldSql = { sql: (a) => `ROUND((julianday(${a}."endedAt") - julianday(${a}."startedAt")) * 86400000)` };
const attribute = (key: string): FieldSql => ({
  sql: (a) => `CASE WHEN json_type(${a}."attributes", '$.${key}') = 'text' THEN ${a}."attributes" ->> '$.${key}' END`,
});
const columns = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, column(n)]));

const VERSIONS = ['entityVersionId', 'parentEntityVersionId', 'rootEntityVersionId'];

/** Fields of a trace, read from its root span (`tags` is a collection, `metadata.*` is resolved apart). */
export const TRACE_FIELDS: Readonly<Record<string, FieldSql>> = {
  ...columns(['traceId', 'threadId', 'resourceId', 'startedAt', 'endedAt', 'entityName', 'entityType', 'environment', 'tags']),
  durationMs: duration,
  status,
};

/** The collections exists-clauses range over, by the name core's plan gives them. */
export const COLLECTIONS: Readonly<Record<'spans' | 'scores' | 'feedback', Collection>> = {
  spans: {
    table: TABLE_SPANS,
    fields: {
      ...columns(['name', 'spanType', 'startedAt', 'endedAt', 'error', 'entityType', 'entityId', 'entityName', ...VERSIONS]),
      model: attribute('model'),
      provider: attribute('provider'),
      durationMs: duration,
      status,
    },
  },
  scores: {
    table: SCORES.spec.name,
    fields: { ...columns(['scorerId', 'scorerVersion', 'scoreSource', 'score', 'spanId', ...VERSIONS]), timestamp: epoch('timestamp') },
  },
  feedback: {
    table: FEEDBACK.spec.name,
    fields: {
      ...columns(['feedbackType', 'feedbackSource', 'feedbackUserId', 'sourceId', 'comment', ...VERSIONS]),
      timestamp: epoch('timestamp'),
    },
    // `value` holds the record's number or string as JSON; `valueNumber` its numeric reading.
    split: {
      field: 'value',
      number: column('valueNumber'),
      string: { sql: (a) => `CASE WHEN json_type(${a}."value") = 'text' THEN ${a}."value" ->> '$' END` },
      any: column('value'),
    },
  },
};
